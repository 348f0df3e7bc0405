import { createContext, useContext } from 'react';
import type { Me, Role, RoleId } from '../api/types';

export interface AuthState {
  /** The signed-in account, or null before login. */
  user: Me | null;
  /** Every role with its Chinese label (loaded after login). */
  roles: Role[];
  /** True while a stored token is being checked on page load. */
  initializing: boolean;
  login: (username: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
  refresh: () => Promise<void>;
  can: (permission: string) => boolean;
  roleLabel: (id: RoleId | string) => string;
}

export const AuthContext = createContext<AuthState | null>(null);

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth must be used inside <AuthProvider>');
  return ctx;
}
