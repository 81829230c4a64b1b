import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { User, UserCreate } from '@/api/types';
import { api } from '@/lib/api-client';

export function createUser(body: UserCreate): Promise<User> {
  return api.post<User>('/api/users', body);
}

export function useCreateUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createUser,
    onSuccess: (user) => {
      queryClient.setQueryData(['users', 'detail', user.id], user);
      return queryClient.invalidateQueries({ queryKey: ['users'] });
    },
  });
}
