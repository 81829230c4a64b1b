/**
 * HAND-WRITTEN types for routes the backend does not publish yet (knowledge base, AI suggestions,
 * background classification). They follow the contracts agreed in the issues. When the backend adds
 * these routes to /openapi.json, regenerate schema.d.ts (`make openapi`) and replace each type here with
 * the generated one in api/types.ts, then delete this file.
 */
import type { Ticket } from './types';

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

export interface AiSuggestion {
  category: string;
  confidence: number;
  priority: Ticket['priority'];
  tags: string[];
  snippets: KbSnippet[];
  draft: string;
  sources: Array<string | { id?: string; source?: string; title?: string }>;
  model: string;
}

/** Fields the background classifier adds to a ticket once it has run. */
export interface AiClassification {
  ai_category?: string | null;
  ai_confidence?: number | null;
  ai_priority?: Ticket['priority'] | null;
  ai_tags?: string[] | null;
  ai_classified_at?: string | null;
}

export type ClassifiedTicket = Ticket & AiClassification;
