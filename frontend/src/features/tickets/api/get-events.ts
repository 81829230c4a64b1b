import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import type { TicketEventPage } from '@/api/types';
import { api } from '@/lib/api-client';

export function getEvents(ticketId: number, cursor?: string, signal?: AbortSignal): Promise<TicketEventPage> {
  return api.get<TicketEventPage>(`/api/tickets/${ticketId}/events`, { page_size: 50, cursor }, signal);
}

/** The audit trail, oldest first, 50 entries a page ("Load more" follows next_cursor). */
export function eventsQueryOptions(ticketId: number) {
  return infiniteQueryOptions({
    queryKey: ['tickets', 'events', ticketId],
    queryFn: ({ pageParam, signal }) => getEvents(ticketId, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useEvents(ticketId: number, enabled = true) {
  return useInfiniteQuery({ ...eventsQueryOptions(ticketId), enabled });
}
