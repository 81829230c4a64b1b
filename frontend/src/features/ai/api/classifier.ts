import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AiExample, AiExamplesAccepted, Classifier } from '@/api/types';
import { api } from '@/lib/api-client';

export function getClassifier(signal?: AbortSignal): Promise<Classifier> {
  return api.get<Classifier>('/api/ai/classifier', undefined, signal);
}

/** Polls every 5 s while a model is training, or examples changed since the live one (unless the last training failed). */
export function classifierQueryOptions() {
  return queryOptions({
    queryKey: ['ai', 'classifier'],
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
  return api.post<AiExamplesAccepted>('/api/ai/examples', { examples });
}

/** POST /api/ai/train (admins): retrain now, in the background. */
export function retrain(): Promise<Classifier> {
  return api.post<Classifier>('/api/ai/train');
}

export function useRetrain() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: retrain, onSuccess: (status) => queryClient.setQueryData(['ai', 'classifier'], status) });
}
