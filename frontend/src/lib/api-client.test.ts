import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockFetch } from '@/test/utils';
import { apiClient, ApiError, describeError, session, unwrap } from './api-client';

afterEach(() => {
  vi.unstubAllGlobals();
  session.setToken(null);
  session.onExpired(null);
});

describe('api client', () => {
  it('sends the bearer token', async () => {
    session.setToken('abc');
    const { calls } = mockFetch([{ method: 'GET', path: '/api/tickets', body: { items: [] } }]);
    await unwrap(apiClient().GET('/api/tickets', { params: { query: { status: 'open', priority: undefined } } }));
    expect(calls[0]?.headers.authorization).toBe('Bearer abc');
    expect(calls[0]?.url).toBe('/api/tickets?status=open');
  });

  it('refreshes once on a 401 and retries with the new token', async () => {
    session.setToken('old');
    const { calls } = mockFetch([
      {
        method: 'GET',
        path: '/api/tickets/1',
        handle: ({ headers }) => headers.authorization === 'Bearer new'
          ? { id: 1 }
          : new Response(JSON.stringify({ error: 'unauthorized', message: 'expired', details: [] }), { status: 401 }),
      },
      { method: 'POST', path: '/api/auth/refresh', body: { access_token: 'new', refresh_token: null, expires_in: 900, user: {} } },
    ]);
    await expect(unwrap(apiClient().GET('/api/tickets/{ticket_id}', { params: { path: { ticket_id: 1 } } }))).resolves.toEqual({ id: 1 });
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['GET /api/tickets/1', 'POST /api/auth/refresh', 'GET /api/tickets/1']);
    expect(calls[1]?.body).toEqual({ refresh_delivery: 'cookie' });
    expect(session.token()).toBe('new');
  });

  it('ends the session when the refresh fails too', async () => {
    session.setToken('old');
    const expired = vi.fn();
    session.onExpired(expired);
    mockFetch([
      { method: 'GET', path: '/api/users', status: 401, body: { error: 'unauthorized', message: 'expired', details: [] } },
      { method: 'POST', path: '/api/auth/refresh', status: 401, body: { error: 'unauthorized', message: 'no refresh token', details: [] } },
    ]);
    await expect(unwrap(apiClient().GET('/api/users'))).rejects.toMatchObject({ status: 401 });
    expect(expired).toHaveBeenCalledOnce();
    expect(session.token()).toBeNull();
  });

  it('turns error bodies into ApiError with field details', async () => {
    mockFetch([{
      method: 'POST', path: '/api/tickets', status: 422,
      body: { error: 'validation_error', message: 'invalid request: requester_id: no user with this id', details: [{ field: 'requester_id', message: 'no user with this id' }, { field: 'tags.2', message: 'too long' }] },
    }]);
    const error = await unwrap(apiClient().POST('/api/tickets', { body: { title: 'x', content: 'y', requester_id: 99 } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).fieldErrors()).toEqual({ requester_id: ['no user with this id'], tags: ['too long'] });
    expect(describeError(error)).toMatch(/fix the highlighted fields/);
  });

  it('recognises a route the server does not have, without echoing the gateway message', async () => {
    mockFetch([{ method: 'POST', path: '/api/kb/search', status: 403, body: { message: 'Authorization=Bearer secret' } }]);
    const error = (await unwrap(apiClient().POST('/api/kb/search', { body: { query: 'vpn' } })).catch((e: unknown) => e)) as ApiError;
    expect(error.routeMissing).toBe(true);
    expect(error.message).not.toContain('secret');
  });

  it('reports an unreachable API in words', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => { throw new TypeError('Failed to fetch'); }));
    const error = await unwrap(apiClient().GET('/api/tickets')).catch((e: unknown) => e);
    expect(describeError(error)).toMatch(/Cannot reach the help desk API/);
  });
});
