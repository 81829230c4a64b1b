/**
 * Labelled examples from CSV (`text,label`), pasted or uploaded, sent to POST /api/ai/examples in batches
 * of at most 200 (the API's limit per request: a body must stay under 1 MiB).
 */
import Papa from 'papaparse';
import type { AiExample, AiExamplesAccepted } from '@/api/types';

export const MAX_BATCH = 200;
export const MAX_TEXT = 1000;
export const MAX_LABEL = 80;
const LABEL = /^[A-Za-z0-9][A-Za-z0-9 _./&+-]*$/;

export interface CsvProblem { line: number; message: string }
export interface ParsedExamples { examples: AiExample[]; problems: CsvProblem[]; labels: string[] }

/**
 * RFC 4180 rows (papaparse: quoted fields may hold commas, doubled quotes and line breaks), each with the
 * line it starts on, so problems can name it. Blank lines are dropped.
 */
export function parseCsvRows(input: string): { line: number; cells: string[] }[] {
  const text = input.replace(/^\uFEFF/, '');
  const rows: { line: number; cells: string[] }[] = [];
  let rowStart = 0;
  let line = 1;
  let counted = 0;
  Papa.parse<string[]>(text, {
    delimiter: ',',
    step: ({ data: cells, meta }) => {
      for (; counted < rowStart; counted += 1) if (text[counted] === '\n') line += 1;
      if (cells.length > 1 || cells[0] !== '') rows.push({ line, cells });
      rowStart = meta.cursor;
    },
  });
  return rows;
}

/** Read `text,label` rows (a header row naming the columns is optional and may list them in any order). */
export function parseExamplesCsv(input: string): ParsedExamples {
  const rows = parseCsvRows(input);
  const problems: CsvProblem[] = [];
  const examples: AiExample[] = [];
  let textAt = 0;
  let labelAt = 1;
  const first = rows[0]?.cells.map((c) => c.trim().toLowerCase());
  if (first && first.includes('text') && first.includes('label')) {
    textAt = first.indexOf('text');
    labelAt = first.indexOf('label');
    rows.shift();
  }
  for (const { line, cells } of rows) {
    const text = (cells[textAt] ?? '').trim();
    const label = (cells[labelAt] ?? '').trim();
    if (!text || !label) { problems.push({ line, message: 'needs both a text and a label' }); continue; }
    if (text.length > MAX_TEXT) { problems.push({ line, message: `text is longer than ${MAX_TEXT.toLocaleString()} characters` }); continue; }
    if (label.length > MAX_LABEL || !LABEL.test(label)) {
      problems.push({ line, message: `label "${label.slice(0, 30)}" must start with a letter or digit and use only letters, digits, spaces and _ . / & + -` });
      continue;
    }
    examples.push({ text, label });
  }
  return { examples, problems, labels: [...new Set(examples.map((e) => e.label))].sort() };
}

export function toBatches<T>(items: readonly T[], size: number = MAX_BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface SendReport { sent: number; received: number; added: number; labelsAdded: string[]; batches: number }

/**
 * Send the examples one batch after the other (never in parallel: each batch bumps the classifier's
 * generation). Stops at the first failure, which it rethrows with how far it got in `error.sent`.
 */
export async function sendInBatches(
  examples: readonly AiExample[],
  send: (batch: AiExample[]) => Promise<AiExamplesAccepted>,
  onProgress?: (sent: number, total: number) => void,
): Promise<SendReport> {
  const report: SendReport = { sent: 0, received: 0, added: 0, labelsAdded: [], batches: 0 };
  for (const batch of toBatches(examples)) {
    try {
      const result = await send(batch);
      report.sent += batch.length;
      report.received += result.received;
      report.added += result.new;
      report.labelsAdded.push(...result.labels_added.filter((l) => !report.labelsAdded.includes(l)));
      report.batches += 1;
      onProgress?.(report.sent, examples.length);
    } catch (error) {
      throw Object.assign(error instanceof Error ? error : new Error(String(error)), { report });
    }
  }
  return report;
}
