import { useMutation, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import type { Reply, ReplyCreate, ReplyPage } from '@/api/types';
import { apiClient, unwrap } from '@/lib/api-client';
import { ticketKeys } from './keys';

export interface CreateReplyInput {
  ticketId: number;
  body: ReplyCreate;
}

export function createReply({ ticketId, body }: CreateReplyInput): Promise<Reply> {
  return unwrap(apiClient().POST('/api/tickets/{ticket_id}/replies', { params: { path: { ticket_id: ticketId } }, body }));
}

/** Optimistic: the reply appears at the end of the thread at once (id < 0 until the API answers). */
export function useCreateReply() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createReply,
    onMutate: async ({ ticketId, body }) => {
      const key = ticketKeys.replies(ticketId);
      await queryClient.cancelQueries({ queryKey: key });
      const previous = queryClient.getQueryData<InfiniteData<ReplyPage>>(key);
      if (previous && previous.pages.length > 0) {
        const pending: Reply = {
          id: -Date.now(),
          ticket_id: ticketId,
          author_id: body.author_id ?? 0,
          content: body.content,
          internal: body.internal ?? false,
          created_at: new Date().toISOString(),
        };
        const pages = previous.pages.map((page, index) =>
          index === previous.pages.length - 1 ? { ...page, items: [...page.items, pending] } : page);
        queryClient.setQueryData<InfiniteData<ReplyPage>>(key, { ...previous, pages });
      }
      return { previous };
    },
    onError: (_error, { ticketId }, context) => {
      if (context?.previous) queryClient.setQueryData(ticketKeys.replies(ticketId), context.previous);
    },
    // A reply can change the ticket (first response stops that clock; a requester's reply reopens a
    // pending ticket), and it is in the timeline.
    onSettled: (_data, _error, { ticketId }) =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ticketKeys.replies(ticketId) }),
        queryClient.invalidateQueries({ queryKey: ticketKeys.detail(ticketId) }),
        queryClient.invalidateQueries({ queryKey: ticketKeys.events(ticketId) }),
      ]),
  });
}
