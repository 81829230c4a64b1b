import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockFetch, renderWithProviders, ticketFixture, type Schemas } from '@/test/utils';
import { AiAnswerFeedback } from './AiAnswerFeedback';
import { SelfServiceAnswer } from './SelfServiceAnswer';

const ANSWER: Schemas['AiAnswerOut'] = {
  answerable: true,
  answer: 'Hi there,\n\nOpen the sign-in page and choose "Forgot password".\n\nSources:\n- Troubleshooting sign-in',
  citations: [{ source: 'sign-in.md', title: 'Troubleshooting sign-in', chunk_id: 'c1' }],
  articles: [{ source: 'sign-in.md', title: 'Troubleshooting sign-in', chunk_id: 'c1', excerpt: 'Open the sign-in page…', category: 'account_access' }],
  reason: 'answered from the knowledge base', category: 'account_access', confidence: 0.93,
};

afterEach(() => vi.unstubAllGlobals());

function Typing({ onDeflected }: { onDeflected: () => void }) {
  const [question, setQuestion] = useState('');
  return (
    <>
      <input aria-label="question" value={question} onChange={(event) => setQuestion(event.target.value)} />
      <SelfServiceAnswer question={question} onDeflected={onDeflected} />
    </>
  );
}

describe('self-service answer in the New request form', () => {
  it('asks once the requester pauses, and "This answered my question" records a deflection without a ticket', async () => {
    const { calls } = mockFetch([
      { method: 'POST', path: '/api/ai/answer', body: ANSWER },
      { method: 'POST', path: '/api/ai/deflections', status: 202, body: { recorded: true } },
    ]);
    const onDeflected = vi.fn();
    renderWithProviders(<Typing onDeflected={onDeflected} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('question'), 'Forgot my password, I cannot sign in');
    expect(await screen.findByTestId('self-service-text', {}, { timeout: 3000 })).toHaveTextContent('Forgot password');
    const asked = calls.filter((c) => c.url === '/api/ai/answer');
    expect(asked).toHaveLength(1); // debounced: one question once the typing stopped, not one per key
    expect(asked[0]!.body).toEqual({ question: 'Forgot my password, I cannot sign in' });

    await user.click(screen.getByRole('button', { name: 'This answered my question' }));
    await waitFor(() => expect(onDeflected).toHaveBeenCalledOnce());
    const deflection = calls.find((c) => c.url === '/api/ai/deflections');
    expect(deflection?.body).toEqual({ question: 'Forgot my password, I cannot sign in', category: 'account_access' });
    expect(calls.some((c) => c.url.startsWith('/api/tickets'))).toBe(false);
  });

  it('offers the articles when it cannot answer, and "Create my request anyway" puts it away', async () => {
    mockFetch([{ method: 'POST', path: '/api/ai/answer', body: { ...ANSWER, answerable: false, answer: null, citations: [] } }]);
    const onDeflected = vi.fn();
    renderWithProviders(<SelfServiceAnswer question="My printer jams on every page" onDeflected={onDeflected} />);
    expect(await screen.findByText('Articles that may help', {}, { timeout: 3000 })).toBeInTheDocument();
    expect(screen.getByText('Open the sign-in page…')).toBeInTheDocument();
    await userEvent.setup().click(screen.getByRole('button', { name: 'Create my request anyway' }));
    expect(screen.queryByTestId('self-service-answer')).not.toBeInTheDocument();
    expect(onDeflected).not.toHaveBeenCalled();
  });
});

describe('the AI answer in the requester portal', () => {
  const sent: Schemas['AiResponseOut'] = { decision: 'sent', reason: 'answered from the knowledge base', reply_id: 5, sources: ['sign-in.md'], confidence: 0.9, decided_at: '2026-01-01T10:00:00Z' };

  it.each([['This solved my problem', true], ['I still need help', false]] as const)('"%s" sends helpful=%s', async (label, helpful) => {
    const { calls } = mockFetch([{ method: 'POST', path: '/api/tickets/7/ai-feedback', body: ticketFixture({ status: helpful ? 'resolved' : 'open' }) }]);
    renderWithProviders(<AiAnswerFeedback ticket={ticketFixture({ status: 'pending', ai_response: sent })} />);
    await userEvent.setup().click(screen.getByRole('button', { name: label }));
    await waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0]!.body).toEqual({ helpful });
  });

  it('asks nothing when the AI declined, and thanks the requester once they answered', () => {
    const { unmount } = renderWithProviders(<AiAnswerFeedback ticket={ticketFixture({ ai_response: { ...sent, decision: 'declined', reply_id: null } })} />);
    expect(screen.queryByRole('button', { name: 'This solved my problem' })).not.toBeInTheDocument();
    unmount();
    renderWithProviders(<AiAnswerFeedback ticket={ticketFixture({ ai_response: { ...sent, feedback: 'helpful' } })} />);
    expect(screen.getByText('Glad the answer helped.')).toBeInTheDocument();
  });
});
