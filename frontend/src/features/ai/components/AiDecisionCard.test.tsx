import { screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Reply } from '@/api/types';
import { ReplyThread } from '@/components/tickets/ReplyThread';
import { mockFetch, renderWithProviders, ticketFixture, type Schemas } from '@/test/utils';
import { AiDecisionCard } from './AiDecisionCard';

const SENT: Schemas['AiResponseOut'] = {
  decision: 'sent', reason: 'answered from the knowledge base', reply_id: 31, sources: ['refunds.md'],
  confidence: 0.912, decided_at: '2026-01-01T10:00:05Z',
};

afterEach(() => vi.unstubAllGlobals());

describe('AI decision on the ticket page', () => {
  it('shows a sent answer with its reason, sources and confidence, and what the requester said', () => {
    renderWithProviders(<AiDecisionCard ticket={ticketFixture({ ai_response: { ...SENT, feedback: 'not_helpful' } })} />);
    expect(screen.getByTestId('ai-decision-tag')).toHaveTextContent('Answer sent');
    expect(screen.getByTestId('ai-decision-reason')).toHaveTextContent('answered from the knowledge base');
    expect(screen.getByText('refunds.md')).toBeInTheDocument();
    expect(screen.getByText('91%')).toBeInTheDocument();
    expect(screen.getByTestId('ai-feedback')).toHaveTextContent('still needs help');
  });

  it('shows a declined decision with the specific reason and no feedback row', () => {
    const declined = { ...SENT, decision: 'declined' as const, reason: 'urgent priority is never answered', reply_id: null, sources: [] };
    renderWithProviders(<AiDecisionCard ticket={ticketFixture({ ai_response: declined })} />);
    expect(screen.getByTestId('ai-decision-tag')).toHaveTextContent('Declined');
    expect(screen.getByTestId('ai-decision-reason')).toHaveTextContent('urgent priority is never answered');
    expect(screen.getByText('none')).toBeInTheDocument();
    expect(screen.queryByText('Requester')).not.toBeInTheDocument();
  });

  it('says when the AI has not decided yet', () => {
    renderWithProviders(<AiDecisionCard ticket={ticketFixture({ ai_response: null })} />);
    expect(screen.getByText(/No decision yet/)).toBeInTheDocument();
  });

  it('marks the AI reply in the conversation and lists its citations', async () => {
    const base = { ticket_id: 7, internal: false, created_at: '2026-01-01T10:00:05Z' };
    const replies: Reply[] = [
      { ...base, id: 31, author_id: 99, content: 'Hi Carol, refunds take 5 days.', origin: 'ai',
        citations: [{ source: 'refunds.md', title: 'Refund policy', chunk_id: 'c1' }] } as Reply,
      { ...base, id: 32, author_id: 2, content: 'Thanks, but it did not help.', origin: 'requester' } as Reply,
    ];
    mockFetch([{ method: 'GET', path: '/api/tickets/7/replies', body: { items: replies, next_cursor: null } }]);
    renderWithProviders(<ReplyThread ticketId={7} users={undefined} />);
    expect(await screen.findByText('Hi Carol, refunds take 5 days.')).toBeInTheDocument();
    expect(screen.getAllByTestId('ai-reply-tag')).toHaveLength(1);
    expect(screen.getByText('AI assistant')).toBeInTheDocument(); // a system user, not in the directory
    expect(screen.getByTestId('ai-reply-citations')).toHaveTextContent('Cited: Refund policy (refunds.md)');
  });
});
