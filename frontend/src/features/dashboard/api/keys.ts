import type { AnalyticsQuery } from '@/api/types';

/** Every analytics query key, so queries and invalidations cannot drift apart. */
export const analyticsKeys = {
  all: ['analytics'] as const,
  summary: (range: AnalyticsQuery) => [...analyticsKeys.all, 'summary', range] as const,
};
