import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { TicketListQuery, TicketPage } from '@/api/types';
import { api } from '@/lib/api-client';

export function getTickets(query: TicketListQuery = {}, signal?: AbortSignal): Promise<TicketPage> {
  return api.get<TicketPage>('/api/tickets', { ...query }, signal);
}

export function ticketsQueryOptions(query: TicketListQuery = {}) {
  return queryOptions({
    queryKey: ['tickets', 'list', query],
    queryFn: ({ signal }) => getTickets(query, signal),
    placeholderData: keepPreviousData,
  });
}

export function useTickets(query: TicketListQuery = {}) {
  return useQuery(ticketsQueryOptions(query));
}

/** How many tickets match (one cheap call: page_size 1, the total comes from counters). */
export function ticketCountQueryOptions(filters: Omit<TicketListQuery, 'page' | 'page_size' | 'cursor'>) {
  return queryOptions({
    queryKey: ['tickets', 'count', filters],
    queryFn: ({ signal }) => getTickets({ ...filters, page_size: 1 }, signal),
    select: (page) => page.total,
  });
}

export function useTicketCount(filters: Omit<TicketListQuery, 'page' | 'page_size' | 'cursor'>) {
  return useQuery(ticketCountQueryOptions(filters));
}
