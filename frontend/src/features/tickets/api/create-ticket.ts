import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Ticket, TicketCreate } from '@/api/types';
import { api } from '@/lib/api-client';

export function createTicket(body: TicketCreate): Promise<Ticket> {
  return api.post<Ticket>('/api/tickets', body);
}

export function useCreateTicket() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createTicket,
    onSuccess: (ticket) => {
      queryClient.setQueryData(['tickets', 'detail', ticket.id], ticket);
      return queryClient.invalidateQueries({ queryKey: ['tickets', 'list'] }).then(() =>
        queryClient.invalidateQueries({ queryKey: ['tickets', 'count'] }));
    },
  });
}
