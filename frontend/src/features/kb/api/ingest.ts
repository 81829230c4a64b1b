import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { KbIngestIn, KbIngestOut } from '@/api/types';
import { apiClient, unwrap } from '@/lib/api-client';
import { kbKeys } from './keys';

export function ingestDocuments(body: KbIngestIn): Promise<KbIngestOut> {
  return unwrap(apiClient().POST('/api/kb/ingest', { body }));
}

export function useIngestDocuments() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ingestDocuments,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: kbKeys.all }),
  });
}
