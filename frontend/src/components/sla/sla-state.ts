import type { Ticket } from '@/api/types';
import { formatDateTime } from '@/lib/format';

export type SlaChipKind = 'ok' | 'at_risk' | 'breached' | 'paused' | 'met' | 'none';

export interface SlaChipView {
  kind: SlaChipKind;
  label: string;
  color: string;
  /** Lines for the tooltip: the due times and what stopped or paused the clock. */
  details: string[];
}

type SlaFields = Pick<Ticket, 'status' | 'sla_state' | 'sla_paused' | 'first_response_due' | 'resolution_due' | 'first_responded_at' | 'resolved_at' | 'merged_into'>;

const DONE = new Set<Ticket['status']>(['resolved', 'closed']);

function dueLine(what: string, due: string | null | undefined, doneAt: string | null | undefined, doneWord: string): string | null {
  if (doneAt) return `${what}: ${doneWord} ${formatDateTime(doneAt)}${due ? ` (due ${formatDateTime(due)})` : ''}`;
  if (due) return `${what} due ${formatDateTime(due)}`;
  return null;
}

/**
 * What the SLA chip says about a ticket. A breach always shows; a resolved or closed ticket that never
 * breached has "met" its targets; a running clock is ok or at risk; a clock paused while the ticket waits
 * on the customer (pending) says so.
 */
export function slaChip(ticket: SlaFields): SlaChipView {
  if (ticket.merged_into) return { kind: 'none', label: 'Merged', color: 'default', details: [`Merged into #${ticket.merged_into}; its SLA no longer runs.`] };
  const details = [
    dueLine('First response', ticket.first_response_due, ticket.first_responded_at, 'responded'),
    dueLine('Resolution', ticket.resolution_due, ticket.resolved_at, 'resolved'),
  ].filter((line): line is string => line !== null);
  const done = DONE.has(ticket.status);
  if (ticket.sla_paused && !done) details.push('Clock paused while the ticket waits on the customer.');
  if (ticket.sla_state === 'breached') return { kind: 'breached', label: ticket.sla_paused && !done ? 'Breached · paused' : 'Breached', color: 'red', details };
  if (done) return { kind: 'met', label: 'Met', color: 'green', details };
  if (ticket.sla_paused) return { kind: 'paused', label: ticket.sla_state === 'at_risk' ? 'Paused · at risk' : 'Paused', color: 'default', details };
  if (ticket.sla_state === 'at_risk') return { kind: 'at_risk', label: 'At risk', color: 'orange', details };
  return { kind: 'ok', label: 'OK', color: 'blue', details };
}
