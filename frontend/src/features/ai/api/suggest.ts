import { useMutation } from '@tanstack/react-query';
import type { AiSuggestion } from '@/api/types';
import { apiClient, unwrap } from '@/lib/api-client';

/** Ask the AI for a category, priority, tags, KB snippets and a draft reply for one ticket. */
export function suggestForTicket(ticketId: number): Promise<AiSuggestion> {
  return unwrap(apiClient().POST('/api/ai/tickets/{ticket_id}/suggest', { params: { path: { ticket_id: ticketId } } }));
}

export function useSuggestion() {
  return useMutation({ mutationFn: suggestForTicket });
}
