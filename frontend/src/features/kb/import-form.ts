import type { KbIngestIn } from '@/api/types';

export interface ImportFile {
  name: string;
  text: string;
}

export interface ImportValues {
  text?: string;
  source?: string;
  title?: string;
  chunk: boolean;
  chunk_size: number;
  chunk_overlap: number;
}

export const ACCEPTED_FILES = ['.md', '.markdown', '.txt'];
export const MAX_FILE_BYTES = 900_000;

export function acceptedFile(name: string): boolean {
  const lower = name.toLowerCase();
  return ACCEPTED_FILES.some((ext) => lower.endsWith(ext));
}

/** Pasted text becomes one document (source: the given name, or "pasted"); each file one document. */
export function buildIngest(values: ImportValues, files: readonly ImportFile[]): KbIngestIn {
  const documents: KbIngestIn['documents'] = [];
  const text = values.text?.trim();
  if (text) {
    const source = values.source?.trim() || 'pasted';
    const title = values.title?.trim();
    documents.push({ text, metadata: title ? { source, title } : { source } });
  }
  for (const file of files) {
    if (file.text.trim()) documents.push({ text: file.text, metadata: { source: file.name, title: file.name.replace(/\.[^.]+$/, '') } });
  }
  return { documents, chunk: values.chunk, chunk_size: values.chunk_size, chunk_overlap: values.chunk_overlap };
}

/** Overlap must be smaller than the window, or chunking would never advance (the i18n key of the problem). */
export function overlapProblem(size: number | null | undefined, overlap: number | null | undefined): 'kb.import.overlapTooLarge' | null {
  if (size == null || overlap == null) return null;
  return overlap >= size ? 'kb.import.overlapTooLarge' : null;
}
