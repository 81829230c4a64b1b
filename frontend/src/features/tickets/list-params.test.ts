import { describe, expect, it } from 'vitest';
import { hasFilters, parseListParams, toApiQuery, toSearchParams, withFilter } from './list-params';

describe('ticket list URL state', () => {
  it('reads filters and paging from the URL', () => {
    const params = parseListParams(new URLSearchParams('status=open&priority=high&requester=12&page=3&page_size=50'));
    expect(params).toEqual({ status: 'open', priority: 'high', requester: 12, page: 3, pageSize: 50 });
    expect(toApiQuery(params)).toEqual({ status: 'open', priority: 'high', requester_id: 12, page: 3, page_size: 50 });
  });

  it('drops anything invalid instead of sending it to the API', () => {
    const params = parseListParams(new URLSearchParams('status=bogus&priority=&requester=-4&page=0&page_size=7'));
    expect(params).toEqual({ status: undefined, priority: undefined, requester: undefined, page: 1, pageSize: 20 });
    expect(hasFilters(params)).toBe(false);
  });

  it('round-trips through the URL, leaving defaults out', () => {
    const params = { status: 'pending' as const, priority: undefined, requester: 5, page: 1, pageSize: 20 };
    expect(toSearchParams(params).toString()).toBe('status=pending&requester=5');
    expect(parseListParams(toSearchParams(params))).toEqual(params);
  });

  it('goes back to page 1 when a filter changes', () => {
    const params = parseListParams(new URLSearchParams('page=4&page_size=100'));
    expect(withFilter(params, { priority: 'urgent' })).toEqual({ ...params, priority: 'urgent', page: 1 });
  });
});
