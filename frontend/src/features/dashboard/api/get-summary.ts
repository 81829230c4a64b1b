import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { AnalyticsSummaryOut } from '@/api/types';
import { api } from '@/lib/api-client';
import { readSummary } from '../summary';

export interface SummaryRange {
  from: string;
  to: string;
}

export function getSummary({ from, to }: SummaryRange, signal?: AbortSignal): Promise<AnalyticsSummaryOut> {
  return api.get<AnalyticsSummaryOut>('/api/analytics/summary', { from, to }, signal);
}

/** Cheap on the server (daily aggregates and counters, never a scan of tickets), so the home page uses it too. */
export function summaryQueryOptions(range: SummaryRange) {
  return queryOptions({
    queryKey: ['analytics', 'summary', range],
    queryFn: ({ signal }) => getSummary(range, signal),
    select: readSummary,
    staleTime: 60_000,
    placeholderData: keepPreviousData,
  });
}

export function useSummary(range: SummaryRange) {
  return useQuery(summaryQueryOptions(range));
}
