import { describe, expect, it } from 'vitest';
import type { Ticket } from '@/api/types';
import { ticketFixture } from '@/test/utils';
import { mergeCandidates, parseTicketId } from './MergeTicketModal';

const t = (id: number, title: string, extra: Record<string, unknown> = {}) => ticketFixture({ id, title, ...extra }) as unknown as Ticket;

describe('picking the surviving ticket', () => {
  it('reads a typed ticket number', () => {
    expect(parseTicketId('#42')).toBe(42);
    expect(parseTicketId(' 7 ')).toBe(7);
    expect(parseTicketId('0')).toBeNull();
    expect(parseTicketId('printer')).toBeNull();
  });

  it('lists the same requester\'s tickets first, never the duplicate itself or a merged ticket', () => {
    const dup = t(5, 'Printer jams');
    const same = [t(5, 'Printer jams'), t(3, 'Printer jams again'), t(2, 'Old', { merged_into: 9 })];
    const recent = [t(3, 'Printer jams again'), t(8, 'VPN'), t(9, 'Printer on floor 3')];
    expect(mergeCandidates(dup, same, recent, '').map((x) => x.id)).toEqual([3, 8, 9]);
    expect(mergeCandidates(dup, same, recent, 'printer').map((x) => x.id)).toEqual([3, 9]);
  });
});
