import type { TicketListQuery } from '@/api/types';

export type TicketCountFilters = Omit<TicketListQuery, 'page' | 'page_size' | 'cursor'>;

/** Every ticket query key, so queries and invalidations cannot drift apart. */
export const ticketKeys = {
  all: ['tickets'] as const,
  lists: () => [...ticketKeys.all, 'list'] as const,
  list: (query: TicketListQuery) => [...ticketKeys.lists(), query] as const,
  counts: () => [...ticketKeys.all, 'count'] as const,
  count: (filters: TicketCountFilters) => [...ticketKeys.counts(), filters] as const,
  detail: (ticketId: number) => [...ticketKeys.all, 'detail', ticketId] as const,
  replies: (ticketId: number) => [...ticketKeys.all, 'replies', ticketId] as const,
  events: (ticketId: number) => [...ticketKeys.all, 'events', ticketId] as const,
};
