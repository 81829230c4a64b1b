import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { App as AntApp } from 'antd';
import type { ReactElement } from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import { vi } from 'vitest';
import type { components } from '@/api/schema';
import type { Role, Ticket, User } from '@/api/types';

export type Schemas = components['schemas'];

export interface MockRoute {
  method: string;
  path: string | RegExp;
  status?: number;
  body?: unknown;
  /** Inspect the request; return a body to override `body`, or a whole Response. */
  handle?: (request: { url: string; body: unknown; headers: Record<string, string> }) => unknown;
}

/**
 * Replace fetch with a tiny router over the given routes; unmatched requests fail the test loudly. Calls
 * are recorded with the URL's path and query, the parsed JSON body and lower-case header names.
 */
export function mockFetch(routes: MockRoute[]) {
  const calls: { method: string; url: string; body: unknown; headers: Record<string, string> }[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(new URL(String(input), 'http://localhost'), init);
    const parsed = new URL(request.url);
    const url = `${parsed.pathname}${parsed.search}`;
    const method = request.method;
    const text = await request.clone().text();
    const body = text ? (JSON.parse(text) as unknown) : undefined;
    const headers = Object.fromEntries(request.headers.entries());
    calls.push({ method, url, body, headers });
    const route = routes.find((r) => r.method === method && (typeof r.path === 'string' ? r.path === parsed.pathname : r.path.test(parsed.pathname)));
    if (!route) throw new Error(`unexpected request ${method} ${url}`);
    const handled = route.handle?.({ url, body, headers });
    if (handled instanceof Response) return handled;
    const payload = handled ?? route.body;
    const status = route.status ?? 200;
    return new Response(status === 204 ? null : JSON.stringify(payload ?? {}), {
      status,
      headers: { 'Content-Type': 'application/json' },
    });
  });
  vi.stubGlobal('fetch', fetchMock);
  return { calls, fetchMock };
}

function LocationProbe() {
  const location = useLocation();
  return <div data-testid="location">{`${location.pathname}${location.search}`}</div>;
}

export function renderWithProviders(ui: ReactElement, { route = '/', path = '*' }: { route?: string; path?: string } = {}) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const result = render(
    <AntApp>
      <QueryClientProvider client={queryClient}>
        <MemoryRouter initialEntries={[route]}>
          <Routes>
            <Route path={path} element={ui} />
            <Route path="*" element={null} />
          </Routes>
          <LocationProbe />
        </MemoryRouter>
      </QueryClientProvider>
    </AntApp>,
  );
  return { ...result, queryClient };
}

// Fixtures are typed against the generated schema, so a mock cannot drift from what the server sends.
export const userFixture = (id: number, name: string, role: Role = 'requester'): User => ({
  id,
  name,
  email: `${name.toLowerCase().replace(/\s+/g, '.')}@example.com`,
  role,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
}) satisfies Schemas['UserOut'];

export const ticketFixture = (overrides: Partial<Ticket> = {}): Ticket => ({
  ...({
    id: 7,
    title: 'VPN drops every hour',
    content: 'Since Monday the VPN disconnects every hour.',
    status: 'open',
    priority: 'medium',
    tags: ['vpn'],
    requester_id: 2,
    assignee_id: null,
    created_at: '2026-01-01T10:00:00Z',
    updated_at: '2026-01-01T10:00:00Z',
    version: 3,
  } satisfies Schemas['TicketOut']),
  ...overrides,
});

/** GET /api/users as the API answers it: one page holding these users. */
export const userPageFixture = (users: User[]) => ({
  items: users,
  page: 1,
  page_size: 100,
  total: users.length,
  next_cursor: null,
}) satisfies Schemas['PageOf_UserOut'];

/** The API's error body. */
export const errorFixture = (error: string, message: string, details: Schemas['ErrorBody']['details'] = []) => ({
  error,
  message,
  details,
}) satisfies Schemas['ErrorBody'];
