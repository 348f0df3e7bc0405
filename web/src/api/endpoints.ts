// Typed calls, one per endpoint the console uses.
import { api, request } from './client';
import type {
  AuditPage,
  AuditQuery,
  AuditVerify,
  LoginResult,
  Me,
  Page,
  RegionCreate,
  RegionDetail,
  RegionNode,
  RegionPatch,
  Role,
  User,
  UserCreate,
  UserPatch,
} from './types';

const enc = encodeURIComponent;

export const authApi = {
  login: (username: string, password: string) =>
    request<LoginResult>('/api/auth/login', { method: 'POST', body: { username, password }, allowUnauthorized: true }),
  logout: () => request<void>('/api/auth/logout', { method: 'POST', allowUnauthorized: true }),
  me: () => api.get<Me>('/api/auth/me'),
  changePassword: (currentPassword: string, newPassword: string) => api.post<void>('/api/auth/password', { currentPassword, newPassword }),
  roles: () => api.get<Role[]>('/api/roles'),
};

export const regionApi = {
  tree: () => api.get<RegionNode[]>('/api/regions'),
  get: (id: string, signal?: AbortSignal) => api.get<RegionDetail>(`/api/regions/${enc(id)}`, undefined, signal),
  create: (body: RegionCreate) => api.post<RegionDetail>('/api/regions', body),
  update: (id: string, body: RegionPatch) => api.patch<RegionDetail>(`/api/regions/${enc(id)}`, body),
  remove: (id: string) => api.delete(`/api/regions/${enc(id)}`),
};

export interface UserQuery {
  regionId?: string;
  q?: string;
  page?: number;
  pageSize?: number;
}

export const userApi = {
  list: (query: UserQuery, signal?: AbortSignal) => api.get<Page<User>>('/api/users', { ...query }, signal),
  create: (body: UserCreate) => api.post<User>('/api/users', body),
  update: (id: string, body: UserPatch) => api.patch<User>(`/api/users/${enc(id)}`, body),
};

export const auditApi = {
  list: (query: AuditQuery) => api.get<AuditPage>('/api/audit', { ...query }),
  verify: () => api.get<AuditVerify>('/api/audit/verify'),
};
