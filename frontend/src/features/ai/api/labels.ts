import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AiLabel, AiLabelsIn } from '@/api/types';
import { apiClient, unwrap } from '@/lib/api-client';
import { aiKeys } from './keys';

export function getLabels(signal?: AbortSignal): Promise<AiLabel[]> {
  return unwrap(apiClient().GET('/api/ai/labels', { signal }));
}

/** The taxonomy: the categories a ticket can have. */
export function labelsQueryOptions() {
  return queryOptions({ queryKey: aiKeys.labels(), queryFn: ({ signal }) => getLabels(signal), staleTime: 60_000 });
}

export function useLabels(enabled = true) {
  return useQuery({ ...labelsQueryOptions(), enabled });
}

export function upsertLabels(body: AiLabelsIn): Promise<AiLabel[]> {
  return unwrap(apiClient().POST('/api/ai/labels', { body }));
}

export function useUpsertLabels() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: upsertLabels,
    onSuccess: () => Promise.all([
      queryClient.invalidateQueries({ queryKey: aiKeys.labels() }),
      queryClient.invalidateQueries({ queryKey: aiKeys.classifier() }),
    ]),
  });
}
