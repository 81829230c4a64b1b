import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AiSuggestion } from '@/api/types';
import { errorFixture, mockFetch, renderWithProviders } from '@/test/utils';
import { clearSuggestion } from '@/lib/suggestion-draft';
import { AiSuggestionPanel, type AiSuggestionPanelProps } from './AiSuggestionPanel';

/** Typed by the generated contract of POST /api/ai/tickets/{id}/suggest. */
const SUGGESTION: AiSuggestion = {
  category: 'network',
  confidence: 0.87,
  out_of_scope: false,
  alternatives: [{ category: 'hardware', confidence: 0.08 }],
  draft_source: 'llm',
  fallback_reason: null,
  classification: 'stored',
  priority: 'high',
  tags: ['vpn', 'remote-access', 'timeout'],
  snippets: [
    { id: 'kb-1', content: 'Reconnect the VPN client after changing networks.', metadata: { source: 'vpn-guide.md', title: 'VPN guide' }, distance: 0.1234 },
    { id: 'kb-2', content: 'Idle timeout is 60 minutes.', metadata: { source: 'policies.md' }, distance: 0.3 },
  ],
  draft: 'Hi, please update the VPN client to 5.2 and reconnect.',
  sources: [{ source: 'vpn-guide.md', title: 'VPN guide' }, { source: 'policies.md' }],
  model: 'test-model',
};

afterEach(() => {
  vi.unstubAllGlobals();
  sessionStorage.clear();
});

function setup(overrides: Partial<AiSuggestionPanelProps> = {}) {
  const props: AiSuggestionPanelProps = {
    ticketId: 7,
    currentPriority: 'medium',
    currentTags: ['vpn'],
    onApplyPriority: vi.fn(),
    onApplyTags: vi.fn(),
    onInsertDraft: vi.fn(),
    ...overrides,
  };
  renderWithProviders(<AiSuggestionPanel {...props} />);
  return props;
}

describe('AI suggestion panel', () => {
  it('shows the suggestion and applies each part with one click', async () => {
    const { calls } = mockFetch([{ method: 'POST', path: '/api/ai/tickets/7/suggest', body: SUGGESTION }]);
    const user = userEvent.setup();
    const props = setup();
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    expect(await screen.findByTestId('ai-category')).toHaveTextContent('network');
    expect(calls[0]?.url).toBe('/api/ai/tickets/7/suggest');
    expect(screen.getByText('87% confident')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Apply priority high' }));
    expect(props.onApplyPriority).toHaveBeenCalledWith('high');

    // "vpn" is already on the ticket: no button for it; the others add themselves to the current tags.
    expect(screen.queryByRole('button', { name: 'Add tag vpn' })).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Add tag timeout' }));
    expect(props.onApplyTags).toHaveBeenLastCalledWith(['vpn', 'timeout']);
    await user.click(screen.getByRole('button', { name: 'Add all' }));
    expect(props.onApplyTags).toHaveBeenLastCalledWith(['vpn', 'remote-access', 'timeout']);

    await user.click(screen.getByRole('button', { name: /Insert into reply/ }));
    expect(props.onInsertDraft).toHaveBeenCalledWith(SUGGESTION.draft);
  });

  it('lists KB snippets with their source and expands them', async () => {
    mockFetch([{ method: 'POST', path: '/api/ai/tickets/7/suggest', body: SUGGESTION }]);
    const user = userEvent.setup();
    setup();
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    const header = await screen.findByText('VPN guide — vpn-guide.md');
    expect(screen.getByText('· distance 0.123')).toBeInTheDocument();
    expect(screen.queryByText(SUGGESTION.snippets[0]!.content)).not.toBeInTheDocument();
    await user.click(header);
    expect(await screen.findByText(SUGGESTION.snippets[0]!.content)).toBeInTheDocument();
  });

  it('says when the priority is already what the AI recommends', async () => {
    mockFetch([{ method: 'POST', path: '/api/ai/tickets/7/suggest', body: SUGGESTION }]);
    const user = userEvent.setup();
    setup({ currentPriority: 'high' });
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    expect(await screen.findByText('already set')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Apply priority high' })).not.toBeInTheDocument();
  });

  it('applies the category as the ticket\'s category, unless the agents already chose it', async () => {
    mockFetch([{ method: 'POST', path: '/api/ai/tickets/7/suggest', body: SUGGESTION }]);
    const user = userEvent.setup();
    const onApplyCategory = vi.fn();
    setup({ onApplyCategory, currentCategory: null });
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    await user.click(await screen.findByRole('button', { name: 'Apply category network' }));
    expect(onApplyCategory).toHaveBeenCalledWith('network');
  });

  it('says when nothing in the taxonomy fits (out of scope)', async () => {
    mockFetch([{ method: 'POST', path: '/api/ai/tickets/7/suggest', body: { ...SUGGESTION, category: null, out_of_scope: true } }]);
    const user = userEvent.setup();
    setup({ onApplyCategory: vi.fn() });
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    expect(await screen.findByTestId('ai-category')).toHaveTextContent('Out of scope');
    expect(screen.queryByRole('button', { name: /Apply category/ })).not.toBeInTheDocument();
  });

  it('shows a loading state while the AI works', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    vi.stubGlobal('fetch', vi.fn(async () => { await gate; return new Response(JSON.stringify(SUGGESTION), { status: 200 }); }));
    const user = userEvent.setup();
    setup();
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    expect(await screen.findByText(/searching the knowledge base/)).toBeInTheDocument();
    release();
    expect(await screen.findByTestId('ai-category')).toBeInTheDocument();
  });

  it('explains an AI outage and offers to retry', async () => {
    mockFetch([{ method: 'POST', path: '/api/ai/tickets/7/suggest', status: 503, body: errorFixture('ai_unavailable', 'model timed out') }]);
    const user = userEvent.setup();
    setup();
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    expect(await screen.findByText('AI unavailable')).toBeInTheDocument();
    expect(screen.getByText(/model timed out.*reply by hand/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });

  it('says plainly when the server has no AI route yet', async () => {
    mockFetch([{ method: 'POST', path: '/api/ai/tickets/7/suggest', status: 403, body: { message: 'Missing Authentication Token' } }]);
    const user = userEvent.setup();
    setup();
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    expect(await screen.findByText('AI suggestions are not available yet')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Try again' })).not.toBeInTheDocument());
  });

  it('keeps the generated draft across a reload of the page, per ticket, until a reply from it is sent', async () => {
    const { calls } = mockFetch([{ method: 'POST', path: '/api/ai/tickets/7/suggest', body: SUGGESTION }]);
    const user = userEvent.setup();
    setup();
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    expect(await screen.findByTestId('ai-draft')).toHaveTextContent(SUGGESTION.draft);
    cleanup();

    setup(); // the page again, as after a reload: no new request, the same draft
    expect(screen.getByTestId('ai-draft')).toHaveTextContent(SUGGESTION.draft);
    expect(screen.getByTestId('ai-kept')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Regenerate' })).toBeInTheDocument();
    expect(calls).toHaveLength(1);
    cleanup();

    setup({ ticketId: 8 }); // another ticket has nothing kept
    expect(screen.queryByTestId('ai-draft')).not.toBeInTheDocument();
    cleanup();

    clearSuggestion(7); // what the reply form does once the reply is sent
    setup();
    expect(screen.queryByTestId('ai-draft')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Generate' })).toBeInTheDocument();
  });
});
