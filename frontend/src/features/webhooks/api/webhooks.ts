import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Webhook, WebhookCreated, WebhookIn } from '@/api/types';
import { api } from '@/lib/api-client';

export function getWebhooks(signal?: AbortSignal): Promise<Webhook[]> {
  return api.get<Webhook[]>('/api/webhooks', undefined, signal);
}

export function webhooksQueryOptions() {
  return queryOptions({ queryKey: ['webhooks'], queryFn: ({ signal }) => getWebhooks(signal) });
}

export function useWebhooks() {
  return useQuery(webhooksQueryOptions());
}

/** The answer carries the signing secret: the only time the API ever shows it. */
export function createWebhook(body: WebhookIn): Promise<WebhookCreated> {
  return api.post<WebhookCreated>('/api/webhooks', body);
}

export function useCreateWebhook() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: createWebhook, onSuccess: () => queryClient.invalidateQueries({ queryKey: ['webhooks'] }) });
}

export function deleteWebhook(id: string): Promise<void> {
  return api.delete(`/api/webhooks/${encodeURIComponent(id)}`);
}

export function useDeleteWebhook() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: deleteWebhook, onSuccess: () => queryClient.invalidateQueries({ queryKey: ['webhooks'] }) });
}
