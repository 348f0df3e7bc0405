// The authorization matrix: every route in the OpenAPI document, for every role, in scope and out
// of scope (and without a token). A route missing from POLICY or FIXTURES fails this test, so each
// new endpoint is covered the day it is added.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../src/modules/accounts/model.js';
import ExcelJS from 'exceljs';
import type { Ctx } from '../../src/http/context.js';
import { RESIDENT_COLUMNS, type Column } from '../../src/modules/registry/ledger.js';
import { ROOM_COLUMNS } from '../../src/modules/registry/ledger-places.js';
import { ORGANISATION_COLUMNS } from '../../src/modules/organisations/ledger.js';
import { DEVICE_COLUMNS } from '../../src/modules/devices/provision.js';
import { makeIdNumber } from '../../src/modules/registry/model.js';
import { blindIndex } from '../../src/crypto/personal-data.js';
import * as registry from '../../src/modules/registry/service.js';
import * as organisations from '../../src/modules/organisations/service.js';
import * as facilities from '../../src/modules/facilities/service.js';
import { DEFAULT_CHAIN } from '../../src/modules/democracy/deliberation-model.js';
import { DEMO_PASSWORD, setupTestApp, systemCtx, TEST_ADMIN_PASSWORD, testKeys, type TestApp } from '../helpers.js';

const passwordOf = (role: Role) => (role === 'city_admin' ? TEST_ADMIN_PASSWORD : DEMO_PASSWORD);

const ADMINS: Role[] = ['city_admin', 'district_admin', 'street_admin', 'community_admin'];
const ALL: Role[] = [...ROLES];
// The evaluator kinds of `002` 6.2 hold the evaluator's permissions.
const EVALUATORS: Role[] = ['evaluator', 'evaluator_expert', 'evaluator_third_party', 'evaluator_unit', 'evaluator_media'];
const GRID_READ: Role[] = [...ADMINS, 'grid_worker', 'handler', 'property_staff'];
const GRID_REPORT: Role[] = [...ADMINS, 'grid_worker', 'property_staff', 'resident'];

/** Who may call what: written out here, independently of the code that enforces it. */
const POLICY: Record<string, Role[] | 'public'> = {
  'GET /api/health': 'public',
  'POST /api/auth/login': 'public',
  'POST /api/auth/logout': ALL,
  'GET /api/auth/me': ALL,
  'PATCH /api/auth/me': ALL,
  'POST /api/auth/password': ALL,
  'GET /api/roles': ALL,
  'GET /api/users': [...ADMINS],
  'GET /api/users/{id}': [...ADMINS],
  'POST /api/users': [...ADMINS],
  'PATCH /api/users/{id}': [...ADMINS],
  'POST /api/users/{id}/reveal-phone': [...ADMINS],
  'GET /api/regions': ALL,
  'GET /api/regions/{id}': ALL,
  'POST /api/regions': [...ADMINS],
  'PATCH /api/regions/{id}': [...ADMINS],
  'DELETE /api/regions/{id}': [...ADMINS],
  'GET /api/audit': ['auditor'],
  'GET /api/audit/verify': ['auditor'],
  'GET /api/residents': [...ADMINS, 'grid_worker', 'property_staff'],
  'GET /api/residents/{id}': [...ADMINS, 'grid_worker', 'property_staff'],
  'POST /api/residents': ['community_admin', 'grid_worker'],
  'PATCH /api/residents/{id}': ['community_admin', 'grid_worker'],
  'POST /api/residents/{id}/reveal': ['community_admin', 'grid_worker'],
  'GET /api/buildings': [...ADMINS, 'grid_worker', 'property_staff'],
  'GET /api/buildings/{id}': [...ADMINS, 'grid_worker', 'property_staff'],
  'POST /api/buildings': ['community_admin', 'grid_worker'],
  'POST /api/rooms': ['community_admin', 'grid_worker'],
  'POST /api/residencies': ['community_admin', 'grid_worker'],
  'PATCH /api/residencies/{id}': ['community_admin', 'grid_worker'],
  'GET /api/residents/export.xlsx': [...ADMINS, 'grid_worker', 'property_staff'],
  'GET /api/registry/templates/residents.xlsx': ['community_admin'],
  'POST /api/registry/imports/residents': ['community_admin'],
  'GET /api/registry/templates/rooms.xlsx': ['community_admin'],
  'POST /api/registry/imports/rooms': ['community_admin'],
  'GET /api/registry/templates/organisations.xlsx': ['community_admin'],
  'POST /api/registry/imports/organisations': ['community_admin'],
  'GET /api/registry/imports/jobs/{id}': ['community_admin'],
  'GET /api/plates/{communityId}/{code}': 'public',
  'GET /api/buildings/{id}/plates.html': [...ADMINS, 'grid_worker', 'property_staff'],
  'GET /api/organisations': [...ADMINS, 'grid_worker', 'property_staff'],
  'GET /api/organisations/{id}': [...ADMINS, 'property_staff'],
  'POST /api/organisations': ['community_admin'],
  'PATCH /api/organisations/{id}': ['community_admin'],
  'POST /api/organisations/{id}/members': ['community_admin'],
  'PATCH /api/organisation-members/{id}': ['community_admin'],
  'GET /api/residents/{id}/timeline': [...ADMINS, 'grid_worker', 'property_staff'],
  'GET /api/rooms': [...ADMINS, 'grid_worker', 'property_staff'],
  'GET /api/rooms/{id}/timeline': [...ADMINS, 'grid_worker', 'property_staff'],
  'GET /api/facilities': [...ADMINS, 'grid_worker', 'property_staff'],
  'GET /api/facilities/{id}': [...ADMINS, 'grid_worker', 'property_staff'],
  'POST /api/facilities': ['community_admin', 'grid_worker'],
  'PATCH /api/facilities/{id}': ['community_admin', 'grid_worker'],
  'GET /api/frameworks': ALL,
  'GET /api/frameworks/detail': ALL,
  'POST /api/evaluation/what-if': ALL,
  'GET /api/evaluation/scorecard': [...ADMINS, ...EVALUATORS],
  'GET /api/evaluation/gap': [...ADMINS, ...EVALUATORS],
  'GET /api/evaluation/rollup': [...ADMINS, ...EVALUATORS],
  'GET /api/evaluation/trend': [...ADMINS, ...EVALUATORS],
  'GET /api/evaluation/values': [...ADMINS, ...EVALUATORS],
  'POST /api/evaluation/values': ['community_admin'],
  'POST /api/evaluation/assessments': ['community_admin'],
  'GET /api/evaluation/scorecard.xlsx': [...ADMINS, ...EVALUATORS],
  'GET /api/evaluation/rollup.xlsx': [...ADMINS, ...EVALUATORS],
  'GET /api/evaluation/assessments': [...ADMINS, ...EVALUATORS],
  'GET /api/evaluation/assessments/{id}': [...ADMINS, ...EVALUATORS],
  'POST /api/evaluation/assessments/{id}/submit': ['community_admin'],
  'POST /api/evaluation/assessments/{id}/reviews': EVALUATORS,
  'POST /api/evaluation/assessments/{id}/lock': EVALUATORS,
  'POST /api/evaluation/surveys': ['community_admin'],
  'GET /api/evaluation/surveys': [...ADMINS, ...EVALUATORS],
  'GET /api/evaluation/surveys/{id}': [...ADMINS, ...EVALUATORS],
  'POST /api/evaluation/surveys/{id}/close': ['community_admin'],
  // Any account linked to a person of the register, for surveys of that person's community.
  'GET /api/my-surveys': ['resident'],
  'POST /api/my-surveys/{id}/answer': ['resident'],
  'GET /api/grid/categories': 'public',
  'PUT /api/grid/categories/{code}': ['city_admin'],
  'GET /api/grid/units': GRID_READ,
  'POST /api/grid/units': [...ADMINS],
  'PUT /api/grid/units/{id}/members': [...ADMINS],
  'GET /api/grid/routes': GRID_READ,
  'PUT /api/grid/routes': [...ADMINS],
  'GET /api/grid/calendar/{year}': ALL,
  'PUT /api/grid/calendar/{year}': ['city_admin'],
  'GET /api/grid/partners': ['city_admin'],
  'POST /api/grid/partners': ['city_admin'],
  'DELETE /api/grid/partners/{id}': ['city_admin'],
  'POST /api/grid/events': GRID_REPORT,
  'GET /api/grid/events': GRID_READ,
  'GET /api/grid/my-events': GRID_REPORT,
  'GET /api/grid/events/{id}': GRID_READ,
  'POST /api/grid/events/{id}/actions': GRID_READ,
  'GET /api/grid/my-events/{id}': GRID_REPORT,
  'POST /api/grid/my-events/{id}/actions': GRID_REPORT,
  'POST /api/grid/events/{id}/reveal-phone': [...ADMINS],
  'GET /api/grid/kpis': GRID_READ,
  'GET /api/grid/kpis.xlsx': GRID_READ,
  'GET /api/grid/dashboard': GRID_READ,
  'POST /api/public/grid/reports': 'public',
  'POST /api/public/grid/track': 'public',
  'POST /api/public/grid/track/actions': 'public',
  'POST /api/democracy/owners-decision/tally': ALL,
  'GET /api/democracy/owner-matters': ALL,
  'GET /api/democracy/votes': [...ADMINS],
  'POST /api/democracy/votes': ['community_admin'],
  'GET /api/democracy/votes/{id}': [...ADMINS],
  'POST /api/democracy/votes/{id}/publish': ['community_admin'],
  'GET /api/democracy/votes/{id}/voters': ['community_admin'],
  'POST /api/democracy/votes/{id}/representatives': ['community_admin'],
  'POST /api/democracy/votes/{id}/check-ins': ['community_admin'],
  'GET /api/democracy/votes/{id}/paper-batches': ['community_admin'],
  'POST /api/democracy/votes/{id}/paper-batches': ['community_admin'],
  'POST /api/democracy/votes/{id}/result': ['community_admin'],
  // Results are for everyone whose region holds the community (a grid-level account's region does not).
  'GET /api/democracy/votes/{id}/result': ROLES.filter((r) => r !== 'grid_worker'),
  'GET /api/democracy/votes/{id}/ballots': ROLES.filter((r) => r !== 'grid_worker'),
  'GET /api/democracy/votes/{id}/receipts/{code}': ROLES.filter((r) => r !== 'grid_worker'),
  'POST /api/democracy/elections': ['community_admin'],
  'GET /api/democracy/elections/{id}': ROLES.filter((r) => r !== 'grid_worker'),
  // Residents nominate themselves; the community enters other nominations.
  'POST /api/democracy/elections/{id}/nominations': ['community_admin', 'resident'],
  'POST /api/democracy/elections/{id}/nominations/{nominationId}/decision': ['community_admin'],
  'POST /api/democracy/elections/{id}/candidates': ['community_admin'],
  'POST /api/democracy/elections/{id}/nominations/{nominationId}/withdraw': ['community_admin'],
  'GET /api/democracy/supervision': ALL,
  'POST /api/democracy/supervision': ['community_admin'],
  'GET /api/democracy/supervision/{id}': ROLES.filter((r) => r !== 'grid_worker'),
  // Reviews are by members of the 居务监督委员会 (the resident principal is made one by the fixture).
  'POST /api/democracy/supervision/{id}/reviews': ['resident'],
  'POST /api/democracy/supervision-questions': ['resident'],
  'GET /api/democracy/supervision-questions': ['community_admin'],
  'POST /api/democracy/supervision-questions/{id}/answer': ['community_admin'],
  'GET /api/democracy/my-votes': ['resident'],
  'GET /api/democracy/my-questions': ['resident'],
  'POST /api/democracy/votes/{id}/ballot': ['resident'],
  // deliberation (issue 6 §5–6)
  'GET /api/democracy/consultations': [...ADMINS],
  'POST /api/democracy/consultations': ['resident'],
  'POST /api/democracy/consultations/recorded': ['community_admin'],
  // Consultation and 五议两公开 are public to the community's accounts (a grid-level account's region does not hold the community).
  'GET /api/democracy/consultations/{id}': ROLES.filter((r) => r !== 'grid_worker'),
  'POST /api/democracy/consultations/{id}/steps': ['community_admin'],
  'POST /api/democracy/consultations/{id}/comments': ['resident'],
  'GET /api/democracy/my-consultations': ['resident'],
  'GET /api/notifications': ALL,
  'POST /api/notifications/{id}/read': ALL,
  'POST /api/notifications/read-all': ALL,
  'GET /api/sms-outbox': ['city_admin'],
  'GET /api/democracy/decisions': ALL,
  'POST /api/democracy/decisions': ['community_admin'],
  'GET /api/democracy/decisions/{id}': ROLES.filter((r) => r !== 'grid_worker'),
  'POST /api/democracy/decisions/{id}/stages': ['community_admin'],
  'POST /api/democracy/decisions/{id}/objections': ['resident'],
  'POST /api/democracy/decisions/{id}/objections/{objectionId}/answer': ['community_admin'],
  'GET /api/device-types': ALL,
  'POST /api/devices': ['community_admin', 'property_staff'],
  'GET /api/devices': [...ADMINS, 'grid_worker', 'handler', 'property_staff'],
  'GET /api/devices/{id}': [...ADMINS, 'grid_worker', 'handler', 'property_staff'],
  'GET /api/devices/{id}/series': [...ADMINS, 'grid_worker', 'handler', 'property_staff'],
  // Devices authenticate with their own credentials (HTTP Basic), not as accounts.
  'POST /api/devices/{id}/telemetry': 'public',
  'GET /api/devices/ingest-stats': ['community_admin', 'property_staff'],
  'GET /api/devices/connection': [...ADMINS, 'grid_worker', 'handler', 'property_staff'],
  'GET /api/devices/template.xlsx': ['community_admin', 'property_staff'],
  'POST /api/devices/import': ['community_admin', 'property_staff'],
  'POST /api/devices/credentials.xlsx': ['community_admin', 'property_staff'],
  'POST /api/devices/{id}/credentials': ['community_admin', 'property_staff'],
  'POST /api/devices/{id}/disable': ['community_admin', 'property_staff'],
  'POST /api/devices/{id}/enable': ['community_admin', 'property_staff'],
  'GET /api/alarms': [...ADMINS, 'grid_worker', 'handler', 'property_staff'],
  'GET /api/my-family-alarms': ['resident'],
  'GET /api/alarms/{id}': [...ADMINS, 'grid_worker', 'handler', 'property_staff'],
  'POST /api/alarms/{id}/actions': [...ADMINS, 'grid_worker', 'handler', 'property_staff'],
  'GET /api/device-rules': [...ADMINS, 'grid_worker', 'handler', 'property_staff'],
  'PUT /api/device-rules/{regionId}/{ruleId}': [...ADMINS],
  'DELETE /api/device-rules/{regionId}/{ruleId}': [...ADMINS],
  // A grid worker's region is a grid: a community's rule history is above it.
  'GET /api/device-rules/{regionId}/{ruleId}/history': [...ADMINS, 'handler', 'property_staff'],
  'GET /open311/v2/discovery.json': 'public',
  'GET /open311/v2/services.json': 'public',
  'GET /open311/v2/services/{service_code}.json': 'public',
  'POST /open311/v2/requests.json': 'public',
  'GET /open311/v2/requests.json': 'public',
  'GET /open311/v2/requests/{service_request_id}.json': 'public',
};

/** One demo account per role, and where it sits. */
const PRINCIPALS: Record<Role, string> = {
  city_admin: 'admin',
  district_admin: 'linjiang_admin',
  street_admin: 'binhe_admin',
  community_admin: 'liuan_admin',
  grid_worker: 'liuan_grid1',
  handler: 'linjiang_handler',
  property_staff: 'liuan_property',
  evaluator: 'city_evaluator',
  // Not in the demo data: created in beforeAll, like city_evaluator (city level, demo password).
  evaluator_expert: 'matrix_evaluator_expert',
  evaluator_third_party: 'matrix_evaluator_third_party',
  evaluator_unit: 'matrix_evaluator_unit',
  evaluator_media: 'matrix_evaluator_media',
  auditor: 'binhe_auditor',
  resident: 'liuan_resident',
};

interface Target {
  /** A grid inside the principal's scope: the principal's own grid, or one below its node. */
  grid: { id: string; code: string; communityId: string; communityCode: string };
  /** A grid-worker account in that grid. */
  userId: string;
  /** Register data in that grid (and an organisation of its community). */
  organisationId: string;
  facilityId: string;
  residentId: string;
  buildingId: string;
  roomId: string;
}

let ctx: Ctx;
async function registerIn(gridId: string) {
  const r = await registry.createResident(ctx, testKeys(), gridId, {
    name: '矩阵居民',
    idType: 'resident_id',
    idNumber: makeIdNumber('990102', '19700101', seq++),
  });
  const b = await registry.createBuilding(ctx, gridId, { number: `M${seq++}`, units: 1 });
  const room = await registry.createRoom(ctx, { buildingId: b.id, unitNumber: '1', number: `${seq++}` });
  const o = await organisations.createOrganisation(ctx, r.communityId, { kind: 'other', name: `矩阵${seq++}` });
  const f = await facilities.createFacility(ctx, gridId, { kind: 'fire_hydrant', name: `消防栓${seq++}` });
  return { residentId: r.id, buildingId: b.id, roomId: room.id, organisationId: o.id, facilityId: f.id };
}

interface Req {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  /** Use a token of its own (the route ends the session). */
  freshToken?: boolean;
  /** A non-JSON body (an uploaded file). */
  raw?: { payload: Buffer; contentType: string };
  /** Credentials of its own (a device's HTTP Basic) instead of the account's token. */
  headers?: Record<string, string>;
}

type Fixture = (c: { t: TestApp; role: Role; scope: 'in' | 'out'; target: Target }) => Promise<Req> | Req;

let seq = 100;
const nextCode = () => String(seq++).padStart(3, '0');

let t: TestApp;
let other: Target; // a grid and user in a second city, outside everybody's scope
const targets = new Map<Role, Target>();
const tokens = new Map<Role, string>();

async function gridUnder(regionId: string): Promise<Target['grid']> {
  const { rows } = await t.db.$client.query<{ id: string; code: string; community_id: string; community_code: string }>(
    `select g.id, g.code, c.id as community_id, c.code as community_code
       from regions g join regions c on c.id = g.parent_id
      where g.level = 'grid' and g.path like (select path from regions where id = $1) || '%'
      order by g.code limit 1`,
    [regionId],
  );
  return { id: rows[0]!.id, code: rows[0]!.code, communityId: rows[0]!.community_id, communityCode: rows[0]!.community_code };
}

async function freshGridIn(communityId: string, communityCode: string): Promise<string> {
  const id = randomUUID();
  await t.db.$client.query(
    `insert into regions (id, parent_id, level, depth, name, code, path)
     select $1::uuid, c.id, 'grid', c.depth + 1, '临时网格' || $2::text, $2::text, c.path || $1::text || '/' from regions c where c.id = $3`,
    [id, communityCode + nextCode(), communityId],
  );
  return id;
}

/** A fresh open perception survey (Beijing framework's four dimensions) of a community. */
async function surveyIn(communityId: string): Promise<string> {
  const id = randomUUID();
  const questions = ['synergy', 'convenience', 'safety', 'perception'].map((code) => ({
    code,
    name: code,
    text: code,
    clause: '002 六 6.1',
  }));
  await t.db.$client.query(
    `insert into evaluation_surveys (community_id, id, framework, framework_version, period, questions, closes_at)
     values ($1, $2, 'BJ-ZHSQ-2013', '2013', $3, $4, now() + interval '1 day')`,
    [communityId, id, `m${seq++}`, JSON.stringify(questions)],
  );
  return id;
}

/** A fresh assessment (Beijing framework) of a community in the given state. */
async function assessmentIn(communityId: string, status: 'draft' | 'submitted'): Promise<string> {
  const id = randomUUID();
  await t.db.$client.query(
    `insert into evaluation_assessments (community_id, id, framework, framework_version, period, status)
     values ($1, $2, 'BJ-ZHSQ-2013', '2013', $3, $4)`,
    [communityId, id, `m${seq++}`, status],
  );
  return id;
}

async function gridWorkerIn(gridId: string): Promise<string> {
  const id = randomUUID();
  await t.db.$client.query(
    `insert into users (id, username, password_hash, display_name, region_id, roles)
     select $1, $2, password_hash, '矩阵网格员', $3, '{grid_worker}' from users where username = 'liuan_grid1'`,
    [id, `matrix_${id.slice(0, 8)}`, gridId],
  );
  return id;
}

const MATRIX_PHONE = '13800138000';
/** A grid event in the target's grid, inserted directly (state, unit, reporter as the fixture needs). */
async function gridEventIn(
  g: Target,
  opts: { status?: string; unitId?: string | null; reporterUserId?: string | null; withPhone?: boolean } = {},
): Promise<{ id: string; code: string; number: string }> {
  const id = randomUUID();
  const number = `M-${seq++}`;
  const code = `M${randomUUID().replace(/-/g, '').slice(0, 9).toUpperCase()}`;
  await t.db.$client.query(
    `insert into grid_events (community_id, id, number, tracking_code, grid_id, category_code, description, reporter_kind, reporter_user_id,
       reporter_phone_hash, channel, status, unit_id, reported_at, respond_due_at, handle_due_at, handle_allowed_minutes)
     values ($1, $2, $3, $4, $5, 'env.garbage', '矩阵事件', 'resident', $6, $7, 'console', $8, $9, now(), now() + interval '1 day',
       now() + interval '2 days', 900)`,
    [
      g.grid.communityId,
      id,
      number,
      code,
      g.grid.id,
      opts.reporterUserId ?? null,
      opts.withPhone ? blindIndex(testKeys(), 'phone', MATRIX_PHONE) : null,
      opts.status ?? 'reported',
      opts.unitId ?? null,
    ],
  );
  return { id, code, number };
}

const OPEN311_KEY = 'matrix-open311-key';
/** The centre of a grid's boundary (demo grids are rectangles). */
async function centreOf(gridId: string): Promise<{ lat: number; long: number }> {
  const { rows } = await t.db.$client.query<{ boundary: { coordinates: number[][][] } }>('select boundary from regions where id = $1', [
    gridId,
  ]);
  const ring = rows[0]!.boundary.coordinates[0]!;
  const xs = ring.map((p) => p[0]!);
  const ys = ring.map((p) => p[1]!);
  return { long: (Math.min(...xs) + Math.max(...xs)) / 2, lat: (Math.min(...ys) + Math.max(...ys)) / 2 };
}

/** A handling unit in a region with the given members. */
async function unitIn(regionId: string, members: string[]): Promise<string> {
  const id = randomUUID();
  await t.db.$client.query(`insert into grid_units (id, region_id, name, kind) values ($1, $2, $3, 'department')`, [
    id,
    regionId,
    `矩阵单位${seq++}`,
  ]);
  for (const m of members) await t.db.$client.query('insert into grid_unit_members (unit_id, user_id) values ($1, $2)', [id, m]);
  return id;
}

async function principalId(role: Role): Promise<string> {
  const { rows } = await t.db.$client.query<{ id: string }>('select id from users where username = $1', [PRINCIPALS[role]]);
  return rows[0]!.id;
}

const gridKpiQuery = ({ scope, target }: { scope: 'in' | 'out'; target: Target }) => ({
  query: { by: 'community', from: '2026-01-01', to: '2026-12-31', regionId: (scope === 'in' ? target : other).grid.id },
});

/** A vote of the target's community, inserted directly in the state the fixture needs. */
async function voteIn(
  g: Target,
  opts: { status?: string; closed?: boolean; pastClose?: boolean; voters?: string[]; participants?: string[]; channels?: string[] } = {},
): Promise<string> {
  const id = randomUUID();
  await t.db.$client.query(
    `insert into votes (community_id, id, title, kind, method, options, secret, eligibility, eligibility_params, channels, opens_at, closes_at,
       status, eligible_count, result)
     values ($1, $2, '矩阵投票', 'general', 'single', '[{"key":"y","label":"同意"},{"key":"n","label":"不同意"}]', true, 'list', $3, $4,
       now() - interval '1 hour', now() + ($5 || ' hours')::interval, $6, $7, $8)`,
    [
      g.grid.communityId,
      id,
      JSON.stringify({ residentIds: [g.residentId] }),
      opts.channels ?? ['online', 'in_person', 'paper'],
      opts.pastClose ? '-0.5' : '2',
      opts.status ?? 'open',
      (opts.voters ?? []).length,
      opts.status === 'closed' ? '{}' : null,
    ],
  );
  for (const v of opts.voters ?? [])
    await t.db.$client.query(`insert into vote_voters (community_id, vote_id, voter_key, label) values ($1, $2, $3, '矩*')`, [
      g.grid.communityId,
      id,
      v,
    ]);
  for (const v of opts.participants ?? [])
    await t.db.$client.query(
      `insert into vote_participation (community_id, vote_id, voter_key, channel) values ($1, $2, $3, 'in_person')`,
      [g.grid.communityId, id, v],
    );
  return id;
}
const scoped = (scope: 'in' | 'out', target: Target) => (scope === 'in' ? target : other);

/** A published finance list of the target's community. */
async function supervisionItemIn(g: Target): Promise<string> {
  const id = randomUUID();
  await t.db.$client.query(
    `insert into supervision_items (community_id, id, kind, title, period, published_by) values ($1, $2, 'matter', '矩阵公开', '2026年', '矩阵')`,
    [g.grid.communityId, id],
  );
  return id;
}

/** An election of the target's community with nominations open, and optionally one nomination. */
async function electionIn(g: Target, nomination?: 'nominated' | 'accepted'): Promise<{ id: string; nominationId: string | null }> {
  const id = randomUUID();
  await t.db.$client.query(
    `insert into votes (community_id, id, title, kind, method, options, max_choices, secret, eligibility, eligibility_params, channels, opens_at, closes_at)
     values ($1, $2, '矩阵选举', 'election', 'multiple', '[]', 1, true, 'residents', '{"minAge":18}', '{online}', now() + interval '3 days', now() + interval '4 days')`,
    [g.grid.communityId, id],
  );
  await t.db.$client.query(
    `insert into elections (community_id, vote_id, seats, publicity_days, nominations_close_at) values ($1, $2, 1, 1, now() + interval '1 day')`,
    [g.grid.communityId, id],
  );
  let nominationId: string | null = null;
  if (nomination) {
    nominationId = randomUUID();
    await t.db.$client.query(
      `insert into election_nominations (community_id, id, vote_id, resident_id, name, source, nominated_by, status)
       values ($1, $2, $3, $4, '矩阵候选人', 'committee', '矩阵', $5)`,
      [g.grid.communityId, nominationId, id, g.residentId, nomination],
    );
  }
  return { id, nominationId };
}

// deliberation (issue 6 §5–6): a consultation in a given status, a decision item (default chain) at a given stage.
async function consultationIn(g: Target, status: string): Promise<string> {
  const id = randomUUID();
  await t.db.$client.query(
    `insert into consultations (community_id, id, title, proposer_name, status) values ($1, $2, '矩阵议题', '矩阵居民', $3)`,
    [g.grid.communityId, id, status],
  );
  return id;
}
async function decisionIn(g: Target, stage: number): Promise<string> {
  const id = randomUUID();
  await t.db.$client.query(
    `insert into decision_items (community_id, id, title, chain, current_stage, created_by) values ($1, $2, '矩阵事项', $3, $4, '矩阵')`,
    [g.grid.communityId, id, JSON.stringify(DEFAULT_CHAIN), stage],
  );
  return id;
}

const DEVICE_SECRET = 'matrix-device-secret';
/** A smoke detector in the target's grid, with a known secret, and optionally an active alarm. */
async function deviceIn(g: Target, withAlarm = false): Promise<{ id: string; alarmId: string | null }> {
  const id = randomUUID();
  await t.db.$client.query(
    `insert into devices (community_id, id, type, name, grid_id, secret_hash) values ($1, $2, 'smoke_detector', '矩阵烟感', $3, encode(sha256($4::bytea), 'hex'))`,
    [g.grid.communityId, id, g.grid.id, DEVICE_SECRET],
  );
  let alarmId: string | null = null;
  if (withAlarm) {
    alarmId = randomUUID();
    await t.db.$client.query(
      `insert into alarms (community_id, id, device_id, type, label, severity, first_at, last_at, grid_id) values ($1, $2, $3, 'fire', '烟感火警', 'critical', now(), now(), $4)`,
      [g.grid.communityId, alarmId, id, g.grid.id],
    );
  }
  return { id, alarmId };
}

const FIXTURES: Record<string, Fixture> = {
  'GET /api/device-rules': ({ scope }) => (scope === 'in' ? {} : { query: { regionId: other.grid.communityId } }),
  'PUT /api/device-rules/{regionId}/{ruleId}': ({ scope, target }) => ({
    params: { regionId: scoped(scope, target).grid.communityId, ruleId: 'gas.leak' },
    body: {
      enabled: true,
      definition: {
        deviceType: 'gas_detector',
        alarmType: 'gas_leak',
        label: '燃气泄漏',
        severity: 'critical',
        kind: 'simple',
        condition: { key: 'gas_lel', op: '>=', value: 20 },
      },
    },
  }),
  'DELETE /api/device-rules/{regionId}/{ruleId}': ({ scope, target }) => ({
    params: { regionId: scoped(scope, target).grid.communityId, ruleId: 'gas.leak' },
  }),
  'GET /api/device-rules/{regionId}/{ruleId}/history': ({ scope, target }) => ({
    params: { regionId: scoped(scope, target).grid.communityId, ruleId: 'gas.leak' },
  }),
  'GET /api/device-types': () => ({}),
  'POST /api/devices': ({ scope, target }) => ({
    body: { regionId: scoped(scope, target).grid.id, type: 'smoke_detector', name: '矩阵烟感' },
  }),
  'GET /api/devices': ({ scope }) => (scope === 'in' ? {} : { query: { communityId: other.grid.communityId } }),
  'GET /api/devices/{id}': async ({ scope, target }) => ({ params: { id: (await deviceIn(scoped(scope, target))).id } }),
  'GET /api/devices/{id}/series': async ({ scope, target }) => ({
    params: { id: (await deviceIn(scoped(scope, target))).id },
    query: { key: 'smoke', from: new Date(Date.now() - 3600_000).toISOString(), to: new Date().toISOString() },
  }),
  'POST /api/devices/{id}/telemetry': async ({ target }) => {
    const d = await deviceIn(target);
    return {
      params: { id: d.id },
      body: { values: { smoke: false } },
      headers: { authorization: `Basic ${Buffer.from(`${d.id}:${DEVICE_SECRET}`).toString('base64')}` },
    };
  },
  'GET /api/devices/ingest-stats': () => ({}),
  'GET /api/devices/connection': () => ({}),
  'GET /api/devices/template.xlsx': () => ({}),
  'POST /api/devices/import': async ({ scope, target }) => ({
    query: { communityId: scope === 'in' ? target.grid.communityId : other.grid.communityId },
    raw: { payload: await emptyLedger(DEVICE_COLUMNS), contentType: XLSX },
  }),
  'POST /api/devices/credentials.xlsx': async ({ scope, target }) => ({
    body: { credentials: [{ username: (await deviceIn(scoped(scope, target))).id, password: DEVICE_SECRET }] },
  }),
  'POST /api/devices/{id}/credentials': async ({ scope, target }) => ({ params: { id: (await deviceIn(scoped(scope, target))).id } }),
  'POST /api/devices/{id}/disable': async ({ scope, target }) => ({ params: { id: (await deviceIn(scoped(scope, target))).id } }),
  'POST /api/devices/{id}/enable': async ({ scope, target }) => ({ params: { id: (await deviceIn(scoped(scope, target))).id } }),
  'GET /api/my-family-alarms': () => ({}),
  'GET /api/alarms': ({ scope }) => (scope === 'in' ? {} : { query: { communityId: other.grid.communityId } }),
  'GET /api/alarms/{id}': async ({ scope, target }) => ({ params: { id: (await deviceIn(scoped(scope, target), true)).alarmId! } }),
  'POST /api/alarms/{id}/actions': async ({ scope, target }) => ({
    params: { id: (await deviceIn(scoped(scope, target), true)).alarmId! },
    body: { action: 'comment', text: '矩阵处理意见' },
  }),
  'POST /api/democracy/owners-decision/tally': () => ({
    body: { matter: 'ordinary', owners: [{ id: 'a', area: 90 }], ballots: [{ ownerId: 'a', choice: 'yes' }] },
  }),
  'GET /api/democracy/owner-matters': () => ({}),
  'GET /api/democracy/votes': ({ scope }) => (scope === 'in' ? {} : { query: { communityId: other.grid.communityId } }),
  'POST /api/democracy/votes': ({ scope, target }) => ({
    body: {
      regionId: scoped(scope, target).grid.communityId,
      kind: 'general',
      title: '矩阵表决',
      options: [
        { key: 'y', label: '同意' },
        { key: 'n', label: '不同意' },
      ],
      eligibility: 'residents',
      channels: ['online'],
      opensAt: new Date(Date.now() + 3600_000).toISOString(),
      closesAt: new Date(Date.now() + 7200_000).toISOString(),
    },
  }),
  'GET /api/democracy/votes/{id}': async ({ scope, target }) => ({ params: { id: await voteIn(scoped(scope, target)) } }),
  'POST /api/democracy/votes/{id}/publish': async ({ scope, target }) => ({
    params: { id: await voteIn(scoped(scope, target), { status: 'draft' }) },
  }),
  'GET /api/democracy/votes/{id}/voters': async ({ scope, target }) => ({ params: { id: await voteIn(scoped(scope, target)) } }),
  'POST /api/democracy/votes/{id}/representatives': async ({ scope, target }) => {
    const g = scoped(scope, target);
    const id = await voteIn(g, { status: 'draft' });
    await t.db.$client.query("update votes set kind = 'owners', eligibility = 'owners' where id = $1", [id]);
    await t.db.$client.query(
      `insert into residencies (community_id, id, resident_id, room_id, relation) values ($1, gen_random_uuid(), $2, $3, 'owner') on conflict do nothing`,
      [g.grid.communityId, g.residentId, g.roomId],
    );
    return { params: { id }, body: { roomId: g.roomId, residentId: g.residentId } };
  },
  'POST /api/democracy/votes/{id}/check-ins': async ({ scope, target }) => {
    const g = scoped(scope, target);
    return { params: { id: await voteIn(g, { voters: [g.residentId] }) }, body: { voterKey: g.residentId } };
  },
  'GET /api/democracy/votes/{id}/paper-batches': async ({ scope, target }) => ({ params: { id: await voteIn(scoped(scope, target)) } }),
  'POST /api/democracy/votes/{id}/paper-batches': async ({ scope, target }) => {
    const g = scoped(scope, target);
    return {
      params: { id: await voteIn(g, { voters: [g.residentId], participants: [g.residentId] }) },
      body: { ballots: [{ choice: ['y'] }] },
    };
  },
  'POST /api/democracy/votes/{id}/result': async ({ scope, target }) => ({
    params: { id: await voteIn(scoped(scope, target), { pastClose: true, channels: ['paper'] }) },
  }),
  'GET /api/democracy/votes/{id}/result': async ({ scope, target }) => ({
    params: { id: await voteIn(scoped(scope, target), { status: 'closed', pastClose: true }) },
  }),
  'GET /api/democracy/votes/{id}/ballots': async ({ scope, target }) => ({
    params: { id: await voteIn(scoped(scope, target), { status: 'closed', pastClose: true }) },
  }),
  'GET /api/democracy/votes/{id}/receipts/{code}': async ({ scope, target }) => ({
    params: { id: await voteIn(scoped(scope, target), { status: 'closed', pastClose: true }), code: 'ABCDEFGHJKLM' },
  }),
  'POST /api/democracy/elections': ({ scope, target }) => ({
    body: {
      regionId: scoped(scope, target).grid.communityId,
      title: '矩阵选举',
      seats: 1,
      channels: ['online'],
      nominationsCloseAt: new Date(Date.now() + 3600_000).toISOString(),
      opensAt: new Date(Date.now() + 10 * 86400_000).toISOString(),
      closesAt: new Date(Date.now() + 11 * 86400_000).toISOString(),
    },
  }),
  'GET /api/democracy/elections/{id}': async ({ scope, target }) => ({ params: { id: (await electionIn(scoped(scope, target))).id } }),
  'POST /api/democracy/elections/{id}/nominations': async ({ role, scope, target }) => {
    const g = scoped(scope, target);
    return { params: { id: (await electionIn(g)).id }, body: role === 'resident' ? {} : { residentId: g.residentId } };
  },
  'POST /api/democracy/elections/{id}/nominations/{nominationId}/decision': async ({ scope, target }) => {
    const e = await electionIn(scoped(scope, target), 'nominated');
    return { params: { id: e.id, nominationId: e.nominationId! }, body: { accept: true } };
  },
  'POST /api/democracy/elections/{id}/nominations/{nominationId}/withdraw': async ({ scope, target }) => {
    const e = await electionIn(scoped(scope, target), 'nominated');
    return { params: { id: e.id, nominationId: e.nominationId! } };
  },
  'POST /api/democracy/elections/{id}/candidates': async ({ scope, target }) => ({
    params: { id: (await electionIn(scoped(scope, target), 'accepted')).id },
  }),
  'GET /api/democracy/supervision': ({ scope }) => (scope === 'in' ? {} : { query: { communityId: other.grid.communityId } }),
  'POST /api/democracy/supervision': ({ scope, target }) => ({
    body: { regionId: scoped(scope, target).grid.communityId, kind: 'matter', title: '矩阵公开事项', period: '2026年' },
  }),
  'GET /api/democracy/supervision/{id}': async ({ scope, target }) => ({ params: { id: await supervisionItemIn(scoped(scope, target)) } }),
  'POST /api/democracy/supervision/{id}/reviews': async ({ role, scope, target }) => {
    const g = scoped(scope, target);
    if (role === 'resident') {
      // The resident principal sits on the community's 居务监督委员会.
      const { rows } = await t.db.$client.query<{ resident_id: string }>("select resident_id from users where username = 'liuan_resident'");
      const org = randomUUID();
      await t.db.$client.query(`insert into organisations (community_id, id, kind, name) values ($1, $2, 'supervisory_committee', $3)`, [
        g.grid.communityId,
        org,
        `矩阵监督委员会${seq++}`,
      ]);
      await t.db.$client.query(
        `insert into organisation_members (community_id, id, organisation_id, resident_id, position) values ($1, $2, $3, $4, '委员')`,
        [g.grid.communityId, randomUUID(), org, rows[0]!.resident_id],
      );
    }
    return { params: { id: await supervisionItemIn(g) }, body: { opinion: 'approved' } };
  },
  'POST /api/democracy/supervision-questions': ({ scope, target }) => ({
    body: { regionId: scoped(scope, target).grid.communityId, kind: 'question', text: '矩阵质询内容' },
  }),
  'GET /api/democracy/supervision-questions': ({ scope }) => (scope === 'in' ? {} : { query: { communityId: other.grid.communityId } }),
  'POST /api/democracy/supervision-questions/{id}/answer': async ({ scope, target }) => {
    const g = scoped(scope, target);
    const id = randomUUID();
    await t.db.$client.query(
      `insert into supervision_questions (community_id, id, kind, text, due_at) values ($1, $2, 'question', '矩阵质询', now() + interval '5 days')`,
      [g.grid.communityId, id],
    );
    return { params: { id }, body: { answer: '矩阵答复' } };
  },
  'GET /api/democracy/my-votes': () => ({}),
  'GET /api/democracy/my-questions': () => ({}),
  'POST /api/democracy/votes/{id}/ballot': async ({ scope, target }) => {
    const { rows } = await t.db.$client.query<{ resident_id: string | null }>(
      "select resident_id from users where username = 'liuan_resident'",
    );
    const g = scoped(scope, target);
    return { params: { id: await voteIn(g, { voters: [rows[0]!.resident_id ?? g.residentId] }) }, body: { choice: ['y'] } };
  },
  // deliberation (issue 6 §5–6)
  'GET /api/democracy/consultations': ({ scope }) => (scope === 'in' ? {} : { query: { communityId: other.grid.communityId } }),
  'POST /api/democracy/consultations': ({ scope, target }) => ({
    body: { regionId: scoped(scope, target).grid.communityId, title: '矩阵议题' },
  }),
  'POST /api/democracy/consultations/recorded': ({ scope, target }) => ({
    body: { regionId: scoped(scope, target).grid.communityId, title: '矩阵议题', proposerName: '矩阵居民' },
  }),
  'GET /api/democracy/consultations/{id}': async ({ scope, target }) => ({
    params: { id: await consultationIn(scoped(scope, target), 'proposed') },
  }),
  'POST /api/democracy/consultations/{id}/steps': async ({ scope, target }) => ({
    params: { id: await consultationIn(scoped(scope, target), 'proposed') },
    body: { step: 'accept' },
  }),
  'POST /api/democracy/consultations/{id}/comments': async ({ scope, target }) => ({
    params: { id: await consultationIn(scoped(scope, target), 'deliberating') },
    body: { text: '矩阵意见' },
  }),
  'GET /api/democracy/my-consultations': () => ({}),
  'GET /api/notifications': () => ({ query: { unread: 'true' } }),
  'POST /api/notifications/{id}/read': async ({ role, target }) => {
    const id = randomUUID();
    await t.db.$client.query(
      `insert into notifications (community_id, id, recipient_user_id, kind, title, body) values ($1, $2, $3, 'matrix', '矩阵', '矩阵通知')`,
      [target.grid.communityId, id, await principalId(role)],
    );
    return { params: { id } };
  },
  'POST /api/notifications/read-all': () => ({}),
  'GET /api/sms-outbox': () => ({ query: { status: 'no_gateway' } }),
  'GET /api/democracy/decisions': ({ scope }) => (scope === 'in' ? {} : { query: { communityId: other.grid.communityId } }),
  'POST /api/democracy/decisions': ({ scope, target }) => ({
    body: { regionId: scoped(scope, target).grid.communityId, title: '矩阵事项' },
  }),
  'GET /api/democracy/decisions/{id}': async ({ scope, target }) => ({ params: { id: await decisionIn(scoped(scope, target), 0) } }),
  'POST /api/democracy/decisions/{id}/stages': async ({ scope, target }) => ({
    params: { id: await decisionIn(scoped(scope, target), 0) },
    body: { text: '矩阵提议' },
  }),
  'POST /api/democracy/decisions/{id}/objections': async ({ scope, target }) => ({
    params: { id: await decisionIn(scoped(scope, target), 5) },
    body: { text: '矩阵异议' },
  }),
  'POST /api/democracy/decisions/{id}/objections/{objectionId}/answer': async ({ scope, target }) => {
    const g = scoped(scope, target);
    const id = await decisionIn(g, 5);
    const objectionId = randomUUID();
    await t.db.$client.query(
      `insert into decision_objections (community_id, id, item_id, stage_index, text, filed_by_name, due_at)
       values ($1, $2, $3, 5, '矩阵异议', '矩阵居民', now() + interval '5 days')`,
      [g.grid.communityId, objectionId, id],
    );
    return { params: { id, objectionId }, body: { answer: '矩阵答复' } };
  },
  'GET /open311/v2/discovery.json': () => ({}),
  'GET /open311/v2/services.json': () => ({}),
  'GET /open311/v2/services/{service_code}.json': () => ({ params: { service_code: 'property.repair' } }),
  'POST /open311/v2/requests.json': async ({ target }) => ({
    body: { api_key: OPEN311_KEY, service_code: 'env.garbage', description: '合作方上报', ...(await centreOf(target.grid.id)) },
  }),
  'GET /open311/v2/requests.json': () => ({}),
  'GET /open311/v2/requests/{service_request_id}.json': async ({ target }) => ({
    params: { service_request_id: (await gridEventIn(target)).number },
  }),
  'GET /api/grid/categories': () => ({}),
  'PUT /api/grid/categories/{code}': () => ({ params: { code: 'env.matrix' }, body: { parentCode: 'env', name: '矩阵类别' } }),
  'GET /api/grid/units': () => ({}),
  'POST /api/grid/units': ({ scope, target }) => ({
    body: { regionId: (scope === 'in' ? target : other).grid.id, name: `矩阵单位${seq++}`, kind: 'department' },
  }),
  'PUT /api/grid/units/{id}/members': async ({ scope, target }) => ({
    params: { id: await unitIn((scope === 'in' ? target : other).grid.id, []) },
    body: { memberIds: [] },
  }),
  'GET /api/grid/routes': () => ({}),
  'PUT /api/grid/routes': async ({ scope, target }) => {
    const g = (scope === 'in' ? target : other).grid.id;
    return { body: { regionId: g, categoryCode: 'env.garbage', unitId: await unitIn(g, []) } };
  },
  'GET /api/grid/calendar/{year}': () => ({ params: { year: '2026' } }),
  'PUT /api/grid/calendar/{year}': () => ({
    params: { year: '2031' },
    body: { days: [{ date: '2031-01-01', kind: 'holiday', name: '元旦' }] },
  }),
  'GET /api/grid/partners': () => ({}),
  'POST /api/grid/partners': () => ({ body: { name: `矩阵合作方${seq++}` } }),
  'DELETE /api/grid/partners/{id}': async () => {
    const id = randomUUID();
    await t.db.$client.query(`insert into open311_partners (id, name, key_hash) values ($1, '矩阵', $2)`, [id, randomUUID()]);
    return { params: { id } };
  },
  'POST /api/grid/events': ({ scope, target }) => ({
    body: { regionId: (scope === 'in' ? target : other).grid.id, categoryCode: 'env.garbage', description: '矩阵上报' },
  }),
  'GET /api/grid/events': ({ scope }) => (scope === 'in' ? {} : { query: { communityId: other.grid.communityId } }),
  'GET /api/grid/my-events': () => ({}),
  'GET /api/grid/events/{id}': async ({ scope, target }) => ({ params: { id: (await gridEventIn(scope === 'in' ? target : other)).id } }),
  'POST /api/grid/events/{id}/actions': async ({ role, scope, target }) => {
    if (scope === 'out') return { params: { id: (await gridEventIn(other)).id }, body: { action: 'escalate', reason: '矩阵' } };
    if (ADMINS.includes(role)) return { params: { id: (await gridEventIn(target)).id }, body: { action: 'escalate', reason: '矩阵' } };
    // Handling staff act on events dispatched to a unit they belong to.
    const unitId = await unitIn(target.grid.id, [await principalId(role)]);
    return { params: { id: (await gridEventIn(target, { status: 'dispatched', unitId })).id }, body: { action: 'start' } };
  },
  'GET /api/grid/my-events/{id}': async ({ role, scope, target }) => ({
    params: { id: (await gridEventIn(scope === 'in' ? target : other, { reporterUserId: await principalId(role) })).id },
  }),
  'POST /api/grid/my-events/{id}/actions': async ({ role, scope, target }) => ({
    params: {
      id: (await gridEventIn(scope === 'in' ? target : other, { status: 'feedback', reporterUserId: await principalId(role) })).id,
    },
    body: { action: 'confirm', satisfaction: 5 },
  }),
  'POST /api/grid/events/{id}/reveal-phone': async ({ scope, target }) => ({
    params: { id: (await gridEventIn(scope === 'in' ? target : other)).id },
  }),
  'GET /api/grid/kpis': gridKpiQuery,
  'GET /api/grid/kpis.xlsx': gridKpiQuery,
  'GET /api/grid/dashboard': ({ scope, target }) => ({ query: { regionId: (scope === 'in' ? target : other).grid.id } }),
  'POST /api/public/grid/reports': ({ target }) => ({
    body: { regionId: target.grid.id, categoryCode: 'env.garbage', description: '公众报事', reporterPhone: MATRIX_PHONE },
  }),
  'POST /api/public/grid/track': async ({ target }) => ({
    body: { code: (await gridEventIn(target, { withPhone: true })).code, phone: MATRIX_PHONE },
  }),
  'POST /api/public/grid/track/actions': async ({ target }) => ({
    body: {
      code: (await gridEventIn(target, { status: 'feedback', withPhone: true })).code,
      phone: MATRIX_PHONE,
      action: 'confirm',
      satisfaction: 4,
    },
  }),
  'GET /api/health': () => ({}),
  'POST /api/auth/login': ({ role }) => ({ body: { username: PRINCIPALS[role], password: passwordOf(role) } }),
  'POST /api/auth/logout': () => ({ freshToken: true }),
  'GET /api/auth/me': () => ({}),
  'PATCH /api/auth/me': () => ({ body: { phone: '13800138000' } }),
  'POST /api/auth/password': ({ role }) => ({ body: { currentPassword: passwordOf(role), newPassword: passwordOf(role) } }),
  'GET /api/roles': () => ({}),
  'GET /api/users': ({ scope, target }) => ({ query: { regionId: scope === 'in' ? target.grid.id : other.grid.id } }),
  'GET /api/users/{id}': ({ scope, target }) => ({ params: { id: scope === 'in' ? target.userId : other.userId } }),
  'POST /api/users': ({ scope, target }) => ({
    body: {
      username: `m_${randomUUID().slice(0, 8)}`,
      password: 'Matrix@2026',
      displayName: '矩阵用户',
      roles: ['grid_worker'],
      regionId: scope === 'in' ? target.grid.id : other.grid.id,
    },
  }),
  'PATCH /api/users/{id}': ({ scope, target }) => ({
    params: { id: scope === 'in' ? target.userId : other.userId },
    body: { displayName: '改名' },
  }),
  'POST /api/users/{id}/reveal-phone': ({ scope, target }) => ({ params: { id: scope === 'in' ? target.userId : other.userId } }),
  'GET /api/regions': () => ({}),
  'GET /api/regions/{id}': ({ scope, target }) => ({ params: { id: scope === 'in' ? target.grid.id : other.grid.id } }),
  'POST /api/regions': ({ scope, target }) => {
    const g = scope === 'in' ? target.grid : other.grid;
    return { body: { parentId: g.communityId, name: '矩阵网格', code: g.communityCode + nextCode() } };
  },
  'PATCH /api/regions/{id}': ({ scope, target }) => ({
    params: { id: scope === 'in' ? target.grid.id : other.grid.id },
    body: { sortOrder: 7 },
  }),
  'DELETE /api/regions/{id}': async ({ scope, target }) => {
    const g = scope === 'in' ? target.grid : other.grid;
    return { params: { id: await freshGridIn(g.communityId, g.communityCode) } };
  },
  'GET /api/audit': () => ({}),
  'GET /api/audit/verify': () => ({}),
  'GET /api/residents': ({ scope, target }) => ({
    query: scope === 'in' ? ({ gridId: target.grid.id } as Record<string, string>) : { communityId: other.grid.communityId },
  }),
  'GET /api/residents/{id}': ({ scope, target }) => ({ params: { id: scope === 'in' ? target.residentId : other.residentId } }),
  'POST /api/residents': ({ scope, target }) => ({
    body: {
      regionId: scope === 'in' ? target.grid.id : other.grid.id,
      name: '新居民',
      idType: 'resident_id',
      idNumber: makeIdNumber('990102', '19880808', seq++),
    },
  }),
  'PATCH /api/residents/{id}': ({ scope, target }) => ({
    params: { id: scope === 'in' ? target.residentId : other.residentId },
    body: { note: '矩阵' },
  }),
  'POST /api/residents/{id}/reveal': ({ scope, target }) => ({ params: { id: scope === 'in' ? target.residentId : other.residentId } }),
  'GET /api/buildings': ({ scope }) => (scope === 'in' ? {} : { query: { communityId: other.grid.communityId } }),
  'GET /api/buildings/{id}': ({ scope, target }) => ({ params: { id: scope === 'in' ? target.buildingId : other.buildingId } }),
  'POST /api/buildings': ({ scope, target }) => ({
    body: { regionId: scope === 'in' ? target.grid.id : other.grid.id, number: `N${seq++}` },
  }),
  'POST /api/rooms': ({ scope, target }) => ({
    body: { buildingId: scope === 'in' ? target.buildingId : other.buildingId, number: `${seq++}` },
  }),
  'POST /api/residencies': async ({ scope, target }) => {
    const g = scope === 'in' ? target : other;
    const r = await registerIn(g.grid.id);
    return { body: { residentId: r.residentId, roomId: g.roomId, relation: 'tenant' } };
  },
  'PATCH /api/residencies/{id}': async ({ scope, target }) => {
    const g = scope === 'in' ? target : other;
    const r = await registerIn(g.grid.id);
    const res = await registry.addResidency(ctx, {
      residentId: r.residentId,
      roomId: g.roomId,
      relation: 'tenant',
      movedInOn: '2020-01-01',
    });
    return { params: { id: res.id }, body: { movedOutOn: '2025-01-01' } };
  },
  'GET /api/residents/export.xlsx': ({ scope, target }) => ({
    query: scope === 'in' ? ({ gridId: target.grid.id } as Record<string, string>) : { communityId: other.grid.communityId },
  }),
  'GET /api/registry/templates/residents.xlsx': () => ({}),
  'GET /api/registry/templates/rooms.xlsx': () => ({}),
  'GET /api/registry/imports/jobs/{id}': async ({ scope, target }) => {
    const { rows } = await t.db.$client.query<{ id: string }>(
      `insert into import_jobs (community_id, id, kind, mode, status, total, processed, created_by)
       values ($1, gen_random_uuid(), 'rooms', 'validate', 'done', 0, 0, gen_random_uuid()) returning id`,
      [scope === 'in' ? target.grid.communityId : other.grid.communityId],
    );
    return { params: { id: rows[0]!.id } };
  },
  'GET /api/registry/templates/organisations.xlsx': () => ({}),
  'POST /api/registry/imports/rooms': async ({ scope, target }) => ({
    query: { regionId: scope === 'in' ? target.grid.communityId : other.grid.communityId, mode: 'validate' },
    raw: { payload: await emptyLedger(ROOM_COLUMNS), contentType: XLSX },
  }),
  'POST /api/registry/imports/organisations': async ({ scope, target }) => ({
    query: { regionId: scope === 'in' ? target.grid.communityId : other.grid.communityId, mode: 'validate' },
    raw: { payload: await emptyLedger(ORGANISATION_COLUMNS), contentType: XLSX },
  }),
  'GET /api/plates/{communityId}/{code}': async ({ target }) => {
    const { rows } = await t.db.$client.query<{ plate_code: string }>('select plate_code from buildings where id = $1', [
      target.buildingId,
    ]);
    return { params: { communityId: target.grid.communityId, code: rows[0]!.plate_code } };
  },
  'GET /api/buildings/{id}/plates.html': ({ scope, target }) => ({ params: { id: scope === 'in' ? target.buildingId : other.buildingId } }),
  'GET /api/rooms': () => ({ query: { q: '室' } }),
  'GET /api/residents/{id}/timeline': ({ scope, target }) => ({ params: { id: scope === 'in' ? target.residentId : other.residentId } }),
  'GET /api/rooms/{id}/timeline': ({ scope, target }) => ({ params: { id: scope === 'in' ? target.roomId : other.roomId } }),
  'GET /api/frameworks': () => ({}),
  'GET /api/frameworks/detail': () => ({ query: { code: 'DB37/T 3890.3-2020' } }),
  'POST /api/evaluation/what-if': () => ({ body: { framework: 'BJ-ZHSQ-2013', indicators: { '1': 1 } } }),
  'GET /api/evaluation/scorecard': ({ scope, target }) => ({
    query: { communityId: scope === 'in' ? target.grid.communityId : other.grid.communityId, framework: 'DB37/T 3890.3-2020' },
  }),
  'GET /api/evaluation/gap': ({ scope, target }) => ({
    query: { communityId: scope === 'in' ? target.grid.communityId : other.grid.communityId, framework: 'BJ-ZHSQ-2013' },
  }),
  'GET /api/evaluation/rollup': ({ scope, target }) => ({
    query: { regionId: scope === 'in' ? target.grid.communityId : other.grid.communityId, framework: 'DB37/T 3890.3-2020' },
  }),
  'GET /api/evaluation/trend': ({ scope, target }) => ({
    query: { regionId: scope === 'in' ? target.grid.communityId : other.grid.communityId, framework: 'BJ-ZHSQ-2013' },
  }),
  'GET /api/evaluation/values': ({ scope, target }) => ({
    query: {
      communityId: scope === 'in' ? target.grid.communityId : other.grid.communityId,
      framework: 'DB37/T 3890.3-2020',
      criterion: 'L1P2.1',
    },
  }),
  'POST /api/evaluation/values': ({ scope, target }) => ({
    body: {
      communityId: scope === 'in' ? target.grid.communityId : other.grid.communityId,
      framework: 'DB37/T 3890.3-2020',
      criterion: 'L1P2.1',
      value: 1,
      source: '现场核验',
      referenceDate: '2026-06-30',
      quality: 'A',
      evidence: [{ title: '无线网络覆盖点位图' }],
    },
  }),
  'POST /api/evaluation/assessments': ({ scope, target }) => ({
    body: {
      communityId: scope === 'in' ? target.grid.communityId : other.grid.communityId,
      framework: 'BJ-ZHSQ-2013',
      period: `20${10 + (seq++ % 80)}`,
    },
  }),
  'GET /api/evaluation/scorecard.xlsx': ({ scope, target }) => ({
    query: { communityId: scope === 'in' ? target.grid.communityId : other.grid.communityId, framework: 'BJ-ZHSQ-2013' },
  }),
  'GET /api/evaluation/rollup.xlsx': ({ scope, target }) => ({
    query: { regionId: scope === 'in' ? target.grid.communityId : other.grid.communityId, framework: 'BJ-ZHSQ-2013' },
  }),
  'GET /api/evaluation/assessments': ({ scope, target }) => ({
    query: { communityId: scope === 'in' ? target.grid.communityId : other.grid.communityId },
  }),
  'GET /api/evaluation/assessments/{id}': async ({ scope, target }) => ({
    params: { id: await assessmentIn(scope === 'in' ? target.grid.communityId : other.grid.communityId, 'draft') },
  }),
  'POST /api/evaluation/assessments/{id}/submit': async ({ scope, target }) => ({
    params: { id: await assessmentIn(scope === 'in' ? target.grid.communityId : other.grid.communityId, 'draft') },
  }),
  'POST /api/evaluation/assessments/{id}/reviews': async ({ scope, target }) => ({
    params: { id: await assessmentIn(scope === 'in' ? target.grid.communityId : other.grid.communityId, 'submitted') },
    body: { indicator: '1', decision: 'accepted' },
  }),
  'POST /api/evaluation/assessments/{id}/lock': async ({ scope, target }) => {
    const id = await assessmentIn(scope === 'in' ? target.grid.communityId : other.grid.communityId, 'submitted');
    // Every indicator accepted, so the lock can succeed.
    await t.db.$client.query(
      `insert into evaluation_reviews (community_id, id, assessment_id, indicator, decision, reviewer_name)
       select community_id, gen_random_uuid(), id, g::text, 'accepted', '矩阵' from evaluation_assessments, generate_series(1, 38) g where id = $1`,
      [id],
    );
    return { params: { id } };
  },
  'POST /api/evaluation/surveys': ({ scope, target }) => ({
    body: {
      communityId: scoped(scope, target).grid.communityId,
      framework: 'BJ-ZHSQ-2013',
      period: String(3000 + seq++),
      closesAt: new Date(Date.now() + 86400_000).toISOString(),
    },
  }),
  'GET /api/evaluation/surveys': ({ scope, target }) => ({ query: { communityId: scoped(scope, target).grid.communityId } }),
  'GET /api/evaluation/surveys/{id}': async ({ scope, target }) => ({
    params: { id: await surveyIn(scoped(scope, target).grid.communityId) },
  }),
  'POST /api/evaluation/surveys/{id}/close': async ({ scope, target }) => ({
    params: { id: await surveyIn(scoped(scope, target).grid.communityId) },
  }),
  'GET /api/my-surveys': () => ({}),
  'POST /api/my-surveys/{id}/answer': async ({ scope, target }) => ({
    params: { id: await surveyIn(scoped(scope, target).grid.communityId) },
    body: { scores: { synergy: 3, convenience: 4, safety: 5, perception: 4 } },
  }),
  'GET /api/facilities': ({ scope }) => (scope === 'in' ? {} : { query: { communityId: other.grid.communityId } }),
  'GET /api/facilities/{id}': ({ scope, target }) => ({ params: { id: scope === 'in' ? target.facilityId : other.facilityId } }),
  'POST /api/facilities': ({ scope, target }) => ({
    body: { regionId: scope === 'in' ? target.grid.id : other.grid.id, kind: 'aed', name: `AED${seq++}` },
  }),
  'PATCH /api/facilities/{id}': ({ scope, target }) => ({
    params: { id: scope === 'in' ? target.facilityId : other.facilityId },
    body: { capacity: 2 },
  }),
  'GET /api/organisations': ({ scope }) => (scope === 'in' ? {} : { query: { communityId: other.grid.communityId } }),
  'GET /api/organisations/{id}': ({ scope, target }) => ({ params: { id: scope === 'in' ? target.organisationId : other.organisationId } }),
  'POST /api/organisations': ({ scope, target }) => ({
    body: { regionId: scope === 'in' ? target.grid.communityId : other.grid.communityId, kind: 'social_org', name: `矩阵组织${seq++}` },
  }),
  'PATCH /api/organisations/{id}': ({ scope, target }) => ({
    params: { id: scope === 'in' ? target.organisationId : other.organisationId },
    body: { note: '矩阵' },
  }),
  'POST /api/organisations/{id}/members': ({ scope, target }) => ({
    params: { id: scope === 'in' ? target.organisationId : other.organisationId },
    body: { name: `成员${seq++}` },
  }),
  'PATCH /api/organisation-members/{id}': async ({ scope, target }) => {
    const m = await organisations.addMember(ctx, scope === 'in' ? target.organisationId : other.organisationId, {
      name: `成员${seq++}`,
      joinedOn: '2020-01-01',
    });
    return { params: { id: m.id }, body: { leftOn: '2025-01-01' } };
  },
  'POST /api/registry/imports/residents': async ({ scope, target }) => ({
    query: { regionId: scope === 'in' ? target.grid.communityId : other.grid.communityId, mode: 'validate' },
    raw: { payload: await emptyLedger(), contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
  }),
};

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
async function emptyLedger(columns: Column[] = RESIDENT_COLUMNS): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('台账').addRow(columns.map((c) => c.header));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Routes whose target is named in the request, so an out-of-scope request is possible. */
const SCOPED = new Set([
  'GET /api/device-rules',
  'PUT /api/device-rules/{regionId}/{ruleId}',
  'DELETE /api/device-rules/{regionId}/{ruleId}',
  'GET /api/device-rules/{regionId}/{ruleId}/history',
  'POST /api/devices',
  'POST /api/devices/import',
  'POST /api/devices/credentials.xlsx',
  'POST /api/devices/{id}/credentials',
  'POST /api/devices/{id}/disable',
  'POST /api/devices/{id}/enable',
  'GET /api/devices',
  'GET /api/devices/{id}',
  'GET /api/devices/{id}/series',
  'GET /api/alarms',
  'GET /api/alarms/{id}',
  'POST /api/alarms/{id}/actions',
  'POST /api/democracy/votes',
  'GET /api/democracy/votes',
  'GET /api/democracy/votes/{id}',
  'POST /api/democracy/votes/{id}/publish',
  'GET /api/democracy/votes/{id}/voters',
  'POST /api/democracy/votes/{id}/representatives',
  'POST /api/democracy/votes/{id}/check-ins',
  'GET /api/democracy/votes/{id}/paper-batches',
  'POST /api/democracy/votes/{id}/paper-batches',
  'POST /api/democracy/votes/{id}/result',
  'GET /api/democracy/votes/{id}/result',
  'GET /api/democracy/votes/{id}/ballots',
  'GET /api/democracy/votes/{id}/receipts/{code}',
  'POST /api/democracy/votes/{id}/ballot',
  'POST /api/democracy/elections',
  'GET /api/democracy/elections/{id}',
  'GET /api/democracy/supervision',
  'POST /api/democracy/supervision',
  'GET /api/democracy/supervision/{id}',
  'POST /api/democracy/supervision/{id}/reviews',
  'POST /api/democracy/supervision-questions',
  'GET /api/democracy/supervision-questions',
  'POST /api/democracy/supervision-questions/{id}/answer',
  'POST /api/democracy/elections/{id}/nominations',
  'POST /api/democracy/elections/{id}/nominations/{nominationId}/decision',
  'POST /api/democracy/elections/{id}/candidates',
  'POST /api/democracy/elections/{id}/nominations/{nominationId}/withdraw',
  // deliberation (issue 6 §5–6)
  'GET /api/democracy/consultations',
  'POST /api/democracy/consultations',
  'POST /api/democracy/consultations/recorded',
  'GET /api/democracy/consultations/{id}',
  'POST /api/democracy/consultations/{id}/steps',
  'POST /api/democracy/consultations/{id}/comments',
  'GET /api/democracy/decisions',
  'POST /api/democracy/decisions',
  'GET /api/democracy/decisions/{id}',
  'POST /api/democracy/decisions/{id}/stages',
  'POST /api/democracy/decisions/{id}/objections',
  'POST /api/democracy/decisions/{id}/objections/{objectionId}/answer',
  'POST /api/grid/units',
  'PUT /api/grid/units/{id}/members',
  'PUT /api/grid/routes',
  'POST /api/grid/events',
  'GET /api/grid/events',
  'GET /api/grid/events/{id}',
  'POST /api/grid/events/{id}/actions',
  'GET /api/grid/my-events/{id}',
  'POST /api/grid/my-events/{id}/actions',
  'POST /api/grid/events/{id}/reveal-phone',
  'GET /api/grid/kpis',
  'GET /api/grid/kpis.xlsx',
  'GET /api/grid/dashboard',
  'POST /api/evaluation/assessments',
  'GET /api/evaluation/scorecard.xlsx',
  'GET /api/evaluation/rollup.xlsx',
  'GET /api/evaluation/assessments',
  'GET /api/evaluation/assessments/{id}',
  'POST /api/evaluation/assessments/{id}/submit',
  'POST /api/evaluation/assessments/{id}/reviews',
  'POST /api/evaluation/assessments/{id}/lock',
  'GET /api/evaluation/scorecard',
  'GET /api/evaluation/gap',
  'GET /api/evaluation/rollup',
  'GET /api/evaluation/trend',
  'GET /api/evaluation/values',
  'POST /api/evaluation/values',
  'POST /api/evaluation/surveys',
  'GET /api/evaluation/surveys',
  'GET /api/evaluation/surveys/{id}',
  'POST /api/evaluation/surveys/{id}/close',
  'POST /api/my-surveys/{id}/answer',
  'GET /api/users',
  'GET /api/users/{id}',
  'POST /api/users',
  'PATCH /api/users/{id}',
  'POST /api/users/{id}/reveal-phone',
  'GET /api/regions/{id}',
  'POST /api/regions',
  'PATCH /api/regions/{id}',
  'DELETE /api/regions/{id}',
]);

let operations: string[] = [];

beforeAll(async () => {
  t = await setupTestApp();
  ctx = await systemCtx(t);
  await t.db.$client.query(
    `insert into open311_partners (id, name, key_hash) values ($1, '矩阵合作方', encode(sha256($2::bytea), 'hex'))`,
    [randomUUID(), OPEN311_KEY],
  );
  // A second city, outside the scope of every principal (even the city administrator's).
  const ids = { city: randomUUID(), district: randomUUID(), street: randomUUID(), community: randomUUID(), grid: randomUUID() };
  const chain: [keyof typeof ids, string, string][] = [
    ['city', '外市', '980100'],
    ['district', '外区', '980102'],
    ['street', '外街道', '980102001'],
    ['community', '外社区', '980102001001'],
    ['grid', '外网格', '980102001001001'],
  ];
  let path = '/';
  let parent: string | null = null;
  for (const [i, [level, name, code]] of chain.entries()) {
    path += `${ids[level]}/`;
    await t.db.$client.query('insert into regions (id, parent_id, level, depth, name, code, path) values ($1,$2,$3,$4,$5,$6,$7)', [
      ids[level],
      parent,
      level,
      i,
      name,
      code,
      path,
    ]);
    parent = ids[level];
  }
  other = {
    grid: { id: ids.grid, code: '980102001001001', communityId: ids.community, communityCode: '980102001001' },
    userId: await gridWorkerIn(ids.grid),
    ...(await registerIn(ids.grid)),
  };

  for (const role of EVALUATORS.filter((r) => r !== 'evaluator'))
    await t.db.$client.query(
      `insert into users (id, username, password_hash, display_name, region_id, roles)
       select gen_random_uuid(), $1, password_hash, $2, region_id, $3 from users where username = 'city_evaluator'`,
      [PRINCIPALS[role], `矩阵${role}`, [role]],
    );
  for (const role of ROLES) {
    const { rows } = await t.db.$client.query<{ region_id: string }>('select region_id from users where username = $1', [PRINCIPALS[role]]);
    const grid = await gridUnder(rows[0]!.region_id);
    targets.set(role, { grid, userId: await gridWorkerIn(grid.id), ...(await registerIn(grid.id)) });
    tokens.set(role, await t.login(PRINCIPALS[role]));
  }
  const doc = (await t.call('GET', '/api/openapi.json')).json() as { paths: Record<string, Record<string, unknown>> };
  operations = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
});
afterAll(() => t.close());

async function send(op: string, req: Req, token: string | null) {
  const [method, tpl] = op.split(' ') as [string, string];
  const url = tpl.replace(/\{(\w+)\}/g, (_, k: string) => req.params?.[k] ?? 'missing');
  if (req.headers)
    return t.app.inject({
      method: method as 'POST',
      url,
      query: req.query ?? {},
      payload: JSON.stringify(req.body ?? {}),
      headers: { 'content-type': 'application/json', ...req.headers },
    });
  if (req.raw)
    return t.app.inject({
      method: method as 'POST',
      url,
      query: req.query ?? {},
      payload: req.raw.payload,
      headers: { 'content-type': req.raw.contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
  return t.call(method, url, {
    ...(token ? { token } : {}),
    ...(req.query ? { query: req.query } : {}),
    ...(req.body !== undefined ? { body: req.body } : {}),
  });
}

describe('authorization matrix', () => {
  it('every documented operation has a policy and a fixture', () => {
    expect(operations.length).toBeGreaterThan(10);
    for (const op of operations) {
      expect(POLICY, `add ${op} to POLICY`).toHaveProperty([op]);
      expect(FIXTURES, `add ${op} to FIXTURES`).toHaveProperty([op]);
    }
  });

  it('without a token, every non-public operation is 401', async () => {
    for (const op of operations) {
      if (POLICY[op] === 'public') continue;
      const res = await send(op, await FIXTURES[op]!({ t, role: 'city_admin', scope: 'in', target: targets.get('city_admin')! }), null);
      expect(res.statusCode, `${op} anonymous: ${res.body}`).toBe(401);
    }
  });

  for (const role of ROLES) {
    it(`role ${role}: allowed operations succeed in scope, others are 403`, async () => {
      for (const op of operations) {
        const policy = POLICY[op]!;
        const allowed = policy === 'public' || policy.includes(role);
        const req = await FIXTURES[op]!({ t, role, scope: 'in', target: targets.get(role)! });
        const token = req.freshToken ? await freshLogin(role) : tokens.get(role)!;
        const res = await send(op, req, token);
        if (allowed) expect(res.statusCode, `${role} ${op} in scope: ${res.body}`).toBeLessThan(300);
        else {
          expect(res.statusCode, `${role} ${op}: ${res.body}`).toBe(403);
          // Refused by its permission, or (a grid worker and a community-wide object) by its scope.
          expect(res.json().type).toMatch(/\/(forbidden|out-of-scope)$/);
        }
      }
    });

    it(`role ${role}: targets outside its scope are refused`, async () => {
      for (const op of operations) {
        if (!SCOPED.has(op)) continue;
        const policy = POLICY[op]!;
        const req = await FIXTURES[op]!({ t, role, scope: 'out', target: targets.get(role)! });
        const res = await send(op, req, tokens.get(role)!);
        expect(res.statusCode, `${role} ${op} out of scope: ${res.body}`).toBe(403);
        // Those with the permission are stopped by scope; the others by the permission, or (routes open to any
        // account, like published vote results) by scope as well.
        if (policy !== 'public' && policy.includes(role)) expect(res.json().type).toContain('out-of-scope');
        else expect(res.json().type).toMatch(/\/(forbidden|out-of-scope)$/);
      }
    });
  }
});

async function freshLogin(role: Role): Promise<string> {
  const res = await t.call('POST', '/api/auth/login', { body: { username: PRINCIPALS[role], password: passwordOf(role) } });
  return res.json().token as string;
}
