import i18next from 'i18next';
import { currentLanguage } from '@/i18n';

// Dates and numbers follow the console's language (not the browser's), so a page in Chinese shows Chinese dates.
const formatters = new Map<string, { dateTime: Intl.DateTimeFormat; relative: Intl.RelativeTimeFormat; number: Intl.NumberFormat }>();

function formatter() {
  const language = currentLanguage();
  let out = formatters.get(language);
  if (!out) {
    out = {
      dateTime: new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' }),
      relative: new Intl.RelativeTimeFormat(language, { numeric: 'auto' }),
      number: new Intl.NumberFormat(language),
    };
    formatters.set(language, out);
  }
  return out;
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : formatter().dateTime.format(date);
}

/** A count in the console's language (1,234 / 1,234; grouping differs by locale). */
export function formatNumber(value: number): string {
  return formatter().number.format(value);
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 31_536_000], ['month', 2_592_000], ['week', 604_800], ['day', 86_400], ['hour', 3_600], ['minute', 60],
];

export function formatRelative(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '';
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) return iso;
  const seconds = Math.round((then - now) / 1000);
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return formatter().relative.format(Math.round(seconds / size), unit);
  }
  return i18next.t('common.justNow');
}

/** "in_progress" -> "In progress" */
export function humanize(value: string): string {
  const text = value.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Split "a, b,,c" into normalised tags the way the API does (trim, collapse spaces, lower-case, unique). */
export function parseTags(input: string | readonly string[]): string[] {
  const parts = typeof input === 'string' ? input.split(',') : input.flatMap((t) => t.split(','));
  const out: string[] = [];
  for (const part of parts) {
    const tag = part.split(/\s+/).filter(Boolean).join(' ').toLowerCase();
    if (tag && !out.includes(tag)) out.push(tag);
  }
  return out;
}

/** Seconds as hours and minutes: 45 -> "45s", 5400 -> "1h 30m", 93600 -> "26h", null -> "—". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const total = Math.max(0, Math.round(seconds));
  if (total < 60) return `${total}s`;
  const minutes = Math.round(total / 60);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m}m`;
  return m === 0 ? `${h}h` : `${h}h ${m}m`;
}

/** A ratio 0..1 as a whole percentage; null -> "—". */
export function formatPercent(ratio: number | null | undefined, digits = 0): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  return `${(ratio * 100).toFixed(digits)}%`;
}

/** Only same-site paths are followed after sign-in (no open redirect through ?next=). */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/';
}
