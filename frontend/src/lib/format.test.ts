import { describe, expect, it } from 'vitest';
import { parseConfig } from '@/config';
import { formatDuration, formatPercent, formatRelative, humanize, parseTags, safeNext } from './format';

describe('small helpers', () => {
  it('normalises tags like the API does', () => {
    expect(parseTags(' Login, auth ,, LOGIN,two  words')).toEqual(['login', 'auth', 'two words']);
    expect(parseTags(['a,b', 'B'])).toEqual(['a', 'b']);
  });

  it('humanises enum values', () => {
    expect(humanize('in_progress')).toBe('In progress');
  });

  it('formats relative times', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(formatRelative('2026-01-01T11:59:50Z', now)).toBe('just now');
    expect(formatRelative('2026-01-01T10:00:00Z', now)).toBe('2 hours ago');
  });

  it('follows ?next= only to paths of this site', () => {
    expect(safeNext('/tickets?status=open')).toBe('/tickets?status=open');
    expect(safeNext('//evil.example')).toBe('/');
    expect(safeNext('https://evil.example')).toBe('/');
    expect(safeNext(null)).toBe('/');
  });

  it('reads the runtime config', () => {
    expect(parseConfig({ apiBaseUrl: 'https://api.example.com/' })).toEqual({ apiBaseUrl: 'https://api.example.com' });
    expect(parseConfig({})).toEqual({ apiBaseUrl: '' });
    expect(() => parseConfig({ apiBaseUrl: 3 })).toThrow(/must be a string/);
  });
});

describe('durations and percentages', () => {
  it('formats seconds as hours and minutes', () => {
    expect(formatDuration(45)).toBe('45s');
    expect(formatDuration(1800)).toBe('30m');
    expect(formatDuration(5400)).toBe('1h 30m');
    expect(formatDuration(93600)).toBe('26h');
    expect(formatDuration(null)).toBe('—');
    expect(formatPercent(0.756)).toBe('76%');
    expect(formatPercent(null)).toBe('—');
  });
});
