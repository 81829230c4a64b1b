import { describe, expect, it } from 'vitest';
import { acceptedFile, buildIngest, overlapProblem } from './import-form';

describe('KB import', () => {
  it('makes one document of pasted text and one per file, with chunk settings', () => {
    const body = buildIngest(
      { text: '  VPN how-to  ', source: '', title: 'VPN', chunk: true, chunk_size: 400, chunk_overlap: 40 },
      [{ name: 'printers.md', text: '# Printers' }, { name: 'empty.txt', text: '   ' }],
    );
    expect(body).toEqual({
      documents: [
        { text: 'VPN how-to', metadata: { source: 'pasted', title: 'VPN' } },
        { text: '# Printers', metadata: { source: 'printers.md', title: 'printers' } },
      ],
      chunk: true,
      chunk_size: 400,
      chunk_overlap: 40,
    });
  });

  it('accepts only .md and .txt files', () => {
    expect(acceptedFile('Guide.MD')).toBe(true);
    expect(acceptedFile('notes.txt')).toBe(true);
    expect(acceptedFile('report.pdf')).toBe(false);
  });

  it('refuses an overlap as large as the window', () => {
    expect(overlapProblem(500, 500)).toBe('kb.import.overlapTooLarge');
    expect(overlapProblem(500, 50)).toBeNull();
  });
});
