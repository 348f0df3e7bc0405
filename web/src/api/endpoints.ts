// Typed calls, one per endpoint the console uses.
import { api, request } from './client';
import type {
  AuditPage,
  AuditQuery,
  AuditVerify,
  Building,
  BuildingCreate,
  BuildingDetail,
  LoginResult,
  Me,
  Page,
  RegionCreate,
  RegionDetail,
  RegionNode,
  RegionPatch,
  Residency,
  ResidencyCreate,
  Resident,
  ResidentCreate,
  ResidentDetail,
  ResidentPatch,
  ResidentQuery,
  ResidentReveal,
  Role,
  Room,
  RoomCreate,
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

export const residentApi = {
  list: (query: ResidentQuery, signal?: AbortSignal) => api.get<Page<Resident>>('/api/residents', { ...query }, signal),
  get: (id: string, signal?: AbortSignal) => api.get<ResidentDetail>(`/api/residents/${enc(id)}`, undefined, signal),
  create: (body: ResidentCreate) => api.post<Resident>('/api/residents', body),
  update: (id: string, body: ResidentPatch) => api.patch<Resident>(`/api/residents/${enc(id)}`, body),
  /** The full ID number and phone; the server records every call. */
  reveal: (id: string) => api.post<ResidentReveal>(`/api/residents/${enc(id)}/reveal`),
};

export const buildingApi = {
  list: (communityId: string | undefined, signal?: AbortSignal) =>
    api.get<Building[]>('/api/buildings', communityId ? { communityId } : undefined, signal),
  get: (id: string, signal?: AbortSignal) => api.get<BuildingDetail>(`/api/buildings/${enc(id)}`, undefined, signal),
  create: (body: BuildingCreate) => api.post<Building>('/api/buildings', body),
};

export const roomApi = {
  create: (body: RoomCreate) => api.post<Room>('/api/rooms', body),
};

export const residencyApi = {
  create: (body: ResidencyCreate) => api.post<Residency>('/api/residencies', body),
  /** 迁出: ends the residency on the given day (YYYY-MM-DD). */
  moveOut: (id: string, movedOutOn: string) => api.patch<Residency>(`/api/residencies/${enc(id)}`, { movedOutOn }),
};
