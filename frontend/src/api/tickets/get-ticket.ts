import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Ticket } from '@/api/types';
import { apiClient, unwrap } from '@/lib/api-client';
import { ticketKeys } from './keys';

export function getTicket(ticketId: number, signal?: AbortSignal): Promise<Ticket> {
  return unwrap(apiClient().GET('/api/tickets/{ticket_id}', { params: { path: { ticket_id: ticketId } }, signal }));
}

/** The background classifier has written its result onto the ticket. */
export function isClassified(ticket: Ticket | undefined): boolean {
  return Boolean(ticket?.ai_classified_at || ticket?.ai_category);
}

/** Poll for the classification while it is missing, for up to this long after the ticket was created. */
export const CLASSIFY_WAIT_MS = 5 * 60_000;
export const CLASSIFY_POLL_MS = 4_000;

export function classificationPollInterval(ticket: Ticket | undefined, now: number = Date.now()): number | false {
  if (!ticket || isClassified(ticket)) return false;
  const age = now - new Date(ticket.created_at).getTime();
  return age < CLASSIFY_WAIT_MS ? CLASSIFY_POLL_MS : false;
}

/** `enabled: false` stops fetching and polling (e.g. while the ticket is being deleted). */
export function ticketQueryOptions(ticketId: number, enabled = true) {
  return queryOptions({
    queryKey: ticketKeys.detail(ticketId),
    enabled,
    queryFn: ({ signal }) => getTicket(ticketId, signal),
    refetchInterval: (query) => classificationPollInterval(query.state.data),
  });
}

export function useTicket(ticketId: number, enabled = true) {
  return useQuery(ticketQueryOptions(ticketId, enabled));
}
