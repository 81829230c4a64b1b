import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { KbDocumentPage } from '@/api/types';
import { apiClient, unwrap } from '@/lib/api-client';
import { kbKeys } from './keys';

export const KB_DOCUMENTS_PAGE_SIZE = 20;

export function getKbDocuments(cursor?: string, signal?: AbortSignal): Promise<KbDocumentPage> {
  return unwrap(apiClient().GET('/api/kb/documents', {
    params: { query: { page_size: KB_DOCUMENTS_PAGE_SIZE, cursor } },
    signal,
  }));
}

/** One page of the ingested documents by source; the next page starts at the page's next_cursor. */
export function kbDocumentsQueryOptions(cursor?: string) {
  return queryOptions({
    queryKey: kbKeys.documentPage(cursor),
    queryFn: ({ signal }) => getKbDocuments(cursor, signal),
    placeholderData: keepPreviousData,
  });
}

export function useKbDocuments(cursor?: string) {
  return useQuery(kbDocumentsQueryOptions(cursor));
}
