import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { User, UserCreate } from '@/api/types';
import { apiClient, unwrap } from '@/lib/api-client';
import { userKeys } from './keys';

export function createUser(body: UserCreate): Promise<User> {
  return unwrap(apiClient().POST('/api/users', { body }));
}

export function useCreateUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createUser,
    onSuccess: (user) => {
      queryClient.setQueryData(userKeys.detail(user.id), user);
      return queryClient.invalidateQueries({ queryKey: userKeys.all });
    },
  });
}
