import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api-client';
import { ticketKeys } from './keys';

export interface DeleteResult {
  /** false when the API answered 202: the ticket is gone from every list, a long thread is still being removed. */
  finished: boolean;
}

/** 204 when the ticket and its replies are gone; 202 when a long thread is still being removed. */
export async function deleteTicket(ticketId: number): Promise<DeleteResult> {
  const body = await unwrap(apiClient().DELETE('/api/tickets/{ticket_id}', { params: { path: { ticket_id: ticketId } } }));
  return { finished: body?.status !== 'deleting' };
}

export function useDeleteTicket() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteTicket,
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ticketKeys.lists() }),
        queryClient.invalidateQueries({ queryKey: ticketKeys.counts() }),
      ]),
  });
}

/**
 * Drop a deleted ticket's cached detail and thread. Call it once its page is gone: removing the queries of
 * a page that is still mounted makes it fetch them again (and get a 404).
 */
export function forgetTicket(queryClient: QueryClient, ticketId: number): void {
  queryClient.removeQueries({ queryKey: ticketKeys.detail(ticketId) });
  queryClient.removeQueries({ queryKey: ticketKeys.replies(ticketId) });
}
