import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import type { ReplyPage } from '@/api/types';
import { apiClient, unwrap } from '@/lib/api-client';
import { ticketKeys } from './keys';

export function getReplies(ticketId: number, cursor?: string, signal?: AbortSignal): Promise<ReplyPage> {
  return unwrap(apiClient().GET('/api/tickets/{ticket_id}/replies', {
    params: { path: { ticket_id: ticketId }, query: { page_size: 100, cursor } },
    signal,
  }));
}

/** The thread, oldest first, 100 replies a page ("Load older" is not needed: pages append newer ones). */
export function repliesQueryOptions(ticketId: number) {
  return infiniteQueryOptions({
    queryKey: ticketKeys.replies(ticketId),
    queryFn: ({ pageParam, signal }) => getReplies(ticketId, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useReplies(ticketId: number) {
  return useInfiniteQuery(repliesQueryOptions(ticketId));
}
