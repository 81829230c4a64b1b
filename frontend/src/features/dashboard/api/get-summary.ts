import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { AnalyticsSummaryOut } from '@/api/types';
import { apiClient, unwrap } from '@/lib/api-client';
import { analyticsKeys } from './keys';
import { readSummary } from '../summary';

export interface SummaryRange {
  from: string;
  to: string;
}

export function getSummary({ from, to }: SummaryRange, signal?: AbortSignal): Promise<AnalyticsSummaryOut> {
  return unwrap(apiClient().GET('/api/analytics/summary', { params: { query: { from, to } }, signal }));
}

/** Cheap on the server (daily aggregates and counters, never a scan of tickets), so the home page uses it too. */
export function summaryQueryOptions(range: SummaryRange) {
  return queryOptions({
    queryKey: analyticsKeys.summary(range),
    queryFn: ({ signal }) => getSummary(range, signal),
    select: readSummary,
    staleTime: 60_000,
    placeholderData: keepPreviousData,
  });
}

export function useSummary(range: SummaryRange) {
  return useQuery(summaryQueryOptions(range));
}
