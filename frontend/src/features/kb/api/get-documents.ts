import { queryOptions, useQuery } from '@tanstack/react-query';
import type { KbDocument } from '@/api/pending-contracts';
import { api } from '@/lib/api-client';

/** The contract says a list; accept {documents|items: [...]} too, in case the backend wraps it. */
export function normaliseDocuments(body: unknown): KbDocument[] {
  if (Array.isArray(body)) return body as KbDocument[];
  if (body && typeof body === 'object') {
    const wrapped = (body as Record<string, unknown>).documents ?? (body as Record<string, unknown>).items;
    if (Array.isArray(wrapped)) return wrapped as KbDocument[];
  }
  return [];
}

export async function getKbDocuments(signal?: AbortSignal): Promise<KbDocument[]> {
  return normaliseDocuments(await api.get<unknown>('/api/kb/documents', undefined, signal));
}

export function kbDocumentsQueryOptions() {
  return queryOptions({ queryKey: ['kb', 'documents'], queryFn: ({ signal }) => getKbDocuments(signal) });
}

export function useKbDocuments() {
  return useQuery(kbDocumentsQueryOptions());
}
