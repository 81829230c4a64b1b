import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { RatingIn, Ticket } from '@/api/types';
import { api } from '@/lib/api-client';

export interface RateInput {
  ticketId: number;
  rating: RatingIn;
}

/** POST /api/tickets/{id}/rating: the requester rates a resolved ticket 1-5 (changeable until closed). */
export function rateTicket({ ticketId, rating }: RateInput): Promise<Ticket> {
  return api.post<Ticket>(`/api/tickets/${ticketId}/rating`, rating);
}

export function useRateTicket() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: rateTicket,
    onSuccess: (ticket) => {
      queryClient.setQueryData(['tickets', 'detail', ticket.id], ticket);
      return queryClient.invalidateQueries({ queryKey: ['tickets', 'list'] });
    },
    // A 409 means the ticket moved on (reopened or closed): show it as it is now.
    onError: (_error, { ticketId }) => queryClient.invalidateQueries({ queryKey: ['tickets', 'detail', ticketId] }),
  });
}
