import { describe, expect, it } from 'vitest';
import { ticketFixture } from '@/test/utils';
import { classificationPollInterval, CLASSIFY_POLL_MS } from '@/api/tickets/get-ticket';
import { changedFields } from './EditTicketModal';
import type { TicketFormValues } from '@/components/tickets/TicketFields';

const ticket = ticketFixture({ tags: ['vpn', 'network'], assignee_id: 3 });
const unchanged: TicketFormValues = {
  title: ticket.title, content: ticket.content, status: ticket.status, priority: ticket.priority,
  tags: ticket.tags, requester_id: ticket.requester_id, assignee_id: ticket.assignee_id,
};

describe('edit: partial update', () => {
  it('sends nothing when nothing changed (whitespace and tag case included)', () => {
    expect(changedFields(ticket, { ...unchanged, title: ` ${ticket.title} `, tags: ['VPN', 'network'] })).toEqual({});
  });

  it('sends only the changed fields', () => {
    expect(changedFields(ticket, { ...unchanged, status: 'pending', tags: ['network'] })).toEqual({ status: 'pending', tags: ['network'] });
  });

  it('unassigns with an explicit null', () => {
    expect(changedFields(ticket, { ...unchanged, assignee_id: undefined })).toEqual({ assignee_id: null });
  });
});

describe('background classification polling', () => {
  const now = Date.parse('2026-01-01T10:01:00Z');
  it('polls a new ticket until the classification is there', () => {
    expect(classificationPollInterval(ticketFixture(), now)).toBe(CLASSIFY_POLL_MS);
    expect(classificationPollInterval({ ...ticketFixture(), ai_category: 'network', ai_classified_at: '2026-01-01T10:00:30Z' }, now)).toBe(false);
  });

  it('gives up on old tickets (no classifier running)', () => {
    expect(classificationPollInterval(ticketFixture(), Date.parse('2026-01-02T00:00:00Z'))).toBe(false);
  });
});
