import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { SlaPolicy, SlaPolicyIn } from '@/api/types';
import { api } from '@/lib/api-client';

export function getPolicy(signal?: AbortSignal): Promise<SlaPolicy> {
  return api.get<SlaPolicy>('/api/sla/policy', undefined, signal);
}

export function policyQueryOptions() {
  return queryOptions({ queryKey: ['sla', 'policy'], queryFn: ({ signal }) => getPolicy(signal) });
}

export function usePolicy() {
  return useQuery(policyQueryOptions());
}

export function savePolicy(body: SlaPolicyIn): Promise<SlaPolicy> {
  return api.put<SlaPolicy>('/api/sla/policy', body);
}

export function useSavePolicy() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: savePolicy,
    onSuccess: (policy) => queryClient.setQueryData(['sla', 'policy'], policy),
  });
}
