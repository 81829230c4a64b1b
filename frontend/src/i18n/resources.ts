// Every JSON file under locales/<language>/ is one area of the console (common, tickets, users...): its keys
// are reached as `<file>.<key>` (tickets.list.title is list.title in tickets.json). A new page adds its own file in both languages.
export const LANGUAGES = ['en', 'zh-CN'] as const;
export type Language = (typeof LANGUAGES)[number];

type Tree = { [key: string]: string | Tree };

const files = import.meta.glob<Tree>('./locales/*/*.json', { eager: true, import: 'default' });

function load(): Record<Language, { translation: Tree }> {
  const out = Object.fromEntries(LANGUAGES.map((lng) => [lng, { translation: {} as Tree }])) as Record<Language, { translation: Tree }>;
  for (const [file, tree] of Object.entries(files)) {
    const match = /\.\/locales\/([^/]+)\/([^/]+)\.json$/.exec(file);
    if (!match) continue;
    const [, lng = '', area = ''] = match;
    if (!(LANGUAGES as readonly string[]).includes(lng)) continue;
    out[lng as Language].translation[area] = tree;
  }
  return out;
}

export const resources = load();

/** "a.b.c" -> string leaves of a tree, for the completeness test. */
export function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
}
