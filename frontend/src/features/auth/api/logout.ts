import { api, session } from '@/lib/api-client';

/** Revoke the refresh tokens and clear the cookie; forget the access token whatever happens. */
export async function logout(): Promise<void> {
  try {
    await api.post<void>('/api/auth/logout');
  } finally {
    session.setToken(null);
  }
}
