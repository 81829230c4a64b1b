import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { TicketListQuery, TicketPage } from '@/api/types';
import { apiClient, unwrap } from '@/lib/api-client';
import { ticketKeys, type TicketCountFilters } from './keys';

export function getTickets(query: TicketListQuery = {}, signal?: AbortSignal): Promise<TicketPage> {
  return unwrap(apiClient().GET('/api/tickets', { params: { query }, signal }));
}

export function ticketsQueryOptions(query: TicketListQuery = {}) {
  return queryOptions({
    queryKey: ticketKeys.list(query),
    queryFn: ({ signal }) => getTickets(query, signal),
    placeholderData: keepPreviousData,
  });
}

export function useTickets(query: TicketListQuery = {}) {
  return useQuery(ticketsQueryOptions(query));
}

/** How many tickets match (one cheap call: page_size 1, the total comes from counters). */
export function ticketCountQueryOptions(filters: TicketCountFilters) {
  return queryOptions({
    queryKey: ticketKeys.count(filters),
    queryFn: ({ signal }) => getTickets({ ...filters, page_size: 1 }, signal),
    select: (page) => page.total,
  });
}

export function useTicketCount(filters: TicketCountFilters) {
  return useQuery(ticketCountQueryOptions(filters));
}
