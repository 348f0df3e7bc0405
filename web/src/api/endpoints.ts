// Typed calls, one per endpoint the console uses.
import { api, fetchBlob, request, uploadBinary, type Download } from './client';
import type {
  AuditPage,
  AuditQuery,
  AuditVerify,
  Building,
  BuildingCreate,
  BuildingDetail,
  Facility,
  FacilityCreate,
  FacilityPatch,
  ImportMode,
  ImportReport,
  LedgerKind,
  LoginResult,
  MemberCreate,
  Me,
  Organisation,
  OrganisationCreate,
  OrganisationDetail,
  OrganisationMember,
  OrganisationPatch,
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
  TimelineEntry,
  TimelineQuery,
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
  /** Sets (or, with null, clears) one's own mobile phone. */
  updateMe: (body: { phone: string | null }) => api.patch<Me>('/api/auth/me', body),
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
  /** The full phone (audited). */
  revealPhone: (id: string) => api.post<{ phone: string | null }>(`/api/users/${enc(id)}/reveal-phone`),
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
  /** The filtered list as xlsx (masked; the server records the export). */
  exportXlsx: (query: Omit<ResidentQuery, 'page' | 'pageSize'>) => fetchBlob('/api/residents/export.xlsx', { ...query }),
  timeline: (id: string, query: TimelineQuery, signal?: AbortSignal) =>
    api.get<TimelineEntry[]>(`/api/residents/${enc(id)}/timeline`, { ...query }, signal),
};

export const buildingApi = {
  list: (communityId: string | undefined, signal?: AbortSignal) =>
    api.get<Building[]>('/api/buildings', communityId ? { communityId } : undefined, signal),
  get: (id: string, signal?: AbortSignal) => api.get<BuildingDetail>(`/api/buildings/${enc(id)}`, undefined, signal),
  create: (body: BuildingCreate) => api.post<Building>('/api/buildings', body),
  /** The printable sheet of QR plates for the building and its rooms (HTML). */
  plates: (id: string) => fetchBlob(`/api/buildings/${enc(id)}/plates.html`),
};

/** Where a plate's QR leads: the public page of a building or room (served by the server, no login). */
export function plateUrl(communityId: string, plateCode: string): string {
  return `/plate/${enc(communityId)}/${enc(plateCode)}`;
}

export const roomApi = {
  create: (body: RoomCreate) => api.post<Room>('/api/rooms', body),
  timeline: (id: string, query: TimelineQuery, signal?: AbortSignal) =>
    api.get<TimelineEntry[]>(`/api/rooms/${enc(id)}/timeline`, { ...query }, signal),
};

export const residencyApi = {
  create: (body: ResidencyCreate) => api.post<Residency>('/api/residencies', body),
  /** 迁出: ends the residency on the given day (YYYY-MM-DD). */
  moveOut: (id: string, movedOutOn: string) => api.patch<Residency>(`/api/residencies/${enc(id)}`, { movedOutOn }),
};

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export const ledgerApi = {
  template: (kind: LedgerKind): Promise<Download> => fetchBlob(`/api/registry/templates/${enc(kind)}.xlsx`),
  /** Sends the xlsx bytes as the body; `onProgress` follows the upload (0–1). */
  import: (kind: LedgerKind, regionId: string, mode: ImportMode, file: ArrayBuffer, onProgress?: (sent: number) => void) =>
    uploadBinary<ImportReport>(`/api/registry/imports/${enc(kind)}`, file, {
      query: { regionId, mode },
      contentType: XLSX_TYPE,
      ...(onProgress ? { onProgress } : {}),
    }),
};

export const organisationApi = {
  list: (query: { communityId?: string; kind?: string }, signal?: AbortSignal) =>
    api.get<Organisation[]>('/api/organisations', { ...query }, signal),
  get: (id: string, signal?: AbortSignal) => api.get<OrganisationDetail>(`/api/organisations/${enc(id)}`, undefined, signal),
  create: (body: OrganisationCreate) => api.post<Organisation>('/api/organisations', body),
  update: (id: string, body: OrganisationPatch) => api.patch<Organisation>(`/api/organisations/${enc(id)}`, body),
  addMember: (id: string, body: MemberCreate) => api.post<OrganisationMember>(`/api/organisations/${enc(id)}/members`, body),
  /** 退出: ends the membership on the given day (YYYY-MM-DD). */
  endMember: (memberId: string, leftOn: string) => api.patch<OrganisationMember>(`/api/organisation-members/${enc(memberId)}`, { leftOn }),
};

export const facilityApi = {
  list: (query: { communityId?: string; kind?: string }, signal?: AbortSignal) =>
    api.get<Facility[]>('/api/facilities', { ...query }, signal),
  create: (body: FacilityCreate) => api.post<Facility>('/api/facilities', body),
  update: (id: string, body: FacilityPatch) => api.patch<Facility>(`/api/facilities/${enc(id)}`, body),
};
