import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockFetch, renderWithProviders } from '@/test/utils';
import KbPage from './KbPage';

afterEach(() => vi.unstubAllGlobals());

const RESULTS = {
  results: [
    { id: 'c-1', content: 'Open tray 2 and check the roller.', metadata: { source: 'printers.md', title: 'Printers' }, distance: 0.12 },
    { id: 'c-2', content: 'Reset the VPN token.', metadata: { source: 'vpn.md' }, distance: 0.48 },
  ],
};

describe('knowledge base page (contract fixtures)', () => {
  it('imports pasted text with the chunk settings and shows the inserted ids', async () => {
    const { calls } = mockFetch([
      { method: 'GET', path: '/api/kb/documents', body: [{ source: 'vpn.md', chunks: 3, title: 'VPN' }] },
      { method: 'POST', path: '/api/kb/ingest', body: { ids: ['c-10', 'c-11'] } },
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
    const { calls } = mockFetch([{ method: 'GET', path: '/api/kb/documents', body: [] }]);
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
      { method: 'GET', path: '/api/kb/documents', body: [] },
      { method: 'POST', path: '/api/kb/search', body: RESULTS },
      { method: 'POST', path: '/api/kb/delete', body: { deleted: 1 } },
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

  it('says the knowledge base is not available when the server lacks the routes', async () => {
    mockFetch([{ method: 'GET', path: '/api/kb/documents', status: 403, body: { message: 'Missing Authentication Token' } }]);
    renderWithProviders(<KbPage />);
    expect(await screen.findByText('The knowledge base is not available on this server yet')).toBeInTheDocument();
  });
});
