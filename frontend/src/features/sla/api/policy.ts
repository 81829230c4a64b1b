import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { SlaPolicy, SlaPolicyIn } from '@/api/types';
import { apiClient, unwrap } from '@/lib/api-client';
import { slaKeys } from './keys';

export function getPolicy(signal?: AbortSignal): Promise<SlaPolicy> {
  return unwrap(apiClient().GET('/api/sla/policy', { signal }));
}

export function policyQueryOptions() {
  return queryOptions({ queryKey: slaKeys.policy(), queryFn: ({ signal }) => getPolicy(signal) });
}

export function usePolicy() {
  return useQuery(policyQueryOptions());
}

export function savePolicy(body: SlaPolicyIn): Promise<SlaPolicy> {
  return unwrap(apiClient().PUT('/api/sla/policy', { body }));
}

export function useSavePolicy() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: savePolicy,
    onSuccess: (policy) => queryClient.setQueryData(slaKeys.policy(), policy),
  });
}
