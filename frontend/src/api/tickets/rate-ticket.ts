import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { RatingIn, Ticket } from '@/api/types';
import { apiClient, unwrap } from '@/lib/api-client';
import { ticketKeys } from './keys';

export interface RateInput {
  ticketId: number;
  rating: RatingIn;
}

/** POST /api/tickets/{id}/rating: the requester rates a resolved ticket 1-5 (changeable until closed). */
export function rateTicket({ ticketId, rating }: RateInput): Promise<Ticket> {
  return unwrap(apiClient().POST('/api/tickets/{ticket_id}/rating', { params: { path: { ticket_id: ticketId } }, body: rating }));
}

export function useRateTicket() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: rateTicket,
    onSuccess: (ticket) => {
      queryClient.setQueryData(ticketKeys.detail(ticket.id), ticket);
      return queryClient.invalidateQueries({ queryKey: ticketKeys.lists() });
    },
    // A 409 means the ticket moved on (reopened or closed): show it as it is now.
    onError: (_error, { ticketId }) => queryClient.invalidateQueries({ queryKey: ticketKeys.detail(ticketId) }),
  });
}
