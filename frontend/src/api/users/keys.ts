import type { UserListQuery } from '@/api/types';

/** Every user query key, so queries and invalidations cannot drift apart. */
export const userKeys = {
  all: ['users'] as const,
  list: (query: UserListQuery) => [...userKeys.all, 'list', query] as const,
  detail: (userId: number) => [...userKeys.all, 'detail', userId] as const,
  directory: () => [...userKeys.all, 'directory'] as const,
  staff: () => [...userKeys.all, 'staff'] as const,
};
