import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Tokens, User } from '@/api/types';
import { apiClient, refreshSession, session, unwrap } from '@/lib/api-client';

/** Revoke the refresh tokens and clear the cookie; forget the access token whatever happens. */
export async function logout(): Promise<void> {
  try {
    await unwrap(apiClient().POST('/api/auth/logout'));
  } finally {
    session.setToken(null);
  }
}

type Status = 'loading' | 'signed-in' | 'signed-out';

interface AuthState {
  status: Status;
  user: User | null;
  signedIn: (tokens: Tokens) => void;
  signOut: () => Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [user, setUser] = useState<User | null>(null);
  const [status, setStatus] = useState<Status>('loading');

  useEffect(() => {
    let cancelled = false;
    // A reload keeps no token: ask for a new one with the httpOnly refresh cookie.
    const restore = session.mayHaveSession() ? refreshSession() : Promise.resolve(null);
    void restore.then((tokens) => {
      if (cancelled) return;
      setUser(tokens?.user ?? null);
      setStatus(tokens ? 'signed-in' : 'signed-out');
    });
    session.onExpired(() => {
      setUser(null);
      setStatus('signed-out');
    });
    return () => {
      cancelled = true;
      session.onExpired(null);
    };
  }, []);

  const signedIn = useCallback((tokens: Tokens) => {
    session.setToken(tokens.access_token);
    setUser(tokens.user);
    setStatus('signed-in');
  }, []);

  const signOut = useCallback(async () => {
    try {
      await logout();
    } finally {
      queryClient.clear();
      setUser(null);
      setStatus('signed-out');
    }
  }, [queryClient]);

  const value = useMemo(() => ({ status, user, signedIn, signOut }), [status, user, signedIn, signOut]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error('useAuth needs an <AuthProvider>');
  return state;
}
