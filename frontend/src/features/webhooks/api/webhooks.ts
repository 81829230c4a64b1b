import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Webhook, WebhookCreated, WebhookIn } from '@/api/types';
import { apiClient, unwrap } from '@/lib/api-client';
import { webhookKeys } from './keys';

export function getWebhooks(signal?: AbortSignal): Promise<Webhook[]> {
  return unwrap(apiClient().GET('/api/webhooks', { signal }));
}

export function webhooksQueryOptions() {
  return queryOptions({ queryKey: webhookKeys.list(), queryFn: ({ signal }) => getWebhooks(signal) });
}

export function useWebhooks() {
  return useQuery(webhooksQueryOptions());
}

/** The answer carries the signing secret: the only time the API ever shows it. */
export function createWebhook(body: WebhookIn): Promise<WebhookCreated> {
  return unwrap(apiClient().POST('/api/webhooks', { body }));
}

export function useCreateWebhook() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: createWebhook, onSuccess: () => queryClient.invalidateQueries({ queryKey: webhookKeys.all }) });
}

export function deleteWebhook(id: string): Promise<void> {
  return unwrap(apiClient().DELETE('/api/webhooks/{webhook_id}', { params: { path: { webhook_id: id } } }));
}

export function useDeleteWebhook() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: deleteWebhook, onSuccess: () => queryClient.invalidateQueries({ queryKey: webhookKeys.all }) });
}
