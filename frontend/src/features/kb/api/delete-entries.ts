import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';

export function deleteKbEntries(ids: string[]): Promise<unknown> {
  return api.post<unknown>('/api/kb/delete', { ids });
}

export function useDeleteKbEntries() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteKbEntries,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['kb', 'documents'] }),
  });
}
