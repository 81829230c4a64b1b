import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockFetch, renderWithProviders, userFixture, userPageFixture } from '@/test/utils';
import type { TicketListParams } from '../list-params';
import { quickFilterOf, TicketFilters } from './TicketFilters';

afterEach(() => vi.unstubAllGlobals());

function openDropdown(): HTMLElement {
  const open = document.querySelector('.ant-select-dropdown:not(.ant-select-dropdown-hidden)');
  if (!open) throw new Error('dropdown not open');
  return open as HTMLElement;
}

describe('ticket filters', () => {
  it('changes a filter and goes back to page 1; clears all at once', async () => {
    mockFetch([{ method: 'GET', path: '/api/users', body: userPageFixture([userFixture(9, 'Ray Q')]) }]);
    const onChange = vi.fn();
    const params: TicketListParams = { status: 'open', priority: undefined, requester: undefined, page: 3, pageSize: 50 };
    const user = userEvent.setup();
    renderWithProviders(<TicketFilters params={params} onChange={onChange} />);

    await user.click(screen.getByLabelText('Filter by priority'));
    const dropdown = await waitFor(openDropdown);
    await user.click(await screen.findByText('Urgent', { selector: '.ant-select-item-option-content' }, { container: dropdown }));
    expect(onChange).toHaveBeenLastCalledWith({ ...params, priority: 'urgent', page: 1 });

    await user.click(screen.getByRole('button', { name: /Clear filters/ }));
    expect(onChange).toHaveBeenLastCalledWith({ status: undefined, priority: undefined, requester: undefined, assignee: undefined, page: 1, pageSize: 50 });
  });

  it('hides "Clear filters" when nothing is filtered', () => {
    mockFetch([{ method: 'GET', path: '/api/users', body: userPageFixture([]) }]);
    renderWithProviders(<TicketFilters params={{ page: 1, pageSize: 20 }} onChange={vi.fn()} />);
    expect(screen.queryByRole('button', { name: /Clear filters/ })).not.toBeInTheDocument();
  });

  it('"My tickets" filters on the signed-in agent, "Unassigned" on nobody', async () => {
    mockFetch([{ method: 'GET', path: '/api/users', body: userPageFixture([]) }]);
    const onChange = vi.fn();
    const user = userEvent.setup();
    const params: TicketListParams = { status: 'open', page: 2, pageSize: 20 };
    renderWithProviders(<TicketFilters params={params} onChange={onChange} meId={4} />);
    await user.click(screen.getByText('My tickets'));
    expect(onChange).toHaveBeenLastCalledWith({ ...params, assignee: 4, page: 1 });
    await user.click(screen.getByText('Unassigned'));
    expect(onChange).toHaveBeenLastCalledWith({ ...params, assignee: 'none', page: 1 });
  });

  it('tells which quick filter the URL holds', () => {
    expect(quickFilterOf({ page: 1, pageSize: 20 }, 4)).toBe('all');
    expect(quickFilterOf({ assignee: 4, page: 1, pageSize: 20 }, 4)).toBe('mine');
    expect(quickFilterOf({ assignee: 'none', page: 1, pageSize: 20 }, 4)).toBe('none');
    expect(quickFilterOf({ assignee: 8, page: 1, pageSize: 20 }, 4)).toBe('other');
  });
});
