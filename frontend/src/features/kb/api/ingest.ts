import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { KbIngestIn, KbIngestOut } from '@/api/pending-contracts';
import { api } from '@/lib/api-client';

export function ingestDocuments(body: KbIngestIn): Promise<KbIngestOut> {
  return api.post<KbIngestOut>('/api/kb/ingest', body);
}

export function useIngestDocuments() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ingestDocuments,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['kb'] }),
  });
}
