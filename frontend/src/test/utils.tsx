import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { App as AntApp } from 'antd';
import type { ReactElement } from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import { vi } from 'vitest';

export interface MockRoute {
  method: string;
  path: string | RegExp;
  status?: number;
  body?: unknown;
  /** Inspect the request; return a body to override `body`, or a whole Response. */
  handle?: (request: { url: string; body: unknown; headers: Record<string, string> }) => unknown;
}

/** Replace fetch with a tiny router over the given routes; unmatched requests fail the test loudly. */
export function mockFetch(routes: MockRoute[]) {
  const calls: { method: string; url: string; body: unknown; headers: Record<string, string> }[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const method = init?.method ?? 'GET';
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    const headers = (init?.headers ?? {}) as Record<string, string>;
    calls.push({ method, url, body, headers });
    const pathname = new URL(url, 'http://test').pathname;
    const route = routes.find((r) => r.method === method && (typeof r.path === 'string' ? r.path === pathname : r.path.test(pathname)));
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

export const userFixture = (id: number, name: string, role: 'requester' | 'agent' | 'admin' = 'requester') => ({
  id,
  name,
  email: `${name.toLowerCase().replace(/\s+/g, '.')}@example.com`,
  role,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
});

export const ticketFixture = (overrides: Record<string, unknown> = {}) => ({
  id: 7,
  title: 'VPN drops every hour',
  content: 'Since Monday the VPN disconnects every hour.',
  status: 'open' as const,
  priority: 'medium' as const,
  tags: ['vpn'],
  requester_id: 2,
  assignee_id: null,
  created_at: '2026-01-01T10:00:00Z',
  updated_at: '2026-01-01T10:00:00Z',
  version: 3,
  ...overrides,
});
