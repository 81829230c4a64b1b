import { queryOptions, useQuery } from '@tanstack/react-query';
import type { User } from '@/api/types';
import { api } from '@/lib/api-client';

export function getUser(userId: number, signal?: AbortSignal): Promise<User> {
  return api.get<User>(`/api/users/${userId}`, undefined, signal);
}

export function userQueryOptions(userId: number) {
  return queryOptions({
    queryKey: ['users', 'detail', userId],
    queryFn: ({ signal }) => getUser(userId, signal),
  });
}

export function useUser(userId: number) {
  return useQuery(userQueryOptions(userId));
}
