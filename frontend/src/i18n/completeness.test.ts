import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { flatten, LANGUAGES, resources } from './resources';

// Every key the console's code asks for must exist, non-empty, in every language, and the languages must hold
// the same keys. Pages that do not use i18n yet are not failed here: they are converted one by one.
const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !/\.(test|d)\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

// t('a.b'), t("a.b"), i18nKey="a.b"; template keys `common.nav.${x}` are checked by their literal prefix.
const CALL = /(?:(?<![\w.])|(?<=i18next\.))t\(\s*(['"`])([a-zA-Z][\w.-]*(?:\$\{[^}]*\}[\w.-]*)*)\1/g;
const PROP = /i18nKey=(['"])([\w.-]+)\1/g;

function usedKeys(): { key: string; file: string }[] {
  const out: { key: string; file: string }[] = [];
  for (const file of sourceFiles(SRC)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const pattern of [CALL, PROP]) {
      for (const match of text.matchAll(pattern)) out.push({ key: match[2] ?? '', file: path.relative(SRC, file) });
    }
  }
  return out;
}

const tables = Object.fromEntries(LANGUAGES.map((lng) => [lng, flatten(resources[lng].translation)])) as Record<(typeof LANGUAGES)[number], Map<string, string>>;

function has(table: Map<string, string>, key: string): boolean {
  if (key.includes('${')) {
    const prefix = key.slice(0, key.indexOf('${'));
    return [...table.keys()].some((k) => k.startsWith(prefix));
  }
  // plural forms: key_one / key_other (Chinese has only _other)
  return Boolean(table.get(key) || table.get(`${key}_other`));
}

describe('i18n', () => {
  const used = usedKeys();

  it('finds the keys the console uses', () => {
    expect(used.length).toBeGreaterThan(10);
  });

  for (const lng of LANGUAGES) {
    it(`has every used key in ${lng}`, () => {
      const missing = used.filter(({ key }) => !has(tables[lng], key)).map(({ key, file }) => `${key} (${file})`);
      expect([...new Set(missing)]).toEqual([]);
    });
  }

  it('holds the same keys in every language (plural forms aside)', () => {
    const base = (k: string) => k.replace(/_(zero|one|two|few|many|other)$/, '');
    const [first, ...rest] = LANGUAGES.map((lng) => new Set([...tables[lng].keys()].map(base)));
    for (const set of rest) {
      expect([...set].filter((k) => !first?.has(k))).toEqual([]);
      expect([...(first ?? [])].filter((k) => !set.has(k))).toEqual([]);
    }
  });

  it('has no empty strings and keeps every {{placeholder}} in every language', () => {
    const placeholders = (text: string) => [...new Set(text.match(/\{\{\s*\w+\s*\}\}/g) ?? [])].map((p) => p.replace(/\s/g, '')).sort();
    for (const lng of LANGUAGES) {
      for (const [key, value] of tables[lng]) {
        expect(value.trim(), `${lng}:${key}`).not.toBe('');
        const english = tables.en.get(key);
        if (english !== undefined) expect(placeholders(value), `${lng}:${key}`).toEqual(placeholders(english));
      }
    }
  });
});
