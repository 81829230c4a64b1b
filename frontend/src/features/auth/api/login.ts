import { useMutation } from '@tanstack/react-query';
import type { Tokens } from '@/api/types';
import { apiClient, session, unwrap } from '@/lib/api-client';

export interface Credentials {
  email: string;
  password: string;
}

/** Sign in; the refresh token comes back as an httpOnly cookie, the access token stays in memory. */
export async function login({ email, password }: Credentials): Promise<Tokens> {
  const tokens = await unwrap(apiClient().POST('/api/auth/login', {
    body: { email, password, refresh_delivery: 'cookie' },
  }));
  session.setToken(tokens.access_token);
  return tokens;
}

export function useLogin() {
  return useMutation({ mutationFn: login });
}
