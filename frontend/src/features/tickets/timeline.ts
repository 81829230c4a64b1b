/**
 * Turns GET /api/tickets/{id}/events entries into timeline lines: who, when, what changed (old -> new,
 * with user names and human words), and a distinct kind for AI classifications, SLA alerts, merges and
 * ratings. Unknown event types still show (humanized), so a new backend event never breaks the page.
 */
import type { TicketEvent } from '@/api/types';
import { formatDateTime, humanize } from '@/lib/format';

export type TimelineKind = 'created' | 'change' | 'reply' | 'note' | 'ai' | 'sla_risk' | 'sla_breach' | 'merge' | 'rating' | 'other';

export interface FieldChange {
  field: string;
  label: string;
  old: string;
  new: string;
}

export interface TimelineEntry {
  key: string;
  kind: TimelineKind;
  actor: string;
  title: string;
  changes: FieldChange[];
  /** A ticket this entry points to (merges). */
  ticketLink?: number;
  at: string;
}

export type NameOf = (userId: number) => string;

const FIELD_LABELS: Record<string, string> = {
  assignee_id: 'Assignee',
  requester_id: 'Requester',
  csat_score: 'Rating',
  category: 'Category',
  content: 'Description',
};

function fieldLabel(field: string): string {
  return FIELD_LABELS[field] ?? humanize(field);
}

function truncate(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** One value of a field, in words. */
export function formatValue(field: string, value: unknown, nameOf: NameOf): string {
  if (value === null || value === undefined || value === '') {
    if (field === 'assignee_id') return 'Unassigned';
    return 'none';
  }
  if ((field === 'assignee_id' || field === 'requester_id') && typeof value === 'number') return nameOf(value);
  if ((field === 'status' || field === 'priority') && typeof value === 'string') return humanize(value);
  if (field === 'csat_score' && typeof value === 'number') return `${value}/5`;
  if (Array.isArray(value)) return value.length ? value.map(String).join(', ') : 'none';
  if (typeof value === 'string') return truncate(value.replace(/\s+/g, ' '));
  return String(value);
}

function asChanges(event: TicketEvent, nameOf: NameOf): FieldChange[] {
  return (event.changes ?? []).flatMap((change) => {
    const field = typeof change.field === 'string' ? change.field : '';
    if (!field) return [];
    return [{ field, label: fieldLabel(field), old: formatValue(field, change.old, nameOf), new: formatValue(field, change.new, nameOf) }];
  });
}

const TARGETS: Record<string, string> = { first_response: 'first response', resolution: 'resolution' };

export function describeEvent(event: TicketEvent, index: number, nameOf: NameOf): TimelineEntry {
  const data = event.data ?? {};
  const actor = event.actor_id === null || event.actor_id === undefined ? 'System' : nameOf(event.actor_id);
  const base = { key: `${event.created_at}-${index}`, actor, at: event.created_at, changes: [] as FieldChange[] };
  switch (event.type) {
    case 'created': {
      const status = typeof data.status === 'string' ? humanize(data.status) : null;
      const priority = typeof data.priority === 'string' ? humanize(data.priority).toLowerCase() : null;
      const assignee = typeof data.assignee_id === 'number' ? `, assigned to ${nameOf(data.assignee_id)}` : '';
      const forWhom = typeof data.created_by === 'number' && typeof data.requester_id === 'number' ? ` for ${nameOf(data.requester_id)}` : '';
      return { ...base, kind: 'created', title: `Created the ticket${forWhom}${status ? ` (${status}${priority ? `, ${priority} priority` : ''}${assignee})` : ''}` };
    }
    case 'updated': {
      const changes = asChanges(event, nameOf);
      const fields = changes.map((c) => c.label.toLowerCase());
      return { ...base, kind: 'change', changes, title: fields.length ? `Changed ${fields.join(', ')}` : 'Updated the ticket' };
    }
    case 'reply': {
      // The actor is who really posted it; a reply entered for someone else names that author.
      const onBehalf = typeof data.posted_by === 'number' && typeof data.author_id === 'number' ? ` as ${nameOf(data.author_id)}` : '';
      return { ...base, kind: 'reply', title: `Replied${onBehalf}${data.first_response ? ' (first response)' : ''}` };
    }
    case 'internal_note':
      return { ...base, kind: 'note', title: 'Added an internal note' };
    case 'rated': {
      const changes = asChanges(event, nameOf);
      const change = changes[0];
      const title = change && change.old !== 'none' ? `Changed the rating from ${change.old} to ${change.new}` : `Rated ${change?.new ?? 'the ticket'}`;
      return { ...base, kind: 'rating', title, changes: [] };
    }
    case 'merged_into': {
      const into = typeof data.into === 'number' ? data.into : undefined;
      const cross = data.cross_requester === true ? ' (another requester\'s ticket, confirmed by an admin)' : '';
      return { ...base, kind: 'merge', title: (into ? `Merged this ticket into #${into}` : 'Merged this ticket into another') + cross, ticketLink: into };
    }
    case 'merged_from': {
      const from = typeof data.from === 'number' ? data.from : undefined;
      const how = data.cross_requester === true ? 'its replies copied here, hidden from this requester' : 'its replies moved here';
      return { ...base, kind: 'merge', title: from ? `Merged #${from} into this ticket (${how})` : 'Merged another ticket into this one', ticketLink: from };
    }
    case 'ai_classified': {
      const category = typeof data.ai_category === 'string' ? data.ai_category : null;
      const confidence = typeof data.ai_confidence === 'number' ? ` (${Math.round(data.ai_confidence * 100)}% confident)` : '';
      const changes: FieldChange[] = [];
      if (typeof data.ai_priority === 'string') changes.push({ field: 'ai_priority', label: 'Suggested priority', old: '', new: humanize(data.ai_priority) });
      if (Array.isArray(data.ai_tags) && data.ai_tags.length) changes.push({ field: 'ai_tags', label: 'Suggested tags', old: '', new: data.ai_tags.map(String).join(', ') });
      const title = category && !data.ai_out_of_scope ? `AI classified it as ${category}${confidence}` : `AI found no category that fits${confidence}`;
      return { ...base, actor: 'AI classifier', kind: 'ai', title, changes };
    }
    case 'sla_at_risk':
    case 'sla_breached': {
      const target = typeof data.target === 'string' ? TARGETS[data.target] ?? humanize(data.target).toLowerCase() : 'a target';
      const due = typeof data.due === 'string' ? formatDateTime(data.due) : '';
      return event.type === 'sla_breached'
        ? { ...base, actor: 'SLA watcher', kind: 'sla_breach', title: `SLA breached: ${target} was due ${due}`.trim() }
        : { ...base, actor: 'SLA watcher', kind: 'sla_risk', title: `SLA at risk: ${target} due ${due}`.trim() };
    }
    default:
      return { ...base, kind: 'other', title: humanize(event.type), changes: asChanges(event, nameOf) };
  }
}

export function describeEvents(events: readonly TicketEvent[], nameOf: NameOf): TimelineEntry[] {
  return events.map((event, index) => describeEvent(event, index, nameOf));
}
