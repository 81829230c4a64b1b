import { describe, expect, it } from 'vitest';
import type { TicketEvent } from '@/api/types';
import { describeEvent, describeEvents, formatValue } from './timeline';

const names: Record<number, string> = { 1: 'Ada Admin', 4: 'Sam Agent', 9: 'Dana Requester' };
const nameOf = (id: number) => names[id] ?? `User #${id}`;
const at = '2026-03-01T10:00:00Z';
const ev = (type: string, rest: Partial<TicketEvent> = {}): TicketEvent => ({ type, actor_id: 1, changes: [], data: {}, created_at: at, ...rest });

describe('timeline entries', () => {
  it('shows field changes old -> new with user names and words', () => {
    const entry = describeEvent(ev('updated', { changes: [
      { field: 'status', old: 'open', new: 'in_progress' },
      { field: 'assignee_id', old: null, new: 4 },
      { field: 'tags', old: ['vpn'], new: ['vpn', 'urgent'] },
    ] }), 0, nameOf);
    expect(entry).toMatchObject({ kind: 'change', actor: 'Ada Admin', title: 'Changed status, assignee, tags', at });
    expect(entry.changes).toEqual([
      { field: 'status', label: 'Status', old: 'Open', new: 'In progress' },
      { field: 'assignee_id', label: 'Assignee', old: 'Unassigned', new: 'Sam Agent' },
      { field: 'tags', label: 'Tags', old: 'vpn', new: 'vpn, urgent' },
    ]);
  });

  it('shortens long values and says "none" for empty ones', () => {
    expect(formatValue('content', 'x'.repeat(200), nameOf)).toHaveLength(80);
    expect(formatValue('category', null, nameOf)).toBe('none');
    expect(formatValue('tags', [], nameOf)).toBe('none');
    expect(formatValue('requester_id', 77, nameOf)).toBe('User #77');
  });

  it('marks AI classifications and SLA alerts as their own kinds, by their own actors', () => {
    const ai = describeEvent(ev('ai_classified', { actor_id: null, data: { ai_category: 'network', ai_confidence: 0.82, ai_priority: 'high', ai_tags: ['vpn'], ai_out_of_scope: false } }), 0, nameOf);
    expect(ai).toMatchObject({ kind: 'ai', actor: 'AI classifier', title: 'AI classified it as network (82% confident)' });
    expect(ai.changes.map((c) => `${c.label}: ${c.new}`)).toEqual(['Suggested priority: High', 'Suggested tags: vpn']);
    expect(describeEvent(ev('ai_classified', { actor_id: null, data: { ai_category: null, ai_out_of_scope: true } }), 0, nameOf).title).toBe('AI found no category that fits');

    const risk = describeEvent(ev('sla_at_risk', { actor_id: null, data: { target: 'first_response', due: '2026-03-01T10:30:00Z' } }), 0, nameOf);
    expect(risk).toMatchObject({ kind: 'sla_risk', actor: 'SLA watcher' });
    expect(risk.title).toMatch(/^SLA at risk: first response due /);
    const breach = describeEvent(ev('sla_breached', { actor_id: null, data: { target: 'resolution', due: '2026-03-01T14:00:00Z' } }), 0, nameOf);
    expect(breach).toMatchObject({ kind: 'sla_breach' });
    expect(breach.title).toMatch(/^SLA breached: resolution was due /);
  });

  it('describes merges (with a link), ratings, replies and notes', () => {
    expect(describeEvent(ev('merged_into', { data: { into: 12 } }), 0, nameOf)).toMatchObject({ kind: 'merge', title: 'Merged this ticket into #12', ticketLink: 12 });
    expect(describeEvent(ev('merged_from', { data: { from: 7 } }), 0, nameOf)).toMatchObject({ kind: 'merge', ticketLink: 7 });
    expect(describeEvent(ev('rated', { actor_id: 9, changes: [{ field: 'csat_score', old: null, new: 4 }] }), 0, nameOf)).toMatchObject({ kind: 'rating', actor: 'Dana Requester', title: 'Rated 4/5' });
    expect(describeEvent(ev('rated', { changes: [{ field: 'csat_score', old: 2, new: 5 }] }), 0, nameOf).title).toBe('Changed the rating from 2/5 to 5/5');
    expect(describeEvent(ev('reply', { data: { first_response: true } }), 0, nameOf).title).toBe('Replied (first response)');
    expect(describeEvent(ev('internal_note'), 0, nameOf)).toMatchObject({ kind: 'note', title: 'Added an internal note' });
    expect(describeEvent(ev('created', { data: { status: 'open', priority: 'high', assignee_id: 4 } }), 0, nameOf).title)
      .toBe('Created the ticket (Open, high priority, assigned to Sam Agent)');
  });

  it('says when a reply or a ticket was entered for someone else, and when a merge crossed requesters', () => {
    expect(describeEvent(ev('reply', { actor_id: 4, data: { author_id: 9, posted_by: 4 } }), 0, nameOf)).toMatchObject({ actor: 'Sam Agent', title: 'Replied as Dana Requester' });
    expect(describeEvent(ev('reply', { actor_id: 4, data: { author_id: 4 } }), 0, nameOf).title).toBe('Replied');
    expect(describeEvent(ev('created', { actor_id: 4, data: { status: 'open', priority: 'low', requester_id: 9, created_by: 4 } }), 0, nameOf).title)
      .toBe('Created the ticket for Dana Requester (Open, low priority)');
    expect(describeEvent(ev('merged_from', { data: { from: 7, cross_requester: true } }), 0, nameOf).title)
      .toBe('Merged #7 into this ticket (its replies copied here, hidden from this requester)');
  });

  it('still shows an event type it does not know, and gives every entry a unique key', () => {
    const entries = describeEvents([ev('escalated_to_vendor'), ev('escalated_to_vendor')], nameOf);
    expect(entries[0]).toMatchObject({ kind: 'other', title: 'Escalated to vendor', actor: 'Ada Admin' });
    expect(new Set(entries.map((e) => e.key)).size).toBe(2);
    expect(describeEvent(ev('updated', { actor_id: null }), 0, nameOf).actor).toBe('System');
  });
});
