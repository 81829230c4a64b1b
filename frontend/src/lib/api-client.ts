/**
 * The one HTTP client: adds the bearer token, refreshes it once on a 401 and retries, and turns error
 * bodies ({error, message, details}) into ApiError.
 *
 * The access token lives in this module's memory only (never localStorage). The refresh token is an
 * httpOnly, SameSite=Strict cookie scoped to /api/auth that page scripts cannot read; a reload gets a
 * new access token through POST /api/auth/refresh (see README, "Console").
 */
import { getConfig } from '@/config';
import type { ErrorBody, Tokens } from '@/api/types';

export interface FieldProblem {
  field: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: FieldProblem[];

  constructor(status: number, code: string, message: string, details: FieldProblem[] = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** Problems keyed by field name (`tags.2` is reported under `tags`). */
  fieldErrors(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const { field, message } of this.details) {
      const key = field.split('.')[0] ?? field;
      (out[key] ??= []).push(message);
    }
    return out;
  }

  /**
   * True when the route itself does not exist on this server (yet): API Gateway and chalice local answer
   * an unknown path with their own 403/404 body, not with our {error, message} shape.
   */
  get routeMissing(): boolean {
    return this.code === ROUTE_MISSING;
  }
}

export const ROUTE_MISSING = 'route_not_found';

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

let accessToken: string | null = null;
// A hint, not a secret: "this browser signed in and has not signed out". Without it a first visit would
// always start with a refresh call that is bound to fail (a 401 in the console for every new visitor).
const SESSION_HINT = 'hd_has_session';
let sessionExpired: (() => void) | null = null;
let refreshing: Promise<Tokens | null> | null = null;

export const session = {
  token: (): string | null => accessToken,
  setToken(token: string | null): void {
    accessToken = token;
    try {
      if (token) localStorage.setItem(SESSION_HINT, '1');
      else localStorage.removeItem(SESSION_HINT);
    } catch {
      // storage disabled: every load simply tries a refresh
    }
  },
  /** Whether a silent refresh at start-up is worth trying. */
  mayHaveSession(): boolean {
    try {
      return localStorage.getItem(SESSION_HINT) !== null;
    } catch {
      return true;
    }
  },
  /** Called once when a 401 cannot be cured by a refresh (the app then shows the sign-in page). */
  onExpired(handler: (() => void) | null): void {
    sessionExpired = handler;
  },
};

export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  query?: Record<string, QueryValue>;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** false for the sign-in and refresh calls: no bearer token, no refresh-and-retry. */
  auth?: boolean;
}

export function buildUrl(path: string, query?: Record<string, QueryValue>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return `${getConfig().apiBaseUrl}${path}${qs ? `?${qs}` : ''}`;
}

async function send(path: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.auth !== false && accessToken) headers.Authorization = `Bearer ${accessToken}`;
  try {
    return await fetch(buildUrl(path, options.query), {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
      credentials: 'include',
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network', 'Cannot reach the help desk API. Check your connection, then try again.');
  }
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export async function toApiError(response: Response): Promise<ApiError> {
  const body = await readBody(response);
  if (body && typeof body === 'object' && 'error' in body && 'message' in body) {
    const err = body as ErrorBody;
    return new ApiError(response.status, err.error, err.message, err.details ?? []);
  }
  // API Gateway and chalice local answer some errors themselves as {"message": ...}. For an unknown path
  // that is a 403 ("Missing Authentication Token"; locally a message that echoes the Authorization header,
  // so it is never shown).
  if ([403, 404, 405].includes(response.status)) {
    return new ApiError(response.status, ROUTE_MISSING, 'This feature is not available on the server yet.');
  }
  const message = body && typeof body === 'object' && 'message' in body ? String(body.message) : '';
  return new ApiError(response.status, `http_${response.status}`, message || `HTTP ${response.status} ${response.statusText}`);
}

/** Get a new access token from the refresh cookie; one request at a time, shared by all callers. */
export function refreshSession(): Promise<Tokens | null> {
  refreshing ??= (async () => {
    try {
      const response = await send('/api/auth/refresh', {
        method: 'POST',
        body: { refresh_delivery: 'cookie' },
        auth: false,
      });
      if (!response.ok) {
        session.setToken(null);
        return null;
      }
      const tokens = (await response.json()) as Tokens;
      session.setToken(tokens.access_token);
      return tokens;
    } catch {
      return null;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  let response = await send(path, options);
  if (response.status === 401 && options.auth !== false) {
    const tokens = await refreshSession();
    if (tokens) {
      response = await send(path, options);
    }
    if (response.status === 401) {
      session.setToken(null);
      sessionExpired?.();
      throw new ApiError(401, 'unauthorized', 'Your session has ended. Sign in again.');
    }
  }
  if (!response.ok) throw await toApiError(response);
  if (response.status === 204) return undefined as T;
  return (await readBody(response)) as T;
}

export const api = {
  get: <T>(path: string, query?: Record<string, QueryValue>, signal?: AbortSignal) =>
    apiRequest<T>(path, { query, signal }),
  post: <T>(path: string, body?: unknown, options: Omit<RequestOptions, 'method' | 'body'> = {}) =>
    apiRequest<T>(path, { ...options, method: 'POST', body }),
  put: <T>(path: string, body?: unknown, options: Omit<RequestOptions, 'method' | 'body'> = {}) =>
    apiRequest<T>(path, { ...options, method: 'PUT', body }),
  delete: <T = void>(path: string) => apiRequest<T>(path, { method: 'DELETE' }),
};

/** A sentence for the user: what went wrong and what to do. */
export function describeError(error: unknown): string {
  if (!isApiError(error)) return error instanceof Error ? error.message : 'Something went wrong. Try again.';
  switch (error.status) {
    case 0:
      return error.message;
    case 401:
      return 'Your session has ended. Sign in again.';
    case 403:
      return `You are not allowed to do this (${error.message}). Ask an admin for access.`;
    case 404:
      return `Not found: ${error.message}. It may have been deleted; go back to the list.`;
    case 409:
      return error.message;
    case 422:
      return `Please fix the highlighted fields: ${error.message.replace(/^invalid request: /, '')}`;
    case 429:
      return 'Too many requests. Wait a moment, then try again.';
    default:
      return error.status >= 500
        ? `The server had a problem (${error.status}). Try again in a moment; if it persists, tell the on-call engineer.`
        : error.message;
  }
}
