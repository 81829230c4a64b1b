import { queryOptions, useQuery } from '@tanstack/react-query';
import type { User, UserListQuery, UserPage } from '@/api/types';
import { apiClient, unwrap } from '@/lib/api-client';
import { userKeys } from './keys';

export function getUsers(query: UserListQuery = {}, signal?: AbortSignal): Promise<UserPage> {
  return unwrap(apiClient().GET('/api/users', { params: { query }, signal }));
}

export function usersQueryOptions(query: UserListQuery = {}) {
  return queryOptions({
    queryKey: userKeys.list(query),
    queryFn: ({ signal }) => getUsers(query, signal),
    placeholderData: (previous) => previous,
  });
}

export function useUsers(query: UserListQuery = {}) {
  return useQuery(usersQueryOptions(query));
}

/** How many users the pickers load (the API has no name search yet; beyond this, type an id). */
export const DIRECTORY_LIMIT = 1000;

/** Every user up to DIRECTORY_LIMIT, following the cursor: feeds the pickers and id -> name lookups. */
export async function getUserDirectory(signal?: AbortSignal): Promise<User[]> {
  const users: User[] = [];
  let cursor: string | null | undefined;
  do {
    const page = await getUsers({ page_size: 100, cursor: cursor ?? undefined }, signal);
    users.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && users.length < DIRECTORY_LIMIT);
  return users;
}

export interface UserDirectory {
  users: User[];
  byId: Map<number, User>;
}

function indexUsers(users: User[]): UserDirectory {
  return { users, byId: new Map(users.map((user) => [user.id, user])) };
}

export function userDirectoryQueryOptions() {
  return queryOptions({
    queryKey: userKeys.directory(),
    queryFn: ({ signal }) => getUserDirectory(signal),
    staleTime: 60_000,
    select: indexUsers,
  });
}

export function useUserDirectory() {
  return useQuery(userDirectoryQueryOptions());
}

/** Every user of one role (up to DIRECTORY_LIMIT), following the cursor. */
export async function getUsersByRole(role: User['role'], signal?: AbortSignal): Promise<User[]> {
  const users: User[] = [];
  let cursor: string | null | undefined;
  do {
    const page = await getUsers({ role, page_size: 100, cursor: cursor ?? undefined }, signal);
    users.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && users.length < DIRECTORY_LIMIT);
  return users;
}

/** The people a ticket can be assigned to: agents and admins (`GET /api/users?role=agent` and `role=admin`). */
export function staffQueryOptions() {
  return queryOptions({
    queryKey: userKeys.staff(),
    queryFn: async ({ signal }) => {
      const [agents, admins] = await Promise.all([getUsersByRole('agent', signal), getUsersByRole('admin', signal)]);
      return [...agents, ...admins].sort((a, b) => a.name.localeCompare(b.name));
    },
    staleTime: 60_000,
  });
}

export function useStaff() {
  return useQuery(staffQueryOptions());
}
