import { describe, expect, it, vi } from 'vitest';
import { parseCsvRows, parseExamplesCsv, sendInBatches, toBatches } from './examples-csv';

describe('CSV examples', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks; CRLF and a BOM', () => {
    const rows = parseCsvRows('\uFEFFtext,label\r\n"Charged twice, please refund",billing\r\n"He said ""hi""\nthen left",other\r\n');
    expect(rows.map((r) => r.cells)).toEqual([
      ['text', 'label'],
      ['Charged twice, please refund', 'billing'],
      ['He said "hi"\nthen left', 'other'],
    ]);
    expect(rows.map((r) => r.line)).toEqual([1, 2, 3]);
  });

  it('takes the header in any order, or none; trims; lists the categories', () => {
    expect(parseExamplesCsv('label,text\nnetwork, VPN drops \n').examples).toEqual([{ text: 'VPN drops', label: 'network' }]);
    const parsed = parseExamplesCsv('Printer jams,hardware\nVPN drops,network\nNo VPN,network');
    expect(parsed.examples).toHaveLength(3);
    expect(parsed.labels).toEqual(['hardware', 'network']);
    expect(parsed.problems).toEqual([]);
  });

  it('skips bad rows and says which line and why', () => {
    const parsed = parseExamplesCsv('text,label\nok text,billing\n,billing\nno label,\nbad label,#weird\n' + `"${'x'.repeat(5001)}",long\n\n`);
    expect(parsed.examples).toEqual([{ text: 'ok text', label: 'billing' }]);
    expect(parsed.problems.map((p) => p.line)).toEqual([3, 4, 5, 6]);
    expect(parsed.problems[0]!.message).toMatch(/both a text and a label/);
    expect(parsed.problems[2]!.message).toMatch(/label "#weird"/);
    expect(parsed.problems[3]!.message).toMatch(/longer than 1,000/);
  });

  it('cuts 500 examples into batches of at most 200', () => {
    expect(toBatches(Array.from({ length: 500 }, (_, i) => i)).map((b) => b.length)).toEqual([200, 200, 100]);
    expect(toBatches([])).toEqual([]);
  });

  it('sends batches one after the other and adds up what the API accepted', async () => {
    const examples = Array.from({ length: 401 }, (_, i) => ({ text: `t${i}`, label: i % 2 ? 'a' : 'b' }));
    const sizes: number[] = [];
    const send = vi.fn(async (batch: { text: string; label: string }[]) => {
      sizes.push(batch.length);
      return { received: batch.length, new: batch.length - 1, labels_added: ['a'], generation: sizes.length, status: 'accepted' };
    });
    const progress = vi.fn();
    const report = await sendInBatches(examples, send, progress);
    expect(sizes).toEqual([200, 200, 1]);
    expect(report).toEqual({ sent: 401, received: 401, added: 398, labelsAdded: ['a'], batches: 3 });
    expect(progress).toHaveBeenLastCalledWith(401, 401);
  });

  it('stops at the first failed batch and reports how far it got', async () => {
    const examples = Array.from({ length: 300 }, (_, i) => ({ text: `t${i}`, label: 'a' }));
    let calls = 0;
    const send = async (batch: unknown[]) => {
      calls += 1;
      if (calls === 2) throw new Error('HTTP 413');
      return { received: batch.length, new: batch.length, labels_added: [], generation: 1, status: 'accepted' };
    };
    await expect(sendInBatches(examples, send)).rejects.toMatchObject({ message: 'HTTP 413', report: { sent: 200, batches: 1 } });
  });
});
