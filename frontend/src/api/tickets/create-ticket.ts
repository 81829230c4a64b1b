import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Ticket, TicketCreate } from '@/api/types';
import { apiClient, unwrap } from '@/lib/api-client';
import { ticketKeys } from './keys';

export function createTicket(body: TicketCreate): Promise<Ticket> {
  return unwrap(apiClient().POST('/api/tickets', { body }));
}

export function useCreateTicket() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createTicket,
    onSuccess: (ticket) => {
      queryClient.setQueryData(ticketKeys.detail(ticket.id), ticket);
      return queryClient.invalidateQueries({ queryKey: ticketKeys.lists() }).then(() =>
        queryClient.invalidateQueries({ queryKey: ticketKeys.counts() }));
    },
  });
}
