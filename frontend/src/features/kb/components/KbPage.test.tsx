import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { components } from '@/api/schema';
import { mockFetch, renderWithProviders } from '@/test/utils';
import KbPage from './KbPage';

type Schemas = components['schemas'];

afterEach(() => vi.unstubAllGlobals());

const NO_CONTEXT = { category: null, confidence: null, source: 'none', used: false } satisfies Schemas['KbSearchContext'];

// The API's order (fused score) puts the weaker vector match first; the page shows the closest first.
const RESULTS = {
  results: [
    { id: 'c-2', content: 'Reset the VPN token.', metadata: { source: 'vpn.md' }, distance: 0.48, score: 0.03 },
    { id: 'c-1', content: 'Open **tray 2** and check the roller.<script>alert(1)</script>', metadata: { source: 'printers.md', title: 'Printers' }, distance: 0.12, score: 0.02 },
  ],
  context: NO_CONTEXT,
} satisfies Schemas['KbSearchOut'];

const documentFixture = (source: string, chunkCount: number, title: string | null = null) => ({
  source,
  title,
  collection: 'default',
  chunk_count: chunkCount,
  status: 'ready',
  origin: 'api',
  updated_at: '2026-01-01T00:00:00Z',
}) satisfies Schemas['KbDocumentOut'];

const NO_DOCUMENTS = { items: [], next_cursor: null } satisfies Schemas['KbDocumentPage'];

describe('knowledge base page (contract fixtures)', () => {
  it('imports pasted text with the passage settings under Advanced and shows the inserted ids', async () => {
    const { calls } = mockFetch([
      { method: 'GET', path: '/api/kb/documents', body: { items: [documentFixture('vpn.md', 3, 'VPN')], next_cursor: null } satisfies Schemas['KbDocumentPage'] },
      {
        method: 'POST',
        path: '/api/kb/ingest',
        body: { ids: ['c-10', 'c-11'], documents: [{ source: 'printers.md', chunk_count: 2 }], collection: 'default' } satisfies Schemas['KbIngestOut'],
      },
    ]);
    const user = userEvent.setup();
    renderWithProviders(<KbPage />);
    expect(await screen.findByText('vpn.md')).toBeInTheDocument();
    await user.type(screen.getByLabelText('Paste text'), 'Printers jam when tray 2 is worn.');
    await user.type(screen.getByLabelText('Source'), 'printers.md');
    await user.click(screen.getByText('Advanced: how documents are split into passages'));
    await user.clear(screen.getByLabelText('Overlap (characters)'));
    await user.type(screen.getByLabelText('Overlap (characters)'), '20');
    await user.click(screen.getByRole('button', { name: 'Import' }));
    expect(await screen.findByText('Inserted 2 passages')).toBeInTheDocument();
    expect(calls.find((c) => c.url === '/api/kb/ingest')?.body).toEqual({
      documents: [{ text: 'Printers jam when tray 2 is worn.', metadata: { source: 'printers.md' } }],
      chunk: true,
      chunk_size: 500,
      chunk_overlap: 20,
    });
    await user.click(screen.getByText('Passage ids'));
    expect(await screen.findByText('c-10')).toBeInTheDocument();
  });

  it('refuses an overlap as large as the passage size', async () => {
    const { calls } = mockFetch([{ method: 'GET', path: '/api/kb/documents', body: NO_DOCUMENTS }]);
    const user = userEvent.setup();
    renderWithProviders(<KbPage />);
    await user.type(screen.getByLabelText('Paste text'), 'Some text');
    await user.click(screen.getByText('Advanced: how documents are split into passages'));
    await user.clear(screen.getByLabelText('Overlap (characters)'));
    await user.type(screen.getByLabelText('Overlap (characters)'), '500');
    await user.click(screen.getByRole('button', { name: 'Import' }));
    expect(await screen.findByText('Overlap must be smaller than the passage size')).toBeInTheDocument();
    expect(calls.some((c) => c.url === '/api/kb/ingest')).toBe(false);
  });

  it('orders results by the match shown, renders Markdown without raw HTML, and deletes a result', async () => {
    const { calls } = mockFetch([
      { method: 'GET', path: '/api/kb/documents', body: NO_DOCUMENTS },
      { method: 'POST', path: '/api/kb/search', body: RESULTS },
      { method: 'POST', path: '/api/kb/delete', body: { deleted: 1, not_found: [] } satisfies Schemas['KbDeleteOut'] },
    ]);
    const user = userEvent.setup();
    renderWithProviders(<KbPage />);
    await user.type(screen.getByLabelText('Query'), 'printer roller');
    await user.click(screen.getByRole('button', { name: /Search/ }));
    const results = await screen.findByTestId('kb-results');
    await waitFor(() => expect(within(results).getAllByTestId('kb-hit-match').map((m) => m.textContent)).toEqual(['88% match', '52% match']));
    const best = within(results).getAllByTestId('kb-hit')[0]!;
    expect(within(best).getByText('tray 2').tagName).toBe('STRONG');
    expect(best.querySelector('script')).toBeNull();
    expect(within(best).getByText('Printers')).toBeInTheDocument();
    expect(screen.queryByText(/distance/i)).not.toBeInTheDocument();
    expect(calls.find((c) => c.url === '/api/kb/search')?.body).toEqual({ query: 'printer roller', top_k: 5 });

    await user.click(within(best).getByRole('button', { name: 'Delete' }));
    const confirm = await screen.findByRole('tooltip');
    await user.click(within(confirm).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(within(results).queryByText('tray 2')).not.toBeInTheDocument());
    expect(calls.find((c) => c.url === '/api/kb/delete')?.body).toEqual({ ids: ['c-1'] });
    expect(within(results).getByText('Reset the VPN token.')).toBeInTheDocument();
  });

  it('says plainly when nothing matches', async () => {
    mockFetch([
      { method: 'GET', path: '/api/kb/documents', body: NO_DOCUMENTS },
      { method: 'POST', path: '/api/kb/search', body: { results: [], context: NO_CONTEXT } satisfies Schemas['KbSearchOut'] },
    ]);
    const user = userEvent.setup();
    renderWithProviders(<KbPage />);
    await user.type(screen.getByLabelText('Query'), 'zxqv blorf');
    await user.click(screen.getByRole('button', { name: /Search/ }));
    const none = await screen.findByTestId('kb-no-match');
    expect(none).toHaveTextContent('No match');
    expect(none).toHaveTextContent('Nothing in the knowledge base is close enough to "zxqv blorf"');
  });

  it('opened from a citation, searches inside that document', async () => {
    const { calls } = mockFetch([
      { method: 'GET', path: '/api/kb/documents', body: NO_DOCUMENTS },
      { method: 'POST', path: '/api/kb/search', body: RESULTS },
    ]);
    renderWithProviders(<KbPage />, { route: '/kb?source=vpn.md&q=Reset%20the%20token' });
    expect(await screen.findByTestId('kb-search-source')).toHaveTextContent('Only in vpn.md');
    await waitFor(() => expect(calls.find((c) => c.url === '/api/kb/search')?.body).toEqual({
      query: 'Reset the token', top_k: 10, filter: { source: 'vpn.md' },
    }));
  });

  it('shows each document\'s passage count and pages through next_cursor and back', async () => {
    const first = Array.from({ length: 20 }, (_, i) => documentFixture(`doc-${String(i).padStart(2, '0')}.md`, i + 1));
    const { calls } = mockFetch([{
      method: 'GET',
      path: '/api/kb/documents',
      handle: ({ url }) => new URL(url, 'http://test').searchParams.get('cursor') === 'page-2'
        ? ({ items: [documentFixture('zz-last.md', 7, 'Last one')], next_cursor: null } satisfies Schemas['KbDocumentPage'])
        : ({ items: first, next_cursor: 'page-2' } satisfies Schemas['KbDocumentPage']),
    }]);
    const user = userEvent.setup();
    renderWithProviders(<KbPage />);
    const row = (await screen.findByText('doc-11.md')).closest('tr')!;
    expect(within(row).getByText('12')).toBeInTheDocument();
    expect(screen.getByText('Page 1')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Next page' }));
    const last = (await screen.findByText('zz-last.md')).closest('tr')!;
    expect(within(last).getByText('7')).toBeInTheDocument();
    expect(screen.queryByText('doc-11.md')).not.toBeInTheDocument();
    expect(screen.getByText('Page 2')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Next page' })).toBeDisabled();
    await user.click(screen.getByRole('button', { name: 'Previous page' }));
    expect(await screen.findByText('doc-11.md')).toBeInTheDocument();
    expect(calls.map((c) => c.url).filter((u, i, all) => all.indexOf(u) === i)).toEqual(['/api/kb/documents?page_size=20', '/api/kb/documents?page_size=20&cursor=page-2']);
  });

  it('says the knowledge base is not available when the server lacks the routes', async () => {
    mockFetch([{ method: 'GET', path: '/api/kb/documents', status: 403, body: { message: 'Missing Authentication Token' } }]);
    renderWithProviders(<KbPage />);
    expect(await screen.findByText('The knowledge base is not available on this server yet')).toBeInTheDocument();
  });
});
