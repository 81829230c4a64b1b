import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { errorFixture, mockFetch, renderWithProviders, type Schemas } from '@/test/utils';
import { CopilotConversation } from './CopilotConversation';

const SESSION = {
  id: 'a1b2c3d4e5f60718', title: null, ticket_id: 7, message_count: 0,
  created_at: '2026-12-01T10:00:00.000000Z', updated_at: '2026-12-01T10:00:00.000000Z',
} satisfies Schemas['CopilotSessionOut'];

const TURN = {
  session: { ...SESSION, title: 'How do refunds work?', message_count: 2 },
  question: {
    seq: 1, role: 'user', content: 'How do refunds work?', created_at: SESSION.created_at, ticket_id: 7,
    sources: [], citations: [], answer_source: null, model: null, fallback_reason: null,
  },
  answer: {
    seq: 2, role: 'assistant', created_at: SESSION.created_at, ticket_id: 7,
    content: 'Refunds are made **within 14 days** [1]; see also the earlier case [2].\n\n<img src=x onerror="alert(1)">',
    sources: [
      { n: 1, kind: 'kb', ref: 'kb:refunds.md', title: 'Refunds', excerpt: 'We refund within 14 days.', relevance: 0.7312, cited: true, source: 'refunds.md', chunk_id: 'abc-0', ticket_id: null },
      { n: 2, kind: 'ticket', ref: 'ticket:12', title: 'Refund for a lamp', excerpt: 'Refunded.', relevance: 0.55, cited: true, source: null, chunk_id: null, ticket_id: 12 },
    ],
    citations: [1, 2], answer_source: 'llm', model: 'test-model', fallback_reason: null,
  },
} satisfies Schemas['CopilotTurnOut'];

afterEach(() => vi.unstubAllGlobals());

describe('copilot conversation', () => {
  it('starts a session about the ticket with the first question and shows the cited answer', async () => {
    const { calls } = mockFetch([
      { method: 'POST', path: '/api/ai/chat/sessions', status: 201, body: SESSION },
      { method: 'POST', path: `/api/ai/chat/sessions/${SESSION.id}/messages`, status: 201, body: TURN },
      { method: 'GET', path: '/api/ai/chat/sessions', body: { items: [], next_cursor: null } },
    ]);
    const onCreated = vi.fn();
    const onInsert = vi.fn();
    renderWithProviders(<CopilotConversation ticketId={7} onSessionCreated={onCreated} onInsert={onInsert} />);
    await userEvent.type(screen.getByTestId('copilot-input'), 'How do refunds work?{Enter}');

    const answer = await screen.findByTestId('copilot-answer');
    expect(calls.find((c) => c.url === '/api/ai/chat/sessions')?.body).toEqual({ ticket_id: 7 });
    expect(calls.find((c) => c.url.endsWith('/messages'))?.body).toEqual({ content: 'How do refunds work?', ticket_id: 7 });
    expect(onCreated).toHaveBeenCalledWith(SESSION.id);
    // Citations link to the KB document and to the ticket; raw HTML in the text is not rendered.
    const citations = within(answer).getAllByTestId('copilot-citation');
    expect(citations.map((a) => a.getAttribute('href'))).toEqual(['/kb?source=refunds.md&q=We+refund+within+14+days.', '/tickets/12']);
    expect(answer.querySelector('img')).toBeNull();
    expect(within(answer).getByText('within 14 days').tagName).toBe('STRONG');
    expect(within(answer).getByText('73% match')).toBeInTheDocument();
    expect(within(answer).getByTestId('copilot-answer-source')).toHaveTextContent('AI answer');
    await userEvent.click(within(answer).getByTestId('copilot-insert'));
    expect(onInsert).toHaveBeenCalledWith('Refunds are made within 14 days; see also the earlier case.');
    expect(screen.getByTestId('copilot-input')).toHaveValue('');
  });

  it('keeps the question and says why when the copilot cannot answer', async () => {
    mockFetch([
      { method: 'GET', path: `/api/ai/chat/sessions/${SESSION.id}`, body: { ...SESSION, messages: [] } },
      { method: 'POST', path: `/api/ai/chat/sessions/${SESSION.id}/messages`, status: 409, body: errorFixture('session_full', 'a conversation holds at most 100 messages; start a new one') },
    ]);
    renderWithProviders(<CopilotConversation sessionId={SESSION.id} />);
    await userEvent.type(screen.getByTestId('copilot-input'), 'One more?');
    await userEvent.click(screen.getByTestId('copilot-send'));
    expect(await screen.findByRole('alert')).toHaveTextContent('start a new one');
    await waitFor(() => expect(screen.getByTestId('copilot-input')).toHaveValue('One more?'));
  });
});
