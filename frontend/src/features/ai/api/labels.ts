import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AiLabel, AiLabelsIn } from '@/api/types';
import { api } from '@/lib/api-client';

export function getLabels(signal?: AbortSignal): Promise<AiLabel[]> {
  return api.get<AiLabel[]>('/api/ai/labels', undefined, signal);
}

/** The taxonomy: the categories a ticket can have. */
export function labelsQueryOptions() {
  return queryOptions({ queryKey: ['ai', 'labels'], queryFn: ({ signal }) => getLabels(signal), staleTime: 60_000 });
}

export function useLabels(enabled = true) {
  return useQuery({ ...labelsQueryOptions(), enabled });
}

export function upsertLabels(body: AiLabelsIn): Promise<AiLabel[]> {
  return api.post<AiLabel[]>('/api/ai/labels', body);
}

export function useUpsertLabels() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: upsertLabels,
    onSuccess: () => Promise.all([
      queryClient.invalidateQueries({ queryKey: ['ai', 'labels'] }),
      queryClient.invalidateQueries({ queryKey: ['ai', 'classifier'] }),
    ]),
  });
}
