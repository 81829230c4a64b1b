import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import type { TicketEventPage } from '@/api/types';
import { apiClient, unwrap } from '@/lib/api-client';
import { ticketKeys } from './keys';

export function getEvents(ticketId: number, cursor?: string, signal?: AbortSignal): Promise<TicketEventPage> {
  return unwrap(apiClient().GET('/api/tickets/{ticket_id}/events', {
    params: { path: { ticket_id: ticketId }, query: { page_size: 50, cursor } },
    signal,
  }));
}

/** The audit trail, oldest first, 50 entries a page ("Load more" follows next_cursor). */
export function eventsQueryOptions(ticketId: number) {
  return infiniteQueryOptions({
    queryKey: ticketKeys.events(ticketId),
    queryFn: ({ pageParam, signal }) => getEvents(ticketId, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useEvents(ticketId: number, enabled = true) {
  return useInfiniteQuery({ ...eventsQueryOptions(ticketId), enabled });
}
