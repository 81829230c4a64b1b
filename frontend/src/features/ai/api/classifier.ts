import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AiExample, AiExamplesAccepted, Classifier } from '@/api/types';
import { apiClient, unwrap } from '@/lib/api-client';
import { aiKeys } from './keys';

export function getClassifier(signal?: AbortSignal): Promise<Classifier> {
  return unwrap(apiClient().GET('/api/ai/classifier', { signal }));
}

/** Polls every 5 s while a model is training, or examples changed since the live one (unless the last training failed). */
export function classifierQueryOptions() {
  return queryOptions({
    queryKey: aiKeys.classifier(),
    queryFn: ({ signal }) => getClassifier(signal),
    refetchInterval: (query) => {
      const data = query.state.data;
      if (!data) return false;
      return data.status === 'training' || (data.pending_generation && !data.error) ? 5_000 : false;
    },
  });
}

export function useClassifier() {
  return useQuery(classifierQueryOptions());
}

export function addExamples(examples: AiExample[]): Promise<AiExamplesAccepted> {
  return unwrap(apiClient().POST('/api/ai/examples', { body: { examples } }));
}

/** POST /api/ai/train (admins): retrain now, in the background. */
export function retrain(): Promise<Classifier> {
  return unwrap(apiClient().POST('/api/ai/train'));
}

export function useRetrain() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: retrain, onSuccess: (status) => queryClient.setQueryData(aiKeys.classifier(), status) });
}
