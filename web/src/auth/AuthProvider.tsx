import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router-dom';
import { getToken, setToken, setUnauthorizedHandler } from '../api/client';
import { authApi } from '../api/endpoints';
import type { Me, Role } from '../api/types';
import { AuthContext, type AuthState } from './context';

async function loadSession(): Promise<{ user: Me; roles: Role[] }> {
  const [user, roles] = await Promise.all([authApi.me(), authApi.roles()]);
  return { user, roles };
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const navigate = useNavigate();
  const [user, setUser] = useState<Me | null>(null);
  const [roles, setRoles] = useState<Role[]>([]);
  const [initializing, setInitializing] = useState(() => getToken() !== null);

  // Any 401 outside the login form ends the session and returns to the login page.
  useEffect(() => {
    setUnauthorizedHandler(() => {
      setUser(null);
      const from = window.location.pathname + window.location.search;
      navigate('/login', { replace: true, state: from.startsWith('/login') ? undefined : { from } });
    });
  }, [navigate]);

  // A token from an earlier visit: check it once.
  useEffect(() => {
    if (getToken() === null) return;
    let cancelled = false;
    loadSession()
      .then((s) => {
        if (cancelled) return;
        setUser(s.user);
        setRoles(s.roles);
      })
      .catch(() => {
        // 401 is handled by the client; anything else leaves the user on the login page
        if (!cancelled) setToken(null);
      })
      .finally(() => {
        if (!cancelled) setInitializing(false);
      });
    return () => {
      cancelled = true;
    };
  }, []);

  const login = useCallback(async (username: string, password: string) => {
    const res = await authApi.login(username, password);
    setToken(res.token);
    const s = await loadSession();
    setUser(s.user);
    setRoles(s.roles);
  }, []);

  const logout = useCallback(async () => {
    await authApi.logout().catch(() => undefined);
    setToken(null);
    setUser(null);
    navigate('/login', { replace: true });
  }, [navigate]);

  const refresh = useCallback(async () => {
    const s = await loadSession();
    setUser(s.user);
    setRoles(s.roles);
  }, []);

  const value = useMemo<AuthState>(() => {
    const labels = new Map(roles.map((r) => [r.id as string, r.label]));
    return {
      user,
      roles,
      initializing,
      login,
      logout,
      refresh,
      can: (permission) => user?.permissions.includes(permission) ?? false,
      roleLabel: (id) => labels.get(id) ?? id,
    };
  }, [user, roles, initializing, login, logout, refresh]);

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
