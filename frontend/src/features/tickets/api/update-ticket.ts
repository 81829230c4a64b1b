import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Ticket, TicketUpdate } from '@/api/types';
import { api } from '@/lib/api-client';

export interface UpdateTicketInput {
  ticketId: number;
  /** Only the fields that change. */
  changes: Omit<TicketUpdate, 'version'>;
  /** The version the agent edited: the API answers 409 version_conflict if someone saved in between. */
  version: number;
}

export function updateTicket({ ticketId, changes, version }: UpdateTicketInput): Promise<Ticket> {
  return api.put<Ticket>(`/api/tickets/${ticketId}`, changes, { headers: { 'If-Match': `"${version}"` } });
}

/** Optimistic: the ticket shows the change at once and rolls back if the API refuses it. */
export function useUpdateTicket() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateTicket,
    onMutate: async ({ ticketId, changes }) => {
      const key = ['tickets', 'detail', ticketId];
      await queryClient.cancelQueries({ queryKey: key });
      const previous = queryClient.getQueryData<Ticket>(key);
      if (previous) {
        const { tags, ...rest } = changes;
        queryClient.setQueryData<Ticket>(key, {
          ...previous,
          ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
          ...(Array.isArray(tags) ? { tags } : {}),
        } as Ticket);
      }
      return { previous };
    },
    onError: (_error, { ticketId }, context) => {
      if (context?.previous) queryClient.setQueryData(['tickets', 'detail', ticketId], context.previous);
    },
    onSuccess: (ticket) => {
      queryClient.setQueryData<Ticket>(['tickets', 'detail', ticket.id], (old) => ({ ...old, ...ticket }));
    },
    onSettled: (_data, _error, { ticketId }) =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ['tickets', 'detail', ticketId] }),
        queryClient.invalidateQueries({ queryKey: ['tickets', 'events', ticketId] }),
        queryClient.invalidateQueries({ queryKey: ['tickets', 'list'] }),
        queryClient.invalidateQueries({ queryKey: ['tickets', 'count'] }),
      ]),
  });
}
