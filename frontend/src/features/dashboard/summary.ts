/**
 * The dashboard's data, shaped for charts and cards.
 *
 * The OpenAPI schema types each block of GET /api/analytics/summary exactly (SummaryOut and its block
 * models in chalicelib/schemas/ops.py, which the server serialises through); numbers are still read
 * defensively, so a missing or odd value becomes 0 or null, never NaN on a chart.
 */
import type { AnalyticsSummaryOut, TicketPriority, TicketStatus } from '@/api/types';
import { PRIORITIES, STATUSES } from '@/api/types';
import { humanize } from '@/lib/format';

export interface DayPoint { date: string; label: string; created: number; resolved: number }
export interface CountRow { key: string; label: string; count: number }
export interface Timing { count: number; medianS: number | null; p90S: number | null }
export interface AttainmentRow { key: string; label: string; met: number; breached: number; total: number; percent: number | null }

export interface DashboardData {
  from: string;
  to: string;
  days: DayPoint[];
  totals: { created: number; resolved: number };
  backlogByStatus: CountRow[];
  backlogByPriority: CountRow[];
  openTotal: number;
  firstResponse: Timing;
  resolution: Timing;
  slaByPriority: AttainmentRow[];
  firstResponseByPriority: AttainmentRow[];
  slaByAgent: AttainmentRow[];
  breaches: { firstResponse: number; resolution: number; total: number };
  csat: { count: number; average: number | null; distribution: CountRow[] };
  ai: {
    categoryMix: CountRow[];
    suggestions: number;
    categoryAccepted: number;
    draftsUsed: number;
    acceptanceRate: number | null;
    autoReply: AutoReplyData;
  };
  /** First responses apart: AI answers do not count in `firstResponse` (a human's first reply does). */
  firstResponses: { ai: number; human: number };
}

export interface AutoReplyCategoryRow { key: string; label: string; sent: number; resolved: number; reopened: number; deflected: number }

export interface AutoReplyData {
  sent: number;
  resolved: number;
  reopened: number;
  deflected: number;
  declinedTotal: number;
  declined: CountRow[];
  /** Share of AI answers the requester marked as solved. */
  resolvedRate: number | null;
  byCategory: AutoReplyCategoryRow[];
}

type Loose = Record<string, unknown>;

function obj(value: unknown): Loose {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Loose) : {};
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function numOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

const shortDate = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });

/** "2026-03-05" -> "Mar 5" (the API's days are UTC days). */
export function dayLabel(iso: string): string {
  const date = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? iso : shortDate.format(date);
}

function timing(block: unknown): Timing {
  const b = obj(block);
  return { count: num(b.count), medianS: numOrNull(b.median_s), p90S: numOrNull(b.p90_s) };
}

function attainment(key: string, label: string, entry: unknown): AttainmentRow {
  const e = obj(entry);
  const met = num(e.met);
  const breached = num(e.breached);
  const total = met + breached;
  const ratio = numOrNull(e.attainment) ?? (total ? met / total : null);
  return { key, label, met, breached, total, percent: ratio === null ? null : Math.round(ratio * 1000) / 10 };
}

function byPriority(block: unknown): AttainmentRow[] {
  const b = obj(block);
  // Highest priority first; only priorities with at least one met or missed target.
  return [...PRIORITIES].reverse()
    .map((p) => attainment(p, humanize(p), b[p]))
    .filter((row) => row.total > 0);
}

function counts<K extends string>(keys: readonly K[], block: unknown): CountRow[] {
  const b = obj(block);
  return keys.map((key) => ({ key, label: humanize(key), count: Math.max(0, num(b[key])) }));
}

export function categoryLabel(category: string): string {
  return category === 'out_of_scope' ? 'Out of scope' : category;
}

function readAutoReply(value: unknown): AutoReplyData {
  const raw = obj(value);
  const declined = Object.entries(obj(raw.declined))
    .map(([key, count]) => ({ key, label: key, count: num(count) }))
    .filter((row) => row.count > 0)
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
  const sent = num(raw.sent);
  const resolved = num(raw.resolved);
  return {
    sent,
    resolved,
    reopened: num(raw.reopened),
    deflected: num(raw.deflected),
    declined,
    declinedTotal: declined.reduce((total, row) => total + row.count, 0),
    resolvedRate: sent > 0 ? resolved / sent : null,
    byCategory: Object.entries(obj(raw.by_category)).map(([key, entry]) => {
      const e = obj(entry);
      return { key, label: categoryLabel(key), sent: num(e.sent), resolved: num(e.resolved), reopened: num(e.reopened), deflected: num(e.deflected) };
    }).sort((a, b) => b.sent - a.sent || a.label.localeCompare(b.label)),
  };
}

export function readSummary(raw: AnalyticsSummaryOut): DashboardData {
  const backlog = obj(raw.backlog);
  const sla = obj(raw.sla);
  const breaches = obj(sla.breaches);
  const csat = obj(raw.csat);
  const ai = obj(raw.ai);
  const agents = Array.isArray(sla.resolution_by_agent) ? sla.resolution_by_agent : [];
  const distribution = obj(csat.distribution);
  const fr = num(breaches.first_response);
  const res = num(breaches.resolution);
  const autoReply = readAutoReply(ai.auto_reply);
  return {
    from: raw.from,
    to: raw.to,
    days: (raw.days ?? []).map((d) => {
      const date = String(d.date ?? '');
      return { date, label: dayLabel(date), created: num(d.created), resolved: num(d.resolved) };
    }),
    totals: { created: num(raw.totals?.created), resolved: num(raw.totals?.resolved) },
    backlogByStatus: counts<TicketStatus>(STATUSES, backlog.by_status),
    backlogByPriority: counts<TicketPriority>([...PRIORITIES].reverse(), backlog.open_by_priority),
    openTotal: num(backlog.open_total),
    firstResponse: timing(raw.first_response),
    resolution: timing(raw.resolution),
    slaByPriority: byPriority(sla.resolution_by_priority),
    firstResponseByPriority: byPriority(sla.first_response_by_priority),
    slaByAgent: agents.map((entry) => {
      const e = obj(entry);
      const id = num(e.agent_id);
      const name = typeof e.name === 'string' && e.name ? e.name : id === 0 ? 'Unassigned' : `Agent #${id}`;
      return attainment(String(id), name, e);
    }).filter((row) => row.total > 0),
    breaches: { firstResponse: fr, resolution: res, total: fr + res },
    csat: {
      count: num(csat.count),
      average: numOrNull(csat.average),
      distribution: ['1', '2', '3', '4', '5'].map((score) => ({ key: score, label: `${score} ★`, count: num(distribution[score]) })),
    },
    ai: {
      categoryMix: Object.entries(obj(ai.category_mix))
        .map(([key, value]) => ({ key, label: categoryLabel(key), count: num(value) }))
        .filter((row) => row.count > 0)
        .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label)),
      suggestions: num(ai.suggestions),
      categoryAccepted: num(ai.category_accepted),
      draftsUsed: num(ai.drafts_used),
      acceptanceRate: numOrNull(ai.acceptance_rate),
      autoReply,
    },
    firstResponses: { ai: autoReply.sent, human: num(raw.first_response?.count) },
  };
}

/** True when a chart would be all zeros (it then shows an empty state instead). */
export function allZero(rows: readonly { count: number }[]): boolean {
  return rows.every((row) => row.count === 0);
}

export function noActivity(days: readonly DayPoint[]): boolean {
  return days.every((d) => d.created === 0 && d.resolved === 0);
}

/** The last `days` UTC days ending today, as the API's `from` and `to` (YYYY-MM-DD). */
export function lastDays(days: number, now: Date = new Date()): { from: string; to: string } {
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const start = new Date(end.getTime() - (days - 1) * 86_400_000);
  return { from: start.toISOString().slice(0, 10), to: end.toISOString().slice(0, 10) };
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The range in the URL (?from=&to=), or the last 30 days when it is missing or invalid. */
export function rangeFromSearch(search: URLSearchParams, now: Date = new Date()): { from: string; to: string } {
  const from = search.get('from');
  const to = search.get('to');
  if (from && to && ISO_DAY.test(from) && ISO_DAY.test(to) && from <= to) return { from, to };
  return lastDays(30, now);
}

export interface PriorityAttainment {
  key: string;
  label: string;
  firstResponse: number | null;
  resolution: number | null;
  firstResponseRow?: AttainmentRow;
  resolutionRow?: AttainmentRow;
}

/** Both targets side by side per priority (urgent first), for priorities with an outcome in either. */
export function attainmentByPriority(data: Pick<DashboardData, 'firstResponseByPriority' | 'slaByPriority'>): PriorityAttainment[] {
  const fr = new Map(data.firstResponseByPriority.map((row) => [row.key, row]));
  const res = new Map(data.slaByPriority.map((row) => [row.key, row]));
  return [...PRIORITIES].reverse()
    .filter((p) => fr.has(p) || res.has(p))
    .map((p) => ({
      key: p,
      label: humanize(p),
      firstResponse: fr.get(p)?.percent ?? null,
      resolution: res.get(p)?.percent ?? null,
      firstResponseRow: fr.get(p),
      resolutionRow: res.get(p),
    }));
}
