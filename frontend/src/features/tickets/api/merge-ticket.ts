import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Ticket } from '@/api/types';
import { api } from '@/lib/api-client';

export interface MergeInput {
  /** The duplicate: it is closed and points to the survivor. */
  ticketId: number;
  /** The survivor: it receives the duplicate's replies. */
  into: number;
  /** An admin's confirmation that the two tickets belong to different requesters. */
  confirmCrossRequester?: boolean;
}

/** POST /api/tickets/{id}/merge; answers with the survivor. */
export function mergeTicket({ ticketId, into, confirmCrossRequester }: MergeInput): Promise<Ticket> {
  return api.post<Ticket>(`/api/tickets/${ticketId}/merge`, confirmCrossRequester ? { into, confirm_cross_requester: true } : { into });
}

export function useMergeTicket() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: mergeTicket,
    onSuccess: (survivor, { ticketId }) => {
      queryClient.setQueryData(['tickets', 'detail', survivor.id], survivor);
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: ['tickets', 'detail', ticketId] }),
        ...[ticketId, survivor.id].flatMap((id) => [
          queryClient.invalidateQueries({ queryKey: ['tickets', 'replies', id] }),
          queryClient.invalidateQueries({ queryKey: ['tickets', 'events', id] }),
        ]),
        queryClient.invalidateQueries({ queryKey: ['tickets', 'list'] }),
        queryClient.invalidateQueries({ queryKey: ['tickets', 'count'] }),
      ]);
    },
  });
}
