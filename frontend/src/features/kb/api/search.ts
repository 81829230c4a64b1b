import { useMutation } from '@tanstack/react-query';
import type { KbSearchIn, KbSearchOut } from '@/api/types';
import { apiClient, unwrap } from '@/lib/api-client';

export function searchKb(body: KbSearchIn): Promise<KbSearchOut> {
  return unwrap(apiClient().POST('/api/kb/search', { body }));
}

/** A search is an explicit action with a body, so it is a mutation, not a cached query. */
export function useSearchKb() {
  return useMutation({ mutationFn: searchKb });
}
