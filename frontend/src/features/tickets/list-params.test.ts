import { describe, expect, it } from 'vitest';
import { hasFilters, parseListParams, toApiQuery, toSearchParams, withFilter } from './list-params';

describe('ticket list URL state', () => {
  it('reads filters and paging from the URL', () => {
    const params = parseListParams(new URLSearchParams('status=open&priority=high&requester=12&page=3&page_size=50'));
    expect(params).toEqual({ status: 'open', priority: 'high', requester: 12, assignee: undefined, page: 3, pageSize: 50 });
    expect(toApiQuery(params)).toEqual({ status: 'open', priority: 'high', requester_id: 12, assignee_id: undefined, page: 3, page_size: 50 });
  });

  it('drops anything invalid instead of sending it to the API', () => {
    const params = parseListParams(new URLSearchParams('status=bogus&priority=&requester=-4&page=0&page_size=7'));
    expect(params).toEqual({ status: undefined, priority: undefined, requester: undefined, assignee: undefined, page: 1, pageSize: 20 });
    expect(hasFilters(params)).toBe(false);
  });

  it('round-trips through the URL, leaving defaults out', () => {
    const params = { status: 'pending' as const, priority: undefined, requester: 5, assignee: undefined, page: 1, pageSize: 20 };
    expect(toSearchParams(params).toString()).toBe('status=pending&requester=5');
    expect(parseListParams(toSearchParams(params))).toEqual(params);
  });

  it('goes back to page 1 when a filter changes', () => {
    const params = parseListParams(new URLSearchParams('page=4&page_size=100'));
    expect(withFilter(params, { priority: 'urgent' })).toEqual({ ...params, priority: 'urgent', page: 1 });
  });

  it('filters by assignee: an agent ("My tickets") or nobody ("Unassigned")', () => {
    const mine = parseListParams(new URLSearchParams('assignee=9'));
    expect(mine.assignee).toBe(9);
    expect(toApiQuery(mine).assignee_id).toBe(9);
    const unassigned = parseListParams(new URLSearchParams('assignee=none&status=open'));
    expect(unassigned.assignee).toBe('none');
    expect(toApiQuery(unassigned)).toMatchObject({ assignee_id: 'none', status: 'open' });
    expect(toSearchParams(unassigned).toString()).toBe('status=open&assignee=none');
    expect(hasFilters(unassigned)).toBe(true);
    expect(parseListParams(new URLSearchParams('assignee=nobody')).assignee).toBeUndefined();
  });
});
