import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Ticket, TicketUpdate } from '@/api/types';
import { apiClient, unwrap } from '@/lib/api-client';
import { ticketKeys } from './keys';

export interface UpdateTicketInput {
  ticketId: number;
  /** Only the fields that change. */
  changes: Omit<TicketUpdate, 'version'>;
  /** The version the agent edited: the API answers 409 version_conflict if someone saved in between. */
  version: number;
}

export function updateTicket({ ticketId, changes, version }: UpdateTicketInput): Promise<Ticket> {
  return unwrap(apiClient().PUT('/api/tickets/{ticket_id}', {
    params: { path: { ticket_id: ticketId }, header: { 'If-Match': `"${version}"` } },
    body: changes,
  }));
}

/** Optimistic: the ticket shows the change at once and rolls back if the API refuses it. */
export function useUpdateTicket() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateTicket,
    onMutate: async ({ ticketId, changes }) => {
      const key = ticketKeys.detail(ticketId);
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
      if (context?.previous) queryClient.setQueryData(ticketKeys.detail(ticketId), context.previous);
    },
    onSuccess: (ticket) => {
      queryClient.setQueryData<Ticket>(ticketKeys.detail(ticket.id), (old) => ({ ...old, ...ticket }));
    },
    onSettled: (_data, _error, { ticketId }) =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ticketKeys.detail(ticketId) }),
        queryClient.invalidateQueries({ queryKey: ticketKeys.events(ticketId) }),
        queryClient.invalidateQueries({ queryKey: ticketKeys.lists() }),
        queryClient.invalidateQueries({ queryKey: ticketKeys.counts() }),
      ]),
  });
}
