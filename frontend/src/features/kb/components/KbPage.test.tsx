import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { components } from '@/api/schema';
import { mockFetch, renderWithProviders } from '@/test/utils';
import KbPage from './KbPage';

type Schemas = components['schemas'];

afterEach(() => vi.unstubAllGlobals());

const NO_CONTEXT = { category: null, confidence: null, source: 'none', used: false } satisfies Schemas['KbSearchContext'];

const RESULTS = {
  results: [
    { id: 'c-1', content: 'Open tray 2 and check the roller.', metadata: { source: 'printers.md', title: 'Printers' }, distance: 0.12, score: 0.03 },
    { id: 'c-2', content: 'Reset the VPN token.', metadata: { source: 'vpn.md' }, distance: 0.48, score: 0.02 },
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
  it('imports pasted text with the chunk settings and shows the inserted ids', async () => {
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
    await user.clear(screen.getByLabelText('Overlap'));
    await user.type(screen.getByLabelText('Overlap'), '20');
    await user.click(screen.getByRole('button', { name: 'Import' }));
    expect(await screen.findByText('Inserted 2 chunks')).toBeInTheDocument();
    expect(calls.find((c) => c.url === '/api/kb/ingest')?.body).toEqual({
      documents: [{ text: 'Printers jam when tray 2 is worn.', metadata: { source: 'printers.md' } }],
      chunk: true,
      chunk_size: 500,
      chunk_overlap: 20,
    });
    await user.click(screen.getByText('Chunk ids'));
    expect(await screen.findByText('c-10')).toBeInTheDocument();
  });

  it('refuses an overlap as large as the chunk size', async () => {
    const { calls } = mockFetch([{ method: 'GET', path: '/api/kb/documents', body: NO_DOCUMENTS }]);
    const user = userEvent.setup();
    renderWithProviders(<KbPage />);
    await user.type(screen.getByLabelText('Paste text'), 'Some text');
    await user.clear(screen.getByLabelText('Overlap'));
    await user.type(screen.getByLabelText('Overlap'), '500');
    await user.click(screen.getByRole('button', { name: 'Import' }));
    expect(await screen.findByText('Overlap must be smaller than the chunk size')).toBeInTheDocument();
    expect(calls.some((c) => c.url === '/api/kb/ingest')).toBe(false);
  });

  it('searches with Top-K, shows content, metadata and distance, and deletes a result', async () => {
    const { calls } = mockFetch([
      { method: 'GET', path: '/api/kb/documents', body: NO_DOCUMENTS },
      { method: 'POST', path: '/api/kb/search', body: RESULTS },
      { method: 'POST', path: '/api/kb/delete', body: { deleted: 1, not_found: [] } satisfies Schemas['KbDeleteOut'] },
    ]);
    const user = userEvent.setup();
    renderWithProviders(<KbPage />);
    await user.type(screen.getByLabelText('Query'), 'printer roller');
    await user.clear(screen.getByLabelText('Top-K'));
    await user.type(screen.getByLabelText('Top-K'), '3');
    await user.click(screen.getByRole('button', { name: /Search/ }));
    const results = await screen.findByTestId('kb-results');
    expect(await within(results).findByText('Open tray 2 and check the roller.')).toBeInTheDocument();
    expect(within(results).getByText('distance 0.1200')).toBeInTheDocument();
    expect(within(results).getByText('source: printers.md')).toBeInTheDocument();
    expect(calls.find((c) => c.url === '/api/kb/search')?.body).toEqual({ query: 'printer roller', top_k: 3 });

    await user.click(within(results).getAllByRole('button', { name: /Delete/ })[0]!);
    const confirm = await screen.findByRole('tooltip');
    await user.click(within(confirm).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(within(results).queryByText('Open tray 2 and check the roller.')).not.toBeInTheDocument());
    expect(calls.find((c) => c.url === '/api/kb/delete')?.body).toEqual({ ids: ['c-1'] });
    expect(within(results).getByText('Reset the VPN token.')).toBeInTheDocument();
  });

  it('shows each document\'s chunk count and loads every page through next_cursor', async () => {
    const first = Array.from({ length: 50 }, (_, i) => documentFixture(`doc-${String(i).padStart(2, '0')}.md`, i + 1));
    const { calls } = mockFetch([{
      method: 'GET',
      path: '/api/kb/documents',
      handle: ({ url }) => new URL(url, 'http://test').searchParams.get('cursor') === 'page-2'
        ? ({ items: [documentFixture('zz-last.md', 7, 'Last one')], next_cursor: null } satisfies Schemas['KbDocumentPage'])
        : ({ items: first, next_cursor: 'page-2' } satisfies Schemas['KbDocumentPage']),
    }]);
    const user = userEvent.setup();
    renderWithProviders(<KbPage />);
    const row = (await screen.findByText('doc-41.md')).closest('tr')!;
    expect(within(row).getByText('42')).toBeInTheDocument();
    expect(screen.queryByText('zz-last.md')).not.toBeInTheDocument();
    expect(screen.getByText('Showing the first 50 documents')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Load more' }));
    const last = (await screen.findByText('zz-last.md')).closest('tr')!;
    expect(within(last).getByText('7')).toBeInTheDocument();
    expect(screen.getByText('51 documents')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
    expect(calls.map((c) => c.url)).toEqual(['/api/kb/documents?page_size=50', '/api/kb/documents?page_size=50&cursor=page-2']);
  });

  it('says the knowledge base is not available when the server lacks the routes', async () => {
    mockFetch([{ method: 'GET', path: '/api/kb/documents', status: 403, body: { message: 'Missing Authentication Token' } }]);
    renderWithProviders(<KbPage />);
    expect(await screen.findByText('The knowledge base is not available on this server yet')).toBeInTheDocument();
  });
});
