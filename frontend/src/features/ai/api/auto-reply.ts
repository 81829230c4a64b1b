import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { components } from '@/api/schema';
import { api } from '@/lib/api-client';

export type AutoReplyPolicy = components['schemas']['AutoReplyPolicyOut'];
export type AutoReplyPolicyIn = components['schemas']['AutoReplyPolicyIn'];

export function getAutoReply(signal?: AbortSignal): Promise<AutoReplyPolicy> {
  return api.get<AutoReplyPolicy>('/api/ai/auto-reply', undefined, signal);
}

export function autoReplyQueryOptions() {
  return queryOptions({ queryKey: ['ai', 'auto-reply'], queryFn: ({ signal }) => getAutoReply(signal) });
}

export function useAutoReply() {
  return useQuery(autoReplyQueryOptions());
}

/** PUT /api/ai/auto-reply (admins): replaces the whole policy; the change is audited. */
export function saveAutoReply(body: AutoReplyPolicyIn): Promise<AutoReplyPolicy> {
  return api.put<AutoReplyPolicy>('/api/ai/auto-reply', body);
}

export function useSaveAutoReply() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: saveAutoReply,
    onSuccess: (policy) => queryClient.setQueryData(['ai', 'auto-reply'], policy),
  });
}
