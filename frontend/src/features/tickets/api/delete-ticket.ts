import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';

/** 204 when the ticket and its replies are gone; 202 when a long thread is still being removed. */
export function deleteTicket(ticketId: number): Promise<void> {
  return api.delete(`/api/tickets/${ticketId}`);
}

export function useDeleteTicket() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteTicket,
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ['tickets', 'list'] }),
        queryClient.invalidateQueries({ queryKey: ['tickets', 'count'] }),
      ]),
  });
}

/**
 * Drop a deleted ticket's cached detail and thread. Call it once its page is gone: removing the queries of
 * a page that is still mounted makes it fetch them again (and get a 404).
 */
export function forgetTicket(queryClient: QueryClient, ticketId: number): void {
  queryClient.removeQueries({ queryKey: ['tickets', 'detail', ticketId] });
  queryClient.removeQueries({ queryKey: ['tickets', 'replies', ticketId] });
}
