import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { errorFixture, mockFetch, renderWithProviders, ticketFixture, userFixture, userPageFixture } from '@/test/utils';
import NewTicketPage from './NewTicketPage';

const USERS = userPageFixture([userFixture(2, 'Dana Diaz'), userFixture(3, 'Eli Agent', 'agent')]);

afterEach(() => vi.unstubAllGlobals());

async function chooseRequester(user: ReturnType<typeof userEvent.setup>, search: string, option: RegExp) {
  await user.click(screen.getByLabelText('Requester'));
  await user.keyboard(search);
  const dropdown = await waitFor(() => {
    const open = document.querySelector('.ant-select-dropdown:not(.ant-select-dropdown-hidden)');
    if (!open) throw new Error('dropdown not open');
    return open as HTMLElement;
  });
  await user.click(await within(dropdown).findByText(option));
}

describe('New ticket', () => {
  it('validates while typing and refuses to submit an empty form', async () => {
    const { calls } = mockFetch([{ method: 'GET', path: '/api/users', body: USERS }]);
    const user = userEvent.setup();
    renderWithProviders(<NewTicketPage />);
    await user.click(screen.getByRole('button', { name: 'Create ticket' }));
    expect(await screen.findByText('Give the ticket a title')).toBeInTheDocument();
    expect(screen.getByText('Describe the problem')).toBeInTheDocument();
    expect(screen.getByText('Choose who asked')).toBeInTheDocument();
    await user.type(screen.getByLabelText('Title'), 'Printer jam');
    await waitFor(() => expect(screen.queryByText('Give the ticket a title')).not.toBeInTheDocument());
    fireEvent.change(screen.getByLabelText('Title'), { target: { value: 'x'.repeat(201) } });
    expect(await screen.findByText('At most 200 characters')).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('sends defaults and normalised tags, then opens the new ticket', async () => {
    const { calls } = mockFetch([
      { method: 'GET', path: '/api/users', body: USERS },
      { method: 'POST', path: '/api/tickets', status: 201, body: ticketFixture({ id: 42 }) },
    ]);
    const user = userEvent.setup();
    renderWithProviders(<NewTicketPage />, { route: '/tickets/new' });
    await user.type(screen.getByLabelText('Title'), '  VPN drops  ');
    await user.type(screen.getByLabelText('Content'), 'Every hour.');
    await chooseRequester(user, 'dana', /Dana Diaz/);
    await user.click(screen.getByLabelText('Tags'));
    await user.keyboard('VPN, Network,vpn,');
    await user.click(screen.getByRole('button', { name: 'Create ticket' }));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/tickets/42'));
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.body).toEqual({ title: 'VPN drops', content: 'Every hour.', requester_id: 2, status: 'open', priority: 'medium', tags: ['vpn', 'network'] });
  });

  it('puts the API\'s "invalid requester" next to the requester field', async () => {
    mockFetch([
      { method: 'GET', path: '/api/users', body: USERS },
      {
        method: 'POST', path: '/api/tickets', status: 422,
        body: errorFixture('validation_error', 'requester_id: no user with this id', [{ field: 'requester_id', message: 'no user with this id' }]),
      },
    ]);
    const user = userEvent.setup();
    renderWithProviders(<NewTicketPage />, { route: '/tickets/new' });
    await user.type(screen.getByLabelText('Title'), 'Ghost requester');
    await user.type(screen.getByLabelText('Content'), 'Someone deleted?');
    await chooseRequester(user, '999', /User #999/);
    await user.click(screen.getByRole('button', { name: 'Create ticket' }));
    expect(await screen.findByText('No user has this id. Pick one from the list.')).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/tickets/new');
  });
});
