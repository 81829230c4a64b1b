import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';

/** 204 when the ticket and its replies are gone; 202 when a long thread is still being removed. */
export function deleteTicket(ticketId: number): Promise<void> {
  return api.delete(`/api/tickets/${ticketId}`);
}

export function useDeleteTicket() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteTicket,
    onSuccess: (_data, ticketId) => {
      queryClient.removeQueries({ queryKey: ['tickets', 'detail', ticketId] });
      queryClient.removeQueries({ queryKey: ['tickets', 'replies', ticketId] });
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: ['tickets', 'list'] }),
        queryClient.invalidateQueries({ queryKey: ['tickets', 'count'] }),
      ]);
    },
  });
}
