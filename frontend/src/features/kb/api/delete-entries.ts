import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { KbDeleteOut } from '@/api/types';
import { apiClient, unwrap } from '@/lib/api-client';
import { kbKeys } from './keys';

export function deleteKbEntries(ids: string[]): Promise<KbDeleteOut> {
  return unwrap(apiClient().POST('/api/kb/delete', { body: { ids } }));
}

export function useDeleteKbEntries() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteKbEntries,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: kbKeys.documents() }),
  });
}
