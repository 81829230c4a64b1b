import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Ticket } from '@/api/types';
import { apiClient, unwrap } from '@/lib/api-client';
import { ticketKeys } from './keys';

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
  const body = confirmCrossRequester ? { into, confirm_cross_requester: true } : { into };
  return unwrap(apiClient().POST('/api/tickets/{ticket_id}/merge', { params: { path: { ticket_id: ticketId } }, body }));
}

export function useMergeTicket() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: mergeTicket,
    onSuccess: (survivor, { ticketId }) => {
      queryClient.setQueryData(ticketKeys.detail(survivor.id), survivor);
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: ticketKeys.detail(ticketId) }),
        ...[ticketId, survivor.id].flatMap((id) => [
          queryClient.invalidateQueries({ queryKey: ticketKeys.replies(id) }),
          queryClient.invalidateQueries({ queryKey: ticketKeys.events(id) }),
        ]),
        queryClient.invalidateQueries({ queryKey: ticketKeys.lists() }),
        queryClient.invalidateQueries({ queryKey: ticketKeys.counts() }),
      ]);
    },
  });
}
