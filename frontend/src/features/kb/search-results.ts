import type { KbHit } from '@/api/types';

/** Cosine similarity to the query as a whole percentage (the API returns the cosine distance). */
export function matchPercent(hit: Pick<KbHit, 'distance'>): number {
  return Math.round(Math.min(1, Math.max(0, 1 - hit.distance)) * 100);
}

/** Results in the order of the match shown next to them: closest first (ties keep the API's order). */
export function byMatch<T extends Pick<KbHit, 'distance'>>(hits: readonly T[]): T[] {
  return hits.map((hit, index) => ({ hit, index }))
    .sort((a, b) => a.hit.distance - b.hit.distance || a.index - b.index)
    .map(({ hit }) => hit);
}

/** A hit's document: its title and source from the metadata. */
export function hitDocument(hit: Pick<KbHit, 'id' | 'metadata'>): { title: string | null; source: string } {
  const { title, source } = (hit.metadata ?? {}) as { title?: unknown; source?: unknown };
  return { title: typeof title === 'string' && title ? title : null, source: typeof source === 'string' && source ? source : hit.id };
}
