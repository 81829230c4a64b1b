import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import type { KbDocumentPage } from '@/api/types';
import { apiClient, unwrap } from '@/lib/api-client';
import { kbKeys } from './keys';

export const KB_DOCUMENTS_PAGE_SIZE = 50;

export function getKbDocuments(cursor?: string, signal?: AbortSignal): Promise<KbDocumentPage> {
  return unwrap(apiClient().GET('/api/kb/documents', {
    params: { query: { page_size: KB_DOCUMENTS_PAGE_SIZE, cursor } },
    signal,
  }));
}

/** The ingested documents by source, a page at a time ("Load more" follows next_cursor). */
export function kbDocumentsQueryOptions() {
  return infiniteQueryOptions({
    queryKey: kbKeys.documents(),
    queryFn: ({ pageParam, signal }) => getKbDocuments(pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useKbDocuments() {
  return useInfiniteQuery(kbDocumentsQueryOptions());
}
