import { describe, expect, it } from 'vitest';
import type { AnalyticsSummaryOut } from '@/api/types';
import { allZero, attainmentByPriority, lastDays, noActivity, rangeFromSearch, readSummary } from './summary';

/** Shaped like chalicelib/ops/analytics.py's answer. */
const RAW: AnalyticsSummaryOut = {
  from: '2026-03-01',
  to: '2026-03-03',
  days: [
    { date: '2026-03-01', created: 3, resolved: 1 },
    { date: '2026-03-02', created: 0, resolved: 0 },
    { date: '2026-03-03', created: 2, resolved: 2 },
  ],
  totals: { created: 5, resolved: 3 },
  backlog: { by_status: { open: 2, in_progress: 1, pending: 0, resolved: 3, closed: 1 }, open_by_priority: { low: 0, medium: 1, high: 2, urgent: 0 }, open_total: 3 },
  first_response: { count: 4, median_s: 1800, p90_s: 7200 },
  resolution: { count: 3, median_s: 14400, p90_s: null },
  sla: {
    resolution_by_priority: { high: { met: 3, breached: 1, attainment: 0.75 }, low: { met: 0, breached: 0, attainment: null } },
    first_response_by_priority: { urgent: { met: 1, breached: 0, attainment: 1 } },
    resolution_by_agent: [{ agent_id: 4, name: 'Sam Agent', met: 2, breached: 0, attainment: 1 }, { agent_id: 0, name: null, met: 1, breached: 1, attainment: 0.5 }],
    breaches: { first_response: 1, resolution: 2 },
  },
  csat: { count: 3, average: 4.333, distribution: { '1': 0, '2': 0, '3': 0, '4': 2, '5': 1 } },
  ai: {
    category_mix: { network: 3, billing: 5, out_of_scope: 1 }, suggestions: 4, category_accepted: 1, drafts_used: 2, acceptance_rate: 0.75,
    auto_reply: {
      sent: 4, resolved: 3, reopened: 1, deflected: 2,
      declined: { 'out of scope': 2, 'urgent priority is never answered': 5, disabled: 0 },
      by_category: { billing: { sent: 1, resolved: 1, reopened: 0, deflected: 2 }, network: { sent: 3, resolved: 2, reopened: 1, deflected: 0 } },
      days: [{ date: '2026-03-01', sent: 4, resolved: 3, reopened: 1, deflected: 2 }],
    },
  },
  cost: { stat_queries: 1 },
};

describe('dashboard data', () => {
  it('turns the summary into chart rows', () => {
    const data = readSummary(RAW);
    expect(data.days.map((d) => [d.date, d.created, d.resolved])).toEqual([['2026-03-01', 3, 1], ['2026-03-02', 0, 0], ['2026-03-03', 2, 2]]);
    expect(data.days[0]!.label).toMatch(/Mar|3/);
    expect(data.backlogByStatus.map((r) => [r.key, r.count])).toEqual([['open', 2], ['in_progress', 1], ['pending', 0], ['resolved', 3], ['closed', 1]]);
    expect(data.backlogByStatus[1]!.label).toBe('In progress');
    expect(data.backlogByPriority.map((r) => r.key)).toEqual(['urgent', 'high', 'medium', 'low']);
    expect(data.firstResponse).toEqual({ count: 4, medianS: 1800, p90S: 7200 });
    expect(data.resolution.p90S).toBeNull();
  });

  it('gives SLA attainment in percent per priority (only those with outcomes) and per agent', () => {
    const data = readSummary(RAW);
    expect(data.slaByPriority).toEqual([{ key: 'high', label: 'High', met: 3, breached: 1, total: 4, percent: 75 }]);
    expect(data.firstResponseByPriority.map((r) => [r.key, r.percent])).toEqual([['urgent', 100]]);
    expect(data.slaByAgent.map((r) => [r.label, r.percent])).toEqual([['Sam Agent', 100], ['Unassigned', 50]]);
    expect(data.breaches).toEqual({ firstResponse: 1, resolution: 2, total: 3 });
    // Side by side for the chart: urgent has only a first-response outcome, high only a resolution one.
    expect(attainmentByPriority(data).map((r) => [r.key, r.firstResponse, r.resolution])).toEqual([['urgent', 100, null], ['high', null, 75]]);
  });

  it('gives the CSAT distribution 1-5 and the AI mix, biggest first', () => {
    const data = readSummary(RAW);
    expect(data.csat.distribution.map((r) => r.count)).toEqual([0, 0, 0, 2, 1]);
    expect(data.csat.average).toBeCloseTo(4.333);
    expect(data.ai.categoryMix.map((r) => [r.label, r.count])).toEqual([['billing', 5], ['network', 3], ['Out of scope', 1]]);
    expect(data.ai.acceptanceRate).toBe(0.75);
  });

  it('gives the AI first response: sent, resolved by AI, reopened, declined by reason, deflections; AI and human first responses apart', () => {
    const { ai, firstResponses } = readSummary(RAW);
    expect(ai.autoReply).toMatchObject({ sent: 4, resolved: 3, reopened: 1, deflected: 2, declinedTotal: 7, resolvedRate: 0.75 });
    expect(ai.autoReply.declined.map((r) => [r.label, r.count])).toEqual([['urgent priority is never answered', 5], ['out of scope', 2]]);
    expect(ai.autoReply.byCategory.map((r) => [r.key, r.sent, r.reopened])).toEqual([['network', 3, 1], ['billing', 1, 0]]);
    expect(firstResponses).toEqual({ ai: 4, human: 4 });
  });

  it('survives missing blocks and odd values (no NaN on a chart)', () => {
    const data = readSummary({ ...RAW, days: [{ date: '2026-03-01' }], backlog: {}, sla: { resolution_by_agent: 'x' }, csat: {}, ai: { category_mix: { a: 'many' } }, first_response: {} } as unknown as AnalyticsSummaryOut);
    expect(data.days[0]).toMatchObject({ created: 0, resolved: 0 });
    expect(allZero(data.backlogByStatus)).toBe(true);
    expect(data.slaByAgent).toEqual([]);
    expect(data.csat).toMatchObject({ count: 0, average: null });
    expect(data.ai.categoryMix).toEqual([]);
    expect(data.firstResponse).toEqual({ count: 0, medianS: null, p90S: null });
    expect(noActivity(data.days)).toBe(true);
  });

  it('defaults to the last 30 UTC days and reads a valid range from the URL', () => {
    const now = new Date('2026-03-31T23:30:00Z');
    expect(lastDays(30, now)).toEqual({ from: '2026-03-02', to: '2026-03-31' });
    expect(rangeFromSearch(new URLSearchParams('from=2026-01-01&to=2026-01-31'), now)).toEqual({ from: '2026-01-01', to: '2026-01-31' });
    expect(rangeFromSearch(new URLSearchParams('from=2026-02-01&to=2026-01-31'), now)).toEqual(lastDays(30, now));
    expect(rangeFromSearch(new URLSearchParams('from=yesterday'), now)).toEqual(lastDays(30, now));
  });
});
