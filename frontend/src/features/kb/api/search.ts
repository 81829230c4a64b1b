import { useMutation } from '@tanstack/react-query';
import type { KbSearchIn, KbSearchOut } from '@/api/pending-contracts';
import { api } from '@/lib/api-client';

export function searchKb(body: KbSearchIn): Promise<KbSearchOut> {
  return api.post<KbSearchOut>('/api/kb/search', body);
}

/** A search is an explicit action with a body, so it is a mutation, not a cached query. */
export function useSearchKb() {
  return useMutation({ mutationFn: searchKb });
}
