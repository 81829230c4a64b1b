import { queryOptions, useQuery } from '@tanstack/react-query';
import type { User } from '@/api/types';
import { apiClient, unwrap } from '@/lib/api-client';
import { userKeys } from './keys';

export function getUser(userId: number, signal?: AbortSignal): Promise<User> {
  return unwrap(apiClient().GET('/api/users/{user_id}', { params: { path: { user_id: userId } }, signal }));
}

export function userQueryOptions(userId: number) {
  return queryOptions({
    queryKey: userKeys.detail(userId),
    queryFn: ({ signal }) => getUser(userId, signal),
  });
}

export function useUser(userId: number) {
  return useQuery(userQueryOptions(userId));
}
