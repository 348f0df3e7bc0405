// Roles, their permissions and who may grant what. Pure: no I/O.
// `001` (§ platform architecture): one platform used at the 市/区/街道/社区 levels with authorised
// access only; every account is bound to one region node and sees that node's subtree.
import type { Level } from '../regions/model.js';

export const ROLES = [
  'city_admin',
  'district_admin',
  'street_admin',
  'community_admin',
  'grid_worker',
  'handler',
  'property_staff',
  'evaluator',
  // The evaluator kinds of `002` 六 6.2 (社区居民 answer the perception survey instead): the same
  // permissions as `evaluator`; a review records which kind made it.
  'evaluator_expert',
  'evaluator_third_party',
  'evaluator_unit',
  'evaluator_media',
  'auditor',
  'resident',
] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'regions.read',
  'regions.write',
  'users.read',
  'users.write',
  'audit.read',
  // The community register (issue 3): see people and houses (masked), change them, reveal full ID
  // numbers and phones (audited), see sensitive attributes (`003 L3P5` special groups and the like).
  'registry.read',
  'registry.write',
  'registry.reveal',
  'registry.sensitive',
  // Bulk import of ledgers into a community (community workers).
  'registry.import',
  // Evaluation (issue 4): see scorecards and roll-ups; enter values with evidence for a community.
  'evaluation.read',
  'evaluation.write',
  // Review a submitted self-assessment indicator by indicator and lock it (expert / third-party evaluators).
  'evaluation.review',
  // Grid governance (issue 5, `003` L3P3): see events; report one; act on events dispatched to one's
  // unit; accept, dispatch, verify and supervise (community and above); configure the catalogue,
  // calendar and Open311 partners (city).
  'grid.read',
  'grid.report',
  'grid.handle',
  'grid.manage',
  'grid.configure',
  // Resident democracy (issue 6, `003` L2P10): see votes and their published results; create, publish,
  // check voters in, enter paper ballots and publish results (community workers); cast one's own vote.
  'democracy.read',
  'democracy.manage',
  'democracy.vote',
  // Devices and alarms (issue 7): see devices, telemetry and alarms; register devices; acknowledge,
  // comment, assign and record arrival on alarms.
  'devices.read',
  'devices.manage',
  'alarms.handle',
  // Configure alarm rules (thresholds, switched off, added rules) for one's region and below: administrators
  // at every level, since a city, district or street may set what its communities inherit.
  'devices.rules',
  // A resident follows the alarms of the devices serving people of their own household (`003` L2P6).
  'devices.family',
  // The text-message log (短信发送记录, masked phones): city administrators.
  'sms.read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

interface RoleSpec {
  label: string;
  /** Region levels an account with this role may be bound to. */
  levels: readonly Level[];
  permissions: readonly Permission[];
  /** Roles an account with this role may give to others (always inside its own region). */
  grants: readonly Role[];
  /** Shown to people (zh-CN). */
  description: string;
}

const EVALUATORS = ['evaluator', 'evaluator_expert', 'evaluator_third_party', 'evaluator_unit', 'evaluator_media'] as const;
const OPERATIONAL: readonly Role[] = ['grid_worker', 'handler', 'property_staff', ...EVALUATORS, 'resident'];
const ADMIN_PERMS: readonly Permission[] = [
  'regions.read',
  'regions.write',
  'users.read',
  'users.write',
  'registry.read',
  'registry.sensitive',
  'evaluation.read',
  'grid.read',
  'grid.report',
  'grid.manage',
  'democracy.read',
  'devices.read',
  'alarms.handle',
  'devices.rules',
];

function evaluatorRole(label: string, description: string): RoleSpec {
  return {
    label,
    levels: ['city', 'district', 'street', 'community'],
    permissions: ['regions.read', 'evaluation.read', 'evaluation.review'],
    grants: [],
    description,
  };
}

export const ROLE_SPECS: Record<Role, RoleSpec> = {
  city_admin: {
    label: '市级管理员',
    levels: ['city'],
    permissions: [...ADMIN_PERMS, 'grid.configure', 'sms.read'],
    grants: ROLES,
    description: '维护全市区划与各级账号；唯一可任命审计员的角色。',
  },
  district_admin: {
    label: '区级管理员',
    levels: ['district'],
    permissions: ADMIN_PERMS,
    grants: ['district_admin', 'street_admin', 'community_admin', ...OPERATIONAL],
    description: '维护本区的街道、社区、网格及其账号。',
  },
  street_admin: {
    label: '街道管理员',
    levels: ['street'],
    permissions: ADMIN_PERMS,
    grants: ['street_admin', 'community_admin', ...OPERATIONAL],
    description: '维护本街道的社区、网格及其账号。',
  },
  community_admin: {
    label: '社区管理员',
    levels: ['community'],
    permissions: [
      ...ADMIN_PERMS,
      'registry.write',
      'registry.reveal',
      'registry.import',
      'evaluation.write',
      'democracy.manage',
      'devices.manage',
    ],
    grants: ['community_admin', ...OPERATIONAL],
    description: '社区工作者：维护本社区的网格与工作人员账号。',
  },
  grid_worker: {
    label: '网格员',
    levels: ['community', 'grid'],
    permissions: [
      'regions.read',
      'registry.read',
      'registry.write',
      'registry.reveal',
      'registry.sensitive',
      'grid.read',
      'grid.report',
      'grid.handle',
      'devices.read',
      'alarms.handle',
    ],
    grants: [],
    description: '负责网格巡查、事件上报与网格内基础信息维护。',
  },
  handler: {
    label: '处置人员',
    levels: ['district', 'street', 'community', 'grid'],
    permissions: ['regions.read', 'grid.read', 'grid.handle', 'devices.read', 'alarms.handle'],
    grants: [],
    description: '处置单位人员：办理派遣到本单位的事件。',
  },
  property_staff: {
    label: '物业人员',
    levels: ['community', 'grid'],
    permissions: [
      'regions.read',
      'registry.read',
      'grid.read',
      'grid.report',
      'grid.handle',
      'devices.read',
      'devices.manage',
      'alarms.handle',
    ],
    grants: [],
    description: '物业服务企业人员：服务所在社区。',
  },
  evaluator: evaluatorRole('评估人员', '评估人员（未区分类别）：审核本区域的评估。'),
  evaluator_expert: evaluatorRole('评估专家', '专家评估（`002` 6.2）：审核本区域的评估，审核记录注明“专家”。'),
  evaluator_third_party: evaluatorRole('第三方社会组织', '第三方社会组织评估（`002` 6.2）：审核本区域的评估，审核记录注明类别。'),
  evaluator_unit: evaluatorRole('辖区单位评估人员', '辖区单位参与评估（`002` 6.2）：审核本区域的评估，审核记录注明类别。'),
  evaluator_media: evaluatorRole('新闻媒体评估人员', '新闻媒体参与评估（`002` 6.2）：审核本区域的评估，审核记录注明类别。'),
  auditor: {
    label: '审计员',
    levels: ['city', 'district', 'street'],
    permissions: ['regions.read', 'audit.read'],
    grants: [],
    description: '查阅本区域审计日志，不做任何修改（职责分离）。',
  },
  resident: {
    label: '居民',
    levels: ['community', 'grid'],
    permissions: ['regions.read', 'grid.report', 'democracy.vote', 'devices.family'],
    grants: [],
    description: '居民：使用所在社区的移动端服务。',
  },
};

export function isRole(x: string): x is Role {
  return (ROLES as readonly string[]).includes(x);
}

export function permissionsOf(roles: readonly Role[]): Set<Permission> {
  const out = new Set<Permission>();
  for (const r of roles) for (const p of ROLE_SPECS[r].permissions) out.add(p);
  return out;
}

export function hasPermission(roles: readonly Role[], p: Permission): boolean {
  return roles.some((r) => ROLE_SPECS[r].permissions.includes(p));
}

/** Roles the holder of `roles` may grant. */
export function grantableRoles(roles: readonly Role[]): Set<Role> {
  const out = new Set<Role>();
  for (const r of roles) for (const g of ROLE_SPECS[r].grants) out.add(g);
  return out;
}

export type GrantProblem =
  { kind: 'not-grantable'; role: Role } | { kind: 'wrong-level'; role: Role; level: Level; allowed: readonly Level[] };

/**
 * Can an account holding `granterRoles` give `roles` to an account bound to a region of `level`?
 * The region itself must also lie in the granter's scope: that is checked by the scope guard.
 */
export function checkGrant(granterRoles: readonly Role[], roles: readonly Role[], level: Level): GrantProblem[] {
  const grantable = grantableRoles(granterRoles);
  const problems: GrantProblem[] = [];
  for (const role of roles) {
    if (!grantable.has(role)) problems.push({ kind: 'not-grantable', role });
    else if (!ROLE_SPECS[role].levels.includes(level))
      problems.push({ kind: 'wrong-level', role, level, allowed: ROLE_SPECS[role].levels });
  }
  return problems;
}
