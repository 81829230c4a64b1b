import { useMutation } from '@tanstack/react-query';
import type { AiSuggestion } from '@/api/types';
import { api } from '@/lib/api-client';

/** Ask the AI for a category, priority, tags, KB snippets and a draft reply for one ticket. */
export function suggestForTicket(ticketId: number): Promise<AiSuggestion> {
  return api.post<AiSuggestion>(`/api/ai/tickets/${ticketId}/suggest`);
}

export function useSuggestion() {
  return useMutation({ mutationFn: suggestForTicket });
}
