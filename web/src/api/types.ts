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
  | 'evaluator_expert'
  | 'evaluator_third_party'
  | 'evaluator_unit'
  | 'evaluator_media'
  | 'auditor'
  | 'resident';

export type Permission =
  | 'regions.read'
  | 'regions.write'
  | 'users.read'
  | 'users.write'
  | 'audit.read'
  | 'registry.read'
  | 'registry.write'
  | 'registry.reveal'
  | 'registry.sensitive'
  | 'registry.import';

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
  /** Masked (`138****5678`); the full number only through the audited reveal. */
  phone: string | null;
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
  phone?: string;
}

export interface UserPatch {
  displayName?: string;
  roles?: RoleId[];
  regionId?: string;
  status?: UserStatus;
  password?: string;
  unlock?: true;
  /** A mobile number; null clears it. */
  phone?: string | null;
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

// ---- 基础信息库: residents, buildings, rooms, residencies -----------------------------------------

export type ResidentTag =
  | 'elderly_alone'
  | 'empty_nest'
  | 'disabled'
  | 'veteran'
  | 'dibao'
  | 'special_hardship'
  | 'left_behind_child'
  | 'community_correction'
  | 'party_member'
  | 'volunteer'
  | 'mental_disorder'
  | 'released_prisoner'
  | 'drug_rehab'
  | 'petitioner'
  | 'idle_youth'
  | 'health_record';

export type IdType = 'resident_id' | 'passport' | 'hk_macau_permit' | 'taiwan_permit' | 'foreign_permanent' | 'other';

export type Gender = 'male' | 'female';

export type Hukou = 'local' | 'nonlocal' | 'unknown';

export type Relation = 'owner' | 'tenant' | 'family' | 'other';

export interface Resident {
  id: string;
  communityId: string;
  gridId: string | null;
  name: string;
  gender: Gender | null;
  /** YYYY-MM-DD */
  birthDate: string | null;
  age: number | null;
  idType: IdType | string;
  /** Masked, e.g. 9901**********1234; the full number only through `reveal`. */
  idNumber: string;
  /** Masked, e.g. 138****5678. */
  phone: string | null;
  hukou: Hukou | string;
  hukouAddress: string | null;
  status: string;
  /** Sensitive tags are left out for callers without registry.sensitive. */
  tags: string[];
  disabilityGrade: number | null;
  note: string | null;
  createdAt: string;
  updatedAt: string;
  /** In lists only: where the person lives now (household head first). */
  homes?: { address: string; relation: string }[];
}

export interface ResidentHome {
  residencyId: string;
  roomId: string;
  address: string;
  relation: Relation | string;
  householdHead: boolean;
  /** YYYY-MM-DD */
  movedInOn: string | null;
  movedOutOn: string | null;
}

export interface ResidentDetail extends Resident {
  /** Current homes (residencies not moved out of). */
  homes: ResidentHome[];
}

export interface ResidentQuery {
  q?: string;
  communityId?: string;
  gridId?: string;
  tag?: string;
  page?: number;
  pageSize?: number;
}

export interface ResidentCreate {
  /** A community or grid. */
  regionId: string;
  name: string;
  idType: IdType;
  idNumber: string;
  phone?: string | null;
  gender?: Gender | null;
  birthDate?: string | null;
  hukou?: Hukou;
  hukouAddress?: string | null;
  tags?: string[];
  /** 1–4, only with the tag disabled. */
  disabilityGrade?: number | null;
  note?: string | null;
}

export type ResidentPatch = Partial<Omit<ResidentCreate, 'regionId'>>;

/** The unmasked numbers (every call is audited). */
export interface ResidentReveal {
  idNumber: string;
  phone: string | null;
}

export type BuildingUse = 'residential' | 'commercial' | 'mixed' | 'public' | 'other';

export type RoomUse = 'residential' | 'commercial' | 'office' | 'storage' | 'parking' | 'other';

export interface Building {
  id: string;
  communityId: string;
  gridId: string | null;
  compound: string;
  road: string;
  number: string;
  /** e.g. 柳岸花园3栋 */
  label: string;
  floors: number | null;
  use: BuildingUse | string;
  builtYear: number | null;
  lng: number | null;
  lat: number | null;
  plateCode: string;
  /** Rooms registered in the building. */
  rooms: number;
  /** Rooms with at least one current resident. */
  occupied: number;
}

export interface Room {
  id: string;
  communityId: string;
  buildingId: string;
  floor: number | null;
  number: string;
  area: number | null;
  use: RoomUse | string;
  /** Standard address, e.g. 青川市临江区滨河街道柳岸社区 滨河路10号 柳岸花园 1栋 1单元 101室 */
  address: string;
  plateCode: string;
}

export interface BuildingRoom extends Room {
  unitNumber: string | null;
  /** Current residents. */
  occupants: number;
}

export interface BuildingDetail extends Building {
  units: { id: string; number: string }[];
  roomList: BuildingRoom[];
}

export interface BuildingCreate {
  /** A community or grid. */
  regionId: string;
  compound?: string;
  road?: string;
  number: string;
  floors?: number;
  /** Creates units 1..n. */
  units?: number;
  use?: BuildingUse;
  builtYear?: number;
  lng?: number;
  lat?: number;
}

export interface RoomCreate {
  buildingId: string;
  unitNumber?: string;
  floor?: number;
  number: string;
  area?: number;
  use?: RoomUse;
}

export interface Residency {
  id: string;
  residentId: string;
  roomId: string;
  relation: Relation | string;
  householdHead: boolean;
  movedInOn: string | null;
  movedOutOn: string | null;
}

export interface ResidencyCreate {
  residentId: string;
  roomId: string;
  relation: Relation;
  householdHead?: boolean;
  /** YYYY-MM-DD */
  movedInOn?: string;
}

// ---- 台账导入 (ledger import) ------------------------------------------------------------------------

/** The ledgers that can be downloaded as a template and imported. */
export type LedgerKind = 'residents' | 'rooms' | 'organisations';

/** validate: check only; commit: write only when every row is good; commit-valid: write the good rows. */
export type ImportMode = 'validate' | 'commit' | 'commit-valid';

export interface ImportRowError {
  /** The row number in the sheet (the header is row 1). */
  row: number;
  /** The column's header text, e.g. 证件号码. */
  column: string;
  message: string;
}

export interface ImportReport {
  total: number;
  valid: number;
  inserted: number;
  /** Rows already registered (left as they are). */
  unchanged: number;
  invalid: number;
  committed: boolean;
  errors: ImportRowError[];
}

// ---- 时间线 (timelines of people and rooms) ----------------------------------------------------------

export interface TimelineEntry {
  id: string;
  occurredAt: string;
  topic: string;
  summary: string;
  data: Record<string, unknown>;
}

export interface TimelineQuery {
  /** Entries strictly before this instant (the `occurredAt` of the last one shown). */
  before?: string;
  /** With `before`: the id of the last one shown, so entries of the same instant are not skipped. */
  beforeId?: string;
  limit?: number;
}

// ---- 组织 (organisations) -----------------------------------------------------------------------------

export type OrganisationKind =
  | 'party'
  | 'residents_committee'
  | 'supervisory_committee'
  | 'owners_committee'
  | 'property_company'
  | 'social_org'
  | 'local_unit'
  | 'volunteer_team'
  | 'other';

export interface Organisation {
  id: string;
  communityId: string;
  kind: OrganisationKind | string;
  kindLabel: string;
  name: string;
  creditCode: string | null;
  contactName: string | null;
  contactPhone: string | null;
  address: string | null;
  /** YYYY-MM-DD */
  establishedOn: string | null;
  note: string | null;
  /** Current members (not left). */
  members: number;
}

export interface OrganisationMember {
  id: string;
  organisationId: string;
  /** The registered resident, or null for a member known only by name. */
  residentId: string | null;
  name: string;
  position: string;
  joinedOn: string | null;
  leftOn: string | null;
}

export interface OrganisationDetail extends Organisation {
  memberList: OrganisationMember[];
}

export interface OrganisationCreate {
  /** A community. */
  regionId: string;
  kind: OrganisationKind;
  name: string;
  creditCode?: string | null;
  contactName?: string | null;
  contactPhone?: string | null;
  address?: string | null;
  establishedOn?: string | null;
  note?: string | null;
}

export type OrganisationPatch = Partial<Omit<OrganisationCreate, 'regionId'>>;

/** Exactly one of residentId and name. */
export interface MemberCreate {
  residentId?: string;
  name?: string;
  position?: string;
  /** YYYY-MM-DD */
  joinedOn?: string;
}

// ---- 场所设施 (places and facilities) ------------------------------------------------------------------

export type FacilityKind =
  | 'shelter'
  | 'activity_centre'
  | 'elderly_care'
  | 'clinic'
  | 'civil_defence'
  | 'parking'
  | 'ev_charger'
  | 'ebike_charger'
  | 'fire_hydrant'
  | 'aed'
  | 'street_light'
  | 'camera'
  | 'elevator'
  | 'other';

export type FacilityStatus = 'in_service' | 'out_of_service' | 'planned';

export type AttributeValue = string | number | boolean;

export interface Facility {
  id: string;
  communityId: string;
  gridId: string | null;
  kind: FacilityKind | string;
  kindLabel: string;
  /** place 场所 | thing 设施设备 */
  group: 'place' | 'thing' | string;
  name: string;
  buildingId: string | null;
  location: string | null;
  lng: number | null;
  lat: number | null;
  capacity: number | null;
  status: FacilityStatus | string;
  attributes: Record<string, unknown>;
}

export interface FacilityCreate {
  /** A community or grid. */
  regionId: string;
  kind: FacilityKind;
  name: string;
  location?: string | null;
  lng?: number | null;
  lat?: number | null;
  capacity?: number | null;
  status?: FacilityStatus;
  attributes?: Record<string, AttributeValue>;
}

/** `regionId`: another grid of the facility's community, or the community itself. */
export type FacilityPatch = Partial<FacilityCreate>;

// ---- 社区评价 (evaluation) -------------------------------------------------------------------------

/** weighted-achievement 加权达成度（山东 DB37） | beijing-stars 北京星级 */
export type EvaluationRule = 'weighted-achievement' | 'beijing-stars';

export interface FrameworkSummary {
  code: string;
  title: string;
  issuer: string;
  version: string;
  status: string;
  published: string | null;
  effective: string | null;
  source: string;
  rule: EvaluationRule | string;
  indicators: number;
  criteria: number;
}

export type CriterionKind = 'boolean' | 'ratio' | 'count' | 'duration' | string;

export interface FrameworkCriterion {
  code: string;
  text: string;
  kind: CriterionKind;
  unit?: string;
  threshold?: number;
  direction?: string;
  numerator?: string;
  denominator?: string;
  clause: string;
  measure?: string;
}

export interface FrameworkIndicator {
  code: string;
  name: string;
  definition?: string;
  weight?: number;
  dimensions?: string[];
  clause: string;
  criteria: FrameworkCriterion[];
}

export interface FrameworkGroup {
  code: string;
  name: string;
  weight?: number;
  clause: string;
  groups?: FrameworkGroup[];
  indicators?: FrameworkIndicator[];
}

export interface FrameworkStarRule {
  stars: number;
  minAchieved: number;
  minPriorStars?: number;
  clause: string;
}

export interface FrameworkDimension {
  code: string;
  name: string;
  description: string;
  clause: string;
}

export interface FrameworkDetail {
  code: string;
  title: string;
  issuer?: string;
  version?: string;
  rule: EvaluationRule | string;
  stars: FrameworkStarRule[];
  dimensions?: FrameworkDimension[];
  groups: FrameworkGroup[];
  /** Criterion codes computed live from the platform's data. */
  measures: string[];
  [extra: string]: unknown;
}

export interface EvidenceItem {
  title: string;
  url?: string;
  reference?: string;
}

export type ValueQuality = 'A' | 'B' | 'C' | 'D';

export interface MeasureProvenance {
  kind: 'measure';
  measure: string;
  title: string;
  method: string;
  computedAt: string;
  records: number;
  numerator: number | null;
  denominator: number | null;
}

export interface EnteredProvenance {
  kind: 'entered';
  version: number;
  source: string;
  referenceDate: string;
  quality: ValueQuality | string;
  evidence: EvidenceItem[];
  enteredBy: string | null;
  enteredAt: string;
}

export type Provenance = MeasureProvenance | EnteredProvenance | null;

export interface CriterionState {
  code: string;
  text: string;
  kind: CriterionKind;
  unit: string | null;
  threshold: number | null;
  direction: string | null;
  clause: string;
  /** null: nothing entered yet (counts as not met). */
  value: number | null;
  met: boolean;
  provenance: Provenance;
}

export interface IndicatorScore {
  code: string;
  name: string;
  group: { code: string; name: string };
  clause: string;
  weight: number | null;
  /** 0..1 */
  achievement: number;
  score: number;
  criteria: CriterionState[];
}

export interface GroupAchievement {
  code: string;
  name: string;
  /** 0..1 */
  achievement: number;
  weight: number | null;
}

export interface Scorecard {
  communityId: string;
  framework: string;
  version: string;
  rule: EvaluationRule | string;
  total: number;
  stars?: number;
  computedAt: string;
  groups: GroupAchievement[];
  indicators: IndicatorScore[];
  /** The 感知度 dimension from residents' surveys (frameworks with that dimension); not part of the score. */
  perception?: {
    dimension: string;
    name: string;
    clause: string;
    value: number | null;
    provenance: { measure: string; title: string; method: string; records: number };
  } | null;
}

export interface GapStep {
  indicator: string;
  name: string;
  criteria: { code: string; text: string }[];
  gain: number;
}

export interface GapAnalysis {
  framework: string;
  current: { total: number; stars?: number };
  target: number;
  reachable: boolean;
  criteriaToFix: number | null;
  reached: number | null;
  steps: GapStep[];
}

export interface RollupCommunity {
  id: string;
  name: string;
  street: string;
  total: number;
  stars?: number;
  rank: number;
  groups: { code: string; achievement: number }[];
  indicators: Record<string, number>;
}

export interface Rollup {
  framework: string;
  version: string;
  rule: EvaluationRule | string;
  computedAt: string;
  region: { id: string; name: string };
  /** The framework's level-1 groups (dimensions), in order. */
  groups: { code: string; name: string; weight: number | null }[];
  indicators: { code: string; name: string; group: string }[];
  communities: RollupCommunity[];
  summary: { count: number; average: number; best: number; worst: number; distribution: { label: string; count: number }[] };
}

export interface EvaluationValueCreate {
  communityId: string;
  framework: string;
  criterion: string;
  /** Boolean criteria 1 / 0; ratios in percent. */
  value: number;
  source: string;
  /** YYYY-MM-DD */
  referenceDate: string;
  quality: ValueQuality;
  evidence: EvidenceItem[];
  note?: string | null;
}

export interface EvaluationValue {
  id: string;
  communityId: string;
  framework: string;
  criterion: string;
  version: number;
  value: number;
  met: boolean;
  numerator: number | null;
  denominator: number | null;
  source: string;
  referenceDate: string;
  quality: ValueQuality | string;
  evidence: EvidenceItem[];
  note: string | null;
  enteredBy: string | null;
  enteredAt: string;
}

export type AssessmentStatus = 'draft' | 'submitted' | 'locked';
export type ReviewState = 'pending' | 'accepted' | 'returned' | 'reopened';

export interface AssessmentSummary {
  id: string;
  communityId: string;
  framework: string;
  period: string;
  status: AssessmentStatus | string;
  total: number | null;
  stars: number | null;
  lockedAt: string | null;
  reviewsByKind: ReviewKindCount[];
}

/** The evaluator kinds of `002` 6.2 that review (社区居民 answer the perception survey). */
export type EvaluatorKind = 'expert' | 'third_party' | 'unit' | 'media' | 'unspecified';

export interface ReviewKindCount {
  kind: EvaluatorKind | string;
  label: string;
  /** Review records by evaluators of this kind. */
  count: number;
  /** Distinct reviewers of this kind (on the detail only). */
  reviewers?: number;
}

export interface IndicatorReview {
  indicator: string;
  state: ReviewState;
  decision?: 'accepted' | 'returned' | string;
  reason?: string | null;
  reviewer?: string | null;
  reviewerKind?: EvaluatorKind | string;
  reviewerKindLabel?: string;
  reviewedAt?: string;
}

export interface ReviewHistoryItem {
  indicator: string;
  decision: string;
  reason: string | null;
  reviewer: string | null;
  reviewerKind: EvaluatorKind | string;
  reviewerKindLabel: string;
  reviewedAt: string;
}

export interface Assessment {
  id: string;
  communityId: string;
  framework: string;
  frameworkVersion: string;
  period: string;
  priorStars: number | null;
  status: AssessmentStatus | string;
  createdBy: string | null;
  createdAt: string;
  submittedAt: string | null;
  lockedAt: string | null;
  lockedBy: string | null;
  scorecard: Scorecard;
  reviews: IndicatorReview[];
  reviewsByKind: ReviewKindCount[];
  history: ReviewHistoryItem[];
}

/** locked 锁定结果 | submitted 自评（提交时） | live 按当前数据计算（未提交的自评）. */
export type TrendBasis = 'locked' | 'submitted' | 'live';

export interface TrendStats {
  assessed: number;
  mean: number | null;
  median: number | null;
  best: number | null;
  worst: number | null;
  distribution: { label: string; count: number }[];
}

export interface TrendPeriod extends TrendStats {
  period: string;
  locked: number;
  selfAssessed: number;
  drafts: number;
}

export interface TrendPoint {
  assessmentId: string;
  period: string;
  status: AssessmentStatus | string;
  basis: TrendBasis | string;
  basisLabel: string;
  total: number;
  stars?: number;
}

export interface Trend {
  framework: string;
  version: string;
  rule: EvaluationRule | string;
  region: { id: string; name: string; level: Level };
  communities: number;
  periods: TrendPeriod[];
  now: TrendStats & { computedAt: string };
  community?: { id: string; name: string; points: TrendPoint[]; now: { computedAt: string; total: number; stars?: number } };
}

export interface AssessmentCreate {
  communityId: string;
  framework: string;
  period: string;
  priorStars?: number;
}
