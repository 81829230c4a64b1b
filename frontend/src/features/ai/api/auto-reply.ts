import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { components } from '@/api/schema';
import { apiClient, unwrap } from '@/lib/api-client';
import { aiKeys } from './keys';

export type AutoReplyPolicy = components['schemas']['AutoReplyPolicyOut'];
export type AutoReplyPolicyIn = components['schemas']['AutoReplyPolicyIn'];

export function getAutoReply(signal?: AbortSignal): Promise<AutoReplyPolicy> {
  return unwrap(apiClient().GET('/api/ai/auto-reply', { signal }));
}

export function autoReplyQueryOptions() {
  return queryOptions({ queryKey: aiKeys.autoReply(), queryFn: ({ signal }) => getAutoReply(signal) });
}

export function useAutoReply() {
  return useQuery(autoReplyQueryOptions());
}

/** PUT /api/ai/auto-reply (admins): replaces the whole policy; the change is audited. */
export function saveAutoReply(body: AutoReplyPolicyIn): Promise<AutoReplyPolicy> {
  return unwrap(apiClient().PUT('/api/ai/auto-reply', { body }));
}

export function useSaveAutoReply() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: saveAutoReply,
    onSuccess: (policy) => queryClient.setQueryData(aiKeys.autoReply(), policy),
  });
}
