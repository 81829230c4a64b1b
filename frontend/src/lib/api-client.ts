/**
 * The one HTTP client: openapi-fetch typed by the generated schema (apiClient()), over a fetch that adds
 * the bearer token and refreshes it once on a 401 and retries; unwrap() turns error bodies
 * ({error, message, details}) into ApiError.
 *
 * The access token lives in this module's memory only (never localStorage). The refresh token is an
 * httpOnly, SameSite=Strict cookie scoped to /api/auth that page scripts cannot read; a reload gets a
 * new access token through POST /api/auth/refresh (see README, "Console").
 */
import i18next from 'i18next';
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from '@/api/schema';
import type { ErrorBody, Tokens } from '@/api/types';
import { getConfig } from '@/config';

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

/** Sign-in and refresh carry no bearer token and are never retried after a refresh. */
const UNAUTHENTICATED = new Set(['/api/auth/login', '/api/auth/refresh']);

async function send(request: Request, withToken: boolean): Promise<Response> {
  if (withToken && accessToken) request.headers.set('Authorization', `Bearer ${accessToken}`);
  try {
    return await fetch(request);
  } catch (error) {
    if (request.signal.aborted || (error instanceof DOMException && error.name === 'AbortError')) throw error;
    throw new ApiError(0, 'network', i18next.t('common.errors.network'));
  }
}

/** The fetch under the typed client: bearer token, then one silent refresh and retry on a 401. */
export async function authFetch(request: Request): Promise<Response> {
  if (UNAUTHENTICATED.has(new URL(request.url).pathname)) return send(request, false);
  // The body can be read once: keep a copy for the retry.
  const retry = request.clone();
  let response = await send(request, true);
  if (response.status !== 401) return response;
  const tokens = await refreshSession();
  if (tokens) response = await send(retry, true);
  if (response.status === 401) {
    session.setToken(null);
    sessionExpired?.();
    throw new ApiError(401, 'unauthorized', 'Your session has ended. Sign in again.');
  }
  return response;
}

let client: Client<paths> | null = null;
let clientBase = '';

/**
 * The typed client over the API's OpenAPI document: a wrong path, method, parameter or body field does
 * not compile. Built for the configured base URL (config.json is read after start-up).
 */
export function apiClient(): Client<paths> {
  const base = getConfig().apiBaseUrl || globalThis.location.origin;
  if (!client || clientBase !== base) {
    client = createClient<paths>({
      baseUrl: base,
      fetch: authFetch,
      credentials: 'include',
      headers: { Accept: 'application/json' },
    });
    clientBase = base;
  }
  return client;
}

/** The body of a successful answer, or an ApiError built from the failed one. */
export async function unwrap<D>(call: Promise<{ data?: D; error?: unknown; response: Response }>): Promise<D> {
  const { data, error, response } = await call;
  if (!response.ok) throw toApiError(response, error);
  return data as D;
}

export function toApiError(response: Pick<Response, 'status' | 'statusText'>, body: unknown): ApiError {
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
      const { data, response } = await apiClient().POST('/api/auth/refresh', { body: { refresh_delivery: 'cookie' } });
      if (!response.ok || !data) {
        session.setToken(null);
        return null;
      }
      session.setToken(data.access_token);
      return data;
    } catch {
      return null;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/** A sentence for the user: what went wrong and what to do. */
export function describeError(error: unknown): string {
  const t = i18next.t.bind(i18next);
  if (!isApiError(error)) return error instanceof Error ? error.message : t('common.errors.unknown');
  switch (error.status) {
    case 0:
      return t('common.errors.network');
    case 401:
      return t('common.errors.session');
    case 403:
      return t('common.errors.forbidden', { detail: error.message });
    case 404:
      return t('common.errors.notFound', { detail: error.message });
    case 409:
      return error.message;
    case 422:
      return t('common.errors.invalid', { detail: error.message.replace(/^invalid request: /, '') });
    case 429:
      return t('common.errors.tooMany');
    default:
      return error.status >= 500 ? t('common.errors.server', { status: error.status }) : error.message;
  }
}
