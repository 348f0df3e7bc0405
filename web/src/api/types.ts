// Shapes of the server's JSON, as described by /api/openapi.json.

export type Level = 'city' | 'district' | 'street' | 'community' | 'grid';

export type RoleId =
  | 'city_admin'
  | 'district_admin'
  | 'street_admin'
  | 'community_admin'
  | 'grid_worker'
  | 'handler'
  | 'property_staff'
  | 'evaluator'
  | 'auditor'
  | 'resident';

export type Permission = 'regions.read' | 'regions.write' | 'users.read' | 'users.write' | 'audit.read';

export type UserStatus = 'active' | 'disabled';

export interface User {
  id: string;
  username: string;
  displayName: string;
  roles: RoleId[];
  status: UserStatus;
  regionId: string;
  regionName: string;
  regionLevel: Level;
  lockedUntil: string | null;
  lastLoginAt: string | null;
  createdAt: string;
}

export interface Me extends User {
  permissions: string[];
  grantableRoles: RoleId[];
}

export interface LoginResult {
  token: string;
  expiresAt: string;
  user: User;
}

export interface Role {
  id: RoleId;
  label: string;
  levels: Level[];
  permissions: Permission[];
  grants: RoleId[];
  description: string;
}

export interface Page<T> {
  items: T[];
  total: number;
}

export interface RegionNode {
  id: string;
  name: string;
  level: Level;
  code: string;
  children: RegionNode[];
}

export type Position = number[];

export type Boundary = { type: 'Polygon'; coordinates: Position[][] } | { type: 'MultiPolygon'; coordinates: Position[][][] };

export interface RegionDetail {
  id: string;
  parentId: string | null;
  name: string;
  level: Level;
  code: string;
  /** GeoJSON as stored; the server accepts only Polygon and MultiPolygon. */
  boundary: { type: string; coordinates: unknown[] } | null;
  sortOrder: number;
  ancestors: { id: string; name: string; level: Level }[];
  childCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface RegionCreate {
  parentId: string;
  name: string;
  code: string;
  boundary?: Boundary | null;
  sortOrder?: number;
}

export type RegionPatch = Partial<Omit<RegionCreate, 'parentId'>>;

export interface UserCreate {
  username: string;
  password: string;
  displayName: string;
  roles: RoleId[];
  regionId: string;
}

export interface UserPatch {
  displayName?: string;
  roles?: RoleId[];
  regionId?: string;
  status?: UserStatus;
  password?: string;
  unlock?: true;
}

export type AuditOutcome = 'success' | 'denied' | 'rejected' | 'error';

export interface AuditEntry {
  /** Position in the hash chain; null until the entry is sealed into it. */
  seq: number | null;
  id: string;
  occurredAt: string;
  actorId: string | null;
  actorName: string | null;
  actorRoles: string[];
  ip: string | null;
  userAgent: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: AuditOutcome | string;
  statusCode: number;
  detail: Record<string, unknown>;
  /** null until sealed. */
  hash: string | null;
}

export interface AuditQuery {
  from?: string;
  to?: string;
  action?: string;
  actorId?: string;
  targetId?: string;
  outcome?: AuditOutcome;
  /** The `nextBefore` of the previous page (an entry id). */
  before?: string;
  limit?: number;
}

export interface AuditPage {
  items: AuditEntry[];
  nextBefore: string | null;
}

export interface AuditVerify {
  ok: boolean;
  checked: number;
  lastSeq: number;
  /** Entries not yet sealed into the chain (the server seals pending ones before verifying). */
  pending?: number;
  break?: { seq: number; reason: string };
}

export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
}
