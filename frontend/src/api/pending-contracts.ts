/**
 * HAND-WRITTEN types for routes this branch's backend does not publish yet: the knowledge base
 * (`/api/kb/*`, on another engineer's branch). They follow the contract agreed in the issue. When the
 * backend adds these routes to /openapi.json, regenerate schema.d.ts (`make openapi`), replace each type
 * here with the generated one in api/types.ts, then delete this file. (The AI and classification types
 * that used to live here are generated now.)
 */

export interface KbDocumentIn {
  text: string;
  metadata: { source: string; title?: string };
}

export interface KbIngestIn {
  documents: KbDocumentIn[];
  chunk: boolean;
  chunk_size: number;
  chunk_overlap: number;
}

export interface KbIngestOut {
  ids: string[];
}

export interface KbSearchIn {
  query: string;
  top_k: number;
  filter?: Record<string, unknown>;
}

export interface KbSnippet {
  id: string;
  content: string;
  metadata: Record<string, unknown> & { source?: string; title?: string };
  distance: number;
}

export interface KbSearchOut {
  results: KbSnippet[];
}

export interface KbDocument {
  source: string;
  chunks: number;
  title?: string | null;
  [extra: string]: unknown;
}
