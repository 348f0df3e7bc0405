// Use cases of community organisations (组织) and their members.
import { sql } from 'drizzle-orm';
import { pgErrorCode, type Db, type Executor } from '../../db/pool.js';
import { uuidv7 } from '../../db/ids.js';
import type { Ctx } from '../../http/context.js';
import { problems, type FieldError } from '../../http/errors.js';
import { auditedChange } from '../audit/service.js';
import { emit } from '../events/service.js';
import { dataScope, pathOfPlace, placeOf } from '../regions/service.js';
import { residentSummaries, residentSummary } from '../registry/lookup.js';
import { maskName, phoneProblem } from '../registry/model.js';
import { creditCodeProblem, ORGANISATION_KINDS, type OrganisationKind } from './model.js';
import * as store from './store.js';

export interface OrganisationInput {
  kind: OrganisationKind;
  name: string;
  creditCode?: string | null;
  contactName?: string | null;
  contactPhone?: string | null;
  address?: string | null;
  establishedOn?: string | null;
  note?: string | null;
}

function present(o: store.OrganisationRow, members: number) {
  return {
    id: o.id,
    communityId: o.communityId,
    kind: o.kind as OrganisationKind,
    kindLabel: ORGANISATION_KINDS[o.kind as OrganisationKind] ?? o.kind,
    name: o.name,
    creditCode: o.creditCode,
    contactName: o.contactName,
    contactPhone: o.contactPhone,
    address: o.address,
    establishedOn: o.establishedOn,
    note: o.note,
    members,
  };
}

function check(input: Partial<OrganisationInput>): FieldError[] {
  const errors: FieldError[] = [];
  if (input.creditCode) {
    const p = creditCodeProblem(input.creditCode);
    if (p) errors.push({ field: 'body.creditCode', message: p });
  }
  if (input.contactPhone) {
    const p = phoneProblem(input.contactPhone);
    if (p) errors.push({ field: 'body.contactPhone', message: p });
  }
  return errors;
}

const duplicateName = () => problems.conflict('本社区已有同名组织', [{ field: 'body.name', message: '本社区已有同名组织' }]);

export async function listOrganisations(ctx: Ctx, communityId?: string, kind?: string) {
  const w = await dataScope(ctx.db, ctx.caller);
  // Organisations belong to the community as a whole: grid-level accounts do not manage them.
  if (w.gridIds) return [];
  const ids = communityId ? w.communityIds.filter((c) => c === communityId) : w.communityIds;
  const rows = await store.listOrganisations(ctx.db, ids, kind);
  return rows.map((r) => present(r.org, r.members));
}

export async function createOrganisation(ctx: Ctx, regionId: string, input: OrganisationInput) {
  const place = await placeOf(ctx.db, regionId);
  if (!place || place.gridId) throw problems.field('body.regionId', '应为社区');
  const errors = check(input);
  if (errors.length) throw problems.validation(errors);
  try {
    return await auditedChange(
      ctx,
      {
        targetType: 'organisation',
        targetId: (o) => o.id,
        scopePath: () => place.path,
        statusCode: 201,
        detail: (o) => ({ name: o.name, kind: o.kind }),
      },
      async (tx: Executor) => {
        const o = await store.insertOrganisation(tx, {
          communityId: place.communityId,
          id: uuidv7(),
          kind: input.kind,
          name: input.name,
          creditCode: input.creditCode?.trim().toUpperCase() || null,
          contactName: input.contactName ?? null,
          contactPhone: input.contactPhone ?? null,
          address: input.address ?? null,
          establishedOn: input.establishedOn ?? null,
          note: input.note ?? null,
        });
        await emit(tx, 'organisation.registered', { organisationId: o.id, kind: o.kind }, o.communityId);
        return present(o, 0);
      },
    );
  } catch (e) {
    if (pgErrorCode(e) === '23505') throw duplicateName();
    throw e;
  }
}

export async function updateOrganisation(ctx: Ctx, id: string, patch: Partial<OrganisationInput>) {
  const o = await store.findOrganisation(ctx.db, id);
  if (!o) throw problems.notFound('组织');
  const errors = check(patch);
  if (errors.length) throw problems.validation(errors);
  const path = (await pathOfPlace(ctx.db, o.communityId, null))!;
  try {
    return await auditedChange(
      ctx,
      { targetType: 'organisation', targetId: () => id, scopePath: () => path, detail: () => ({ changed: Object.keys(patch) }) },
      async (tx: Executor) => {
        const row = await store.updateOrganisation(tx, o.communityId, id, {
          ...patch,
          ...(patch.creditCode !== undefined ? { creditCode: patch.creditCode?.trim().toUpperCase() || null } : {}),
        });
        const members = (await store.membersOf(tx, o.communityId, id)).filter((m) => !m.leftOn).length;
        return present(row, members);
      },
    );
  } catch (e) {
    if (pgErrorCode(e) === '23505') throw duplicateName();
    throw e;
  }
}

function presentMember(m: store.MemberRow, residentName: string | undefined) {
  return {
    id: m.id,
    organisationId: m.organisationId,
    residentId: m.residentId,
    name: residentName ?? m.name ?? '',
    position: m.position,
    joinedOn: m.joinedOn,
    leftOn: m.leftOn,
  };
}

export async function organisationDetail(db: Db, id: string) {
  const o = await store.findOrganisation(db, id);
  if (!o) throw problems.notFound('组织');
  const members = await store.membersOf(db, o.communityId, id);
  const names = await residentSummaries(
    db,
    o.communityId,
    members.flatMap((m) => (m.residentId ? [m.residentId] : [])),
  );
  return {
    ...present(o, members.filter((m) => !m.leftOn).length),
    memberList: members.map((m) => presentMember(m, m.residentId ? names.get(m.residentId)?.name : undefined)),
  };
}

export interface MemberInput {
  residentId?: string;
  name?: string;
  position?: string;
  joinedOn?: string;
}

export async function addMember(ctx: Ctx, organisationId: string, input: MemberInput) {
  const o = await store.findOrganisation(ctx.db, organisationId);
  if (!o) throw problems.notFound('组织');
  if (!input.residentId === !input.name) throw problems.field('body.residentId', '请选择登记在册的居民，或填写非居民成员的姓名（二选一）');
  let residentName: string | undefined;
  if (input.residentId) {
    const r = await residentSummary(ctx.db, input.residentId);
    if (!r || r.communityId !== o.communityId) throw problems.field('body.residentId', '该居民不在本社区登记');
    residentName = r.name;
  }
  const path = (await pathOfPlace(ctx.db, o.communityId, null))!;
  try {
    return await auditedChange(
      ctx,
      {
        targetType: 'organisation',
        targetId: () => organisationId,
        scopePath: () => path,
        statusCode: 201,
        detail: (m) => ({ memberId: m.id, position: m.position }),
      },
      async (tx: Executor) => {
        const m = await store.insertMember(tx, {
          communityId: o.communityId,
          id: uuidv7(),
          organisationId,
          residentId: input.residentId ?? null,
          name: input.residentId ? null : input.name!,
          position: input.position ?? '成员',
          joinedOn: input.joinedOn ?? null,
        });
        if (m.residentId)
          await emit(
            tx,
            'organisation.member-joined',
            { organisationId, organisation: o.name, residentId: m.residentId, position: m.position },
            o.communityId,
          );
        return presentMember(m, residentName);
      },
    );
  } catch (e) {
    if (pgErrorCode(e) === '23505') throw problems.conflict('该居民已是本组织成员');
    throw e;
  }
}

export async function endMembership(ctx: Ctx, memberId: string, leftOn: string) {
  const m = await store.findMember(ctx.db, memberId);
  if (!m) throw problems.notFound('组织成员');
  if (m.leftOn) throw problems.conflict('该成员已退出');
  if (m.joinedOn && leftOn < m.joinedOn) throw problems.field('body.leftOn', '退出日期不能早于加入日期');
  const path = (await pathOfPlace(ctx.db, m.communityId, null))!;
  return auditedChange(
    ctx,
    { targetType: 'organisation', targetId: () => m.organisationId, scopePath: () => path, detail: () => ({ memberId, leftOn }) },
    async (tx: Executor) => {
      const x = await store.endMember(tx, m.communityId, memberId, leftOn);
      if (x.residentId)
        await emit(
          tx,
          'organisation.member-left',
          {
            organisationId: x.organisationId,
            organisation: m.organisationId && (await store.findOrganisation(tx, x.organisationId))?.name,
            residentId: x.residentId,
            leftOn,
          },
          x.communityId,
        );
      const names = x.residentId ? await residentSummaries(tx, x.communityId, [x.residentId]) : new Map();
      return presentMember(x, x.residentId ? names.get(x.residentId)?.name : undefined);
    },
  );
}

export async function organisationPath(db: Db, id: string): Promise<string | null> {
  const o = await store.findOrganisation(db, id);
  return o ? pathOfPlace(db, o.communityId, null) : null;
}

export async function memberPath(db: Db, id: string): Promise<string | null> {
  const m = await store.findMember(db, id);
  return m ? pathOfPlace(db, m.communityId, null) : null;
}

/** The current members of an organisation who are in the register, as a vote's electorate. */
export async function memberResidents(db: Db, communityId: string, organisationId: string) {
  const members = (await store.membersOf(db, communityId, organisationId)).filter((m) => m.residentId && !m.leftOn);
  const names = await residentSummaries(
    db,
    communityId,
    members.map((m) => m.residentId!),
  );
  return [...new Set(members.map((m) => m.residentId!))].map((id) => ({
    voterKey: id,
    label: maskName(names.get(id)?.name ?? ''),
    area: null,
    roomIds: null,
  }));
}

/** Whether a resident is a current member of an organisation of this kind in the community (e.g. 居务监督委员会). */
export async function isCurrentMemberOfKind(db: Executor, communityId: string, residentId: string, kind: string): Promise<boolean> {
  const r = await db.execute(sql`
    select 1 from organisation_members m join organisations o on o.community_id = m.community_id and o.id = m.organisation_id
    where m.community_id = ${communityId} and m.resident_id = ${residentId} and m.left_on is null and o.kind = ${kind} limit 1`);
  return r.rows.length > 0;
}
