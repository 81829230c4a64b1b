import { afterEach, describe, expect, it, vi } from 'vitest';
import { errorFixture, mockFetch, userFixture, type Schemas } from '@/test/utils';
import { apiClient, ApiError, describeError, session, unwrap } from './api-client';

const tokensFixture = (accessToken: string) => ({
  access_token: accessToken,
  refresh_token: null,
  expires_in: 900,
  user: userFixture(1, 'Ada Admin', 'admin'),
}) satisfies Schemas['TokensOut'];

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
          : new Response(JSON.stringify(errorFixture('unauthorized', 'expired')), { status: 401 }),
      },
      { method: 'POST', path: '/api/auth/refresh', body: tokensFixture('new') },
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
      { method: 'GET', path: '/api/users', status: 401, body: errorFixture('unauthorized', 'expired') },
      { method: 'POST', path: '/api/auth/refresh', status: 401, body: errorFixture('unauthorized', 'no refresh token') },
    ]);
    await expect(unwrap(apiClient().GET('/api/users'))).rejects.toMatchObject({ status: 401 });
    expect(expired).toHaveBeenCalledOnce();
    expect(session.token()).toBeNull();
  });

  it('turns error bodies into ApiError with field details', async () => {
    mockFetch([{
      method: 'POST', path: '/api/tickets', status: 422,
      body: errorFixture('validation_error', 'invalid request: requester_id: no user with this id', [{ field: 'requester_id', message: 'no user with this id' }, { field: 'tags.2', message: 'too long' }]),
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

  it('signs in without the bearer token and does not try a refresh when the sign-in is refused', async () => {
    session.setToken('stale');
    const { calls } = mockFetch([
      { method: 'POST', path: '/api/auth/login', status: 401, body: errorFixture('invalid_credentials', 'wrong e-mail or password') },
    ]);
    const error = await unwrap(apiClient().POST('/api/auth/login', { body: { email: 'a@example.com', password: 'nope' } })).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401, code: 'invalid_credentials' });
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['POST /api/auth/login']);
    expect(calls[0]?.headers.authorization).toBeUndefined();
  });

  it('refuses, at compile time, a path, a parameter or a body field the API does not publish', () => {
    // Never run: tsc checks these lines (npm run lint / build), and fails if any stops being an error.
    const neverCalled = () => {
      // @ts-expect-error: no such route
      void apiClient().GET('/api/ticket');
      // @ts-expect-error: the list has no `state` filter
      void apiClient().GET('/api/tickets', { params: { query: { state: 'open' } } });
      // @ts-expect-error: a ticket id is a number
      void apiClient().GET('/api/tickets/{ticket_id}', { params: { path: { ticket_id: 'seven' } } });
      // @ts-expect-error: KB documents report `chunk_count`, not `chunks`
      void apiClient().GET('/api/kb/documents').then(({ data }) => data?.items[0]?.chunks);
    };
    expect(typeof neverCalled).toBe('function');
  });
});
