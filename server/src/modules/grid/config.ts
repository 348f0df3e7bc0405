// Configuration of grid governance: the category catalogue, handling units and their members, the
// versioned routing table (`003` L3P3 智能派单), the working-day calendar, Open311 partners.
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { pgErrorCode, type Db, type Executor } from '../../db/pool.js';
import { uuidv7 } from '../../db/ids.js';
import type { Ctx } from '../../http/context.js';
import { problems } from '../../http/errors.js';
import { auditedChange } from '../audit/service.js';
import { userBriefs } from '../accounts/service.js';
import { regionBrief } from '../regions/service.js';
import { calendarDaysProblem, CHINA_HOLIDAYS, type CalendarDay } from './calendar.js';
import { DISPATCH_MODES, UNIT_KINDS, type DispatchMode } from './model.js';
import { DEFAULT_LIMITS, invalidateReference, reference, type Category } from './reference.js';
import type { CategoryLimits } from './schema.js';

// ---- categories -------------------------------------------------------------------------------

export async function listCategories(db: Db) {
  const ref = await reference(db);
  const all = [...ref.categories.values()].sort((a, b) => a.sort - b.sort || a.code.localeCompare(b.code));
  return all
    .filter((c) => !c.parentCode)
    .map((p) => ({
      ...p,
      modeLabel: DISPATCH_MODES[p.dispatchMode],
      children: all.filter((c) => c.parentCode === p.code).map((c) => ({ ...c, modeLabel: DISPATCH_MODES[c.dispatchMode] })),
    }));
}

export interface CategoryInput {
  parentCode?: string | null;
  name: string;
  dispatchMode?: DispatchMode;
  needsVerification?: boolean;
  limits?: Record<'normal' | 'urgent', CategoryLimits>;
  sort?: number;
  active?: boolean;
}

export async function putCategory(ctx: Ctx, code: string, input: CategoryInput) {
  const ref = await reference(ctx.db);
  if (input.parentCode) {
    const p = ref.categories.get(input.parentCode);
    if (!p || p.parentCode) throw problems.field('body.parentCode', '上级类别应为已有的一级类别');
    if (!code.startsWith(input.parentCode + '.')) throw problems.field('body.parentCode', `二级类别代码应以 ${input.parentCode}. 开头`);
  }
  const limits = input.limits ?? DEFAULT_LIMITS;
  for (const u of ['normal', 'urgent'] as const)
    if (limits[u].respond > limits[u].handle) throw problems.field(`body.limits.${u}.respond`, '受理时限不应长于处置时限');
  await auditedChange(
    ctx,
    { targetType: 'grid-category', targetId: () => code, scopePath: () => ctx.caller.regionPath, detail: () => ({ name: input.name }) },
    async (tx: Executor) => {
      await tx.execute(sql`
        insert into grid_categories (code, parent_code, name, dispatch_mode, needs_verification, limits, sort, active)
        values (${code}, ${input.parentCode ?? null}, ${input.name}, ${input.dispatchMode ?? 'assign'}, ${input.needsVerification ?? false},
          ${JSON.stringify(limits)}::jsonb, ${input.sort ?? 0}, ${input.active ?? true})
        on conflict (code) do update set parent_code = excluded.parent_code, name = excluded.name, dispatch_mode = excluded.dispatch_mode,
          needs_verification = excluded.needs_verification, limits = excluded.limits, sort = excluded.sort, active = excluded.active`);
    },
  );
  invalidateReference();
  return (await reference(ctx.db)).categories.get(code) as Category;
}

// ---- units ------------------------------------------------------------------------------------

export async function listUnits(db: Db, scopePath: string) {
  const r = await db.execute(sql`
    select u.id, u.region_id, u.name, u.kind, u.active, rg.name as region_name, rg.path,
      coalesce(json_agg(json_build_object('userId', m.user_id, 'name', us.display_name)) filter (where m.user_id is not null), '[]') as members
    from grid_units u join regions rg on rg.id = u.region_id
    left join grid_unit_members m on m.unit_id = u.id left join users us on us.id = m.user_id
    where rg.path like ${scopePath + '%'} or ${scopePath} like rg.path || '%'
    group by u.id, rg.name, rg.path order by rg.path, u.name`);
  return (r.rows as Record<string, unknown>[]).map((u) => ({
    id: u.id as string,
    regionId: u.region_id as string,
    regionName: u.region_name as string,
    name: u.name as string,
    kind: u.kind as string,
    kindLabel: UNIT_KINDS[u.kind as keyof typeof UNIT_KINDS] ?? (u.kind as string),
    active: u.active as boolean,
    members: u.members as { userId: string; name: string }[],
  }));
}

export async function createUnit(ctx: Ctx, input: { regionId: string; name: string; kind: keyof typeof UNIT_KINDS; memberIds?: string[] }) {
  const region = await regionBrief(ctx.db, input.regionId);
  if (!region) throw problems.field('body.regionId', '区划不存在');
  const members = await checkMembers(ctx.db, input.memberIds ?? [], region.path);
  const id = uuidv7();
  try {
    await auditedChange(
      ctx,
      { targetType: 'grid-unit', targetId: () => id, scopePath: () => region.path, statusCode: 201, detail: () => ({ name: input.name }) },
      async (tx: Executor) => {
        await tx.execute(
          sql`insert into grid_units (id, region_id, name, kind) values (${id}, ${region.id}, ${input.name}, ${input.kind})`,
        );
        for (const m of members)
          await tx.execute(sql`insert into grid_unit_members (unit_id, user_id) values (${id}, ${m}) on conflict do nothing`);
      },
    );
  } catch (e) {
    if (pgErrorCode(e) === '23505') throw problems.conflict('该区划下已有同名处置单位', [{ field: 'body.name', message: '名称重复' }]);
    throw e;
  }
  invalidateReference();
  return (await listUnits(ctx.db, region.path)).find((u) => u.id === id)!;
}

async function checkMembers(db: Db, ids: string[], unitPath: string) {
  const users = await userBriefs(db, ids);
  for (const [i, id] of ids.entries()) {
    const u = users.get(id);
    if (!u || u.status !== 'active') throw problems.field(`body.memberIds.${i}`, '账号不存在或已停用');
    if (!u.roles.some((r) => ['handler', 'property_staff', 'grid_worker', 'community_admin', 'street_admin', 'district_admin'].includes(r)))
      throw problems.field(`body.memberIds.${i}`, '该账号不是处置人员、物业人员或网格员');
    const path = (await regionBrief(db, u.regionId))?.path ?? '';
    if (!path.startsWith(unitPath) && !unitPath.startsWith(path)) throw problems.field(`body.memberIds.${i}`, '该账号不在处置单位所在区划');
  }
  return ids;
}

export async function unitPath(db: Db, id: string): Promise<string | null> {
  const r = await db.execute(sql`select rg.path from grid_units u join regions rg on rg.id = u.region_id where u.id = ${id}`);
  return (r.rows[0] as { path: string } | undefined)?.path ?? null;
}

export async function setUnitMembers(ctx: Ctx, id: string, memberIds: string[]) {
  const path = await unitPath(ctx.db, id);
  if (!path) throw problems.notFound('处置单位');
  await checkMembers(ctx.db, memberIds, path);
  await auditedChange(
    ctx,
    { targetType: 'grid-unit', targetId: () => id, scopePath: () => path, detail: () => ({ members: memberIds.length }) },
    async (tx: Executor) => {
      await tx.execute(sql`delete from grid_unit_members where unit_id = ${id} and not (user_id = any(${sql.param(memberIds)}::uuid[]))`);
      for (const m of memberIds)
        await tx.execute(sql`insert into grid_unit_members (unit_id, user_id) values (${id}, ${m}) on conflict do nothing`);
    },
  );
  return (await listUnits(ctx.db, path)).find((u) => u.id === id)!;
}

// ---- routing table ------------------------------------------------------------------------------

export async function listRoutes(db: Db, scopePath: string, history: boolean) {
  const r = await db.execute(sql`
    select g.id, g.region_id, rg.name as region_name, g.category_code, c.name as category_name, g.unit_id, u.name as unit_name,
      g.created_at, g.created_by, g.retired_at, g.retired_by
    from grid_routes g join regions rg on rg.id = g.region_id join grid_units u on u.id = g.unit_id
    left join grid_categories c on c.code = g.category_code
    where (g.region_path like ${scopePath + '%'} or ${scopePath} like g.region_path || '%') ${history ? sql`` : sql`and g.retired_at is null`}
    order by g.region_path, g.category_code, g.created_at desc`);
  return (r.rows as Record<string, unknown>[]).map((x) => ({
    id: x.id as string,
    regionId: x.region_id as string,
    regionName: x.region_name as string,
    categoryCode: x.category_code as string,
    categoryName: (x.category_name as string | null) ?? (x.category_code as string),
    unitId: x.unit_id as string,
    unitName: x.unit_name as string,
    createdAt: new Date(x.created_at as string).toISOString(),
    createdBy: (x.created_by as string | null) ?? null,
    retiredAt: x.retired_at ? new Date(x.retired_at as string).toISOString() : null,
    retiredBy: (x.retired_by as string | null) ?? null,
  }));
}

/** Set (or clear, with unitId null) the unit for area × category: the current row is retired, a new one added. */
export async function setRoute(ctx: Ctx, input: { regionId: string; categoryCode: string; unitId: string | null }) {
  const region = await regionBrief(ctx.db, input.regionId);
  if (!region) throw problems.field('body.regionId', '区划不存在');
  const ref = await reference(ctx.db);
  if (!ref.categories.has(input.categoryCode)) throw problems.field('body.categoryCode', '事件类别不存在');
  if (input.unitId) {
    const path = await unitPath(ctx.db, input.unitId);
    if (!path) throw problems.field('body.unitId', '处置单位不存在');
  }
  const who = ctx.caller.displayName;
  await auditedChange(
    ctx,
    {
      targetType: 'grid-route',
      targetId: () => input.regionId,
      scopePath: () => region.path,
      detail: () => ({ category: input.categoryCode, unitId: input.unitId }),
    },
    async (tx: Executor) => {
      // Serialise changes to one cell so two editors cannot both leave a current row.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'grid_route:' + input.regionId + ':' + input.categoryCode}))`);
      await tx.execute(sql`
        update grid_routes set retired_at = now(), retired_by = ${who}
        where region_id = ${input.regionId} and category_code = ${input.categoryCode} and retired_at is null`);
      if (input.unitId)
        await tx.execute(sql`
          insert into grid_routes (id, region_id, region_path, category_code, unit_id, created_by)
          values (${uuidv7()}, ${region.id}, ${region.path}, ${input.categoryCode}, ${input.unitId}, ${who})`);
    },
  );
  invalidateReference();
  return listRoutes(ctx.db, region.path, false);
}

// ---- calendar -----------------------------------------------------------------------------------

export async function calendarYear(db: Db, year: number) {
  const r = await db.execute(sql`
    select day::text as day, kind, name, updated_by, updated_at from work_calendar_days
    where day >= make_date(${year}, 1, 1) and day < make_date(${year + 1}, 1, 1) order by day`);
  const rows = r.rows as { day: string; kind: 'holiday' | 'workday'; name: string; updated_by: string | null }[];
  if (rows.length) return { year, source: 'configured' as const, days: rows.map((d) => ({ date: d.day, kind: d.kind, name: d.name })) };
  return { year, source: CHINA_HOLIDAYS[year] ? ('built-in' as const) : ('none' as const), days: [...(CHINA_HOLIDAYS[year] ?? [])] };
}

/** Replace a year's holidays and make-up days. Deadlines already scheduled keep their time; new ones use the new calendar. */
export async function putCalendarYear(ctx: Ctx, year: number, days: CalendarDay[]) {
  const p = calendarDaysProblem(days);
  if (p) throw problems.field('body.days', p);
  const wrong = days.findIndex((d) => !d.date.startsWith(`${year}-`));
  if (wrong >= 0) throw problems.field(`body.days.${wrong}.date`, `日期应在 ${year} 年内`);
  await auditedChange(
    ctx,
    {
      targetType: 'work-calendar',
      targetId: () => String(year),
      scopePath: () => ctx.caller.regionPath,
      detail: () => ({ days: days.length }),
    },
    async (tx: Executor) => {
      await tx.execute(sql`delete from work_calendar_days where day >= make_date(${year}, 1, 1) and day < make_date(${year + 1}, 1, 1)`);
      if (days.length)
        await tx.execute(sql`
          insert into work_calendar_days (day, kind, name, updated_by)
          select * from unnest(${sql.param(days.map((d) => d.date))}::date[], ${sql.param(days.map((d) => d.kind))}::text[], ${sql.param(days.map((d) => d.name))}::text[],
            ${sql.param(days.map(() => ctx.caller.displayName))}::text[])`);
    },
  );
  invalidateReference();
  return calendarYear(ctx.db, year);
}

// ---- Open311 partners -----------------------------------------------------------------------------

export function keyHash(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export async function listPartners(db: Db) {
  const r = await db.execute(sql`select id, name, created_at, created_by, revoked_at from open311_partners order by created_at`);
  return (r.rows as Record<string, unknown>[]).map((p) => ({
    id: p.id as string,
    name: p.name as string,
    createdAt: new Date(p.created_at as string).toISOString(),
    createdBy: (p.created_by as string | null) ?? null,
    revoked: p.revoked_at !== null,
  }));
}

/** Issue a partner key; the key is shown once and only its hash is kept. */
export async function createPartner(ctx: Ctx, name: string) {
  const key = randomBytes(24).toString('base64url');
  const id = uuidv7();
  await auditedChange(
    ctx,
    {
      targetType: 'open311-partner',
      targetId: () => id,
      scopePath: () => ctx.caller.regionPath,
      statusCode: 201,
      detail: () => ({ name }),
    },
    async (tx: Executor) => {
      await tx.execute(
        sql`insert into open311_partners (id, name, key_hash, created_by) values (${id}, ${name}, ${keyHash(key)}, ${ctx.caller.displayName})`,
      );
    },
  );
  return { id, name, apiKey: key };
}

export async function revokePartner(ctx: Ctx, id: string) {
  await auditedChange(
    ctx,
    { targetType: 'open311-partner', targetId: () => id, scopePath: () => ctx.caller.regionPath },
    async (tx: Executor) => {
      const r = await tx.execute(sql`update open311_partners set revoked_at = now() where id = ${id} and revoked_at is null returning id`);
      if (!r.rows.length) throw problems.notFound('合作方');
    },
  );
}

/** The partner an api_key belongs to, if it is valid. */
export async function partnerByKey(db: Executor, key: string): Promise<{ id: string; name: string } | null> {
  const r = await db.execute(sql`select id, name from open311_partners where key_hash = ${keyHash(key)} and revoked_at is null`);
  return (r.rows[0] as { id: string; name: string } | undefined) ?? null;
}

/** On first start: the demo partner whose key is JIAYUAN_OPEN311_DEMO_KEY, when set. */
export async function ensureDemoPartner(db: Db, key: string | undefined): Promise<void> {
  if (!key) return;
  await db.execute(sql`
    insert into open311_partners (id, name, key_hash, created_by) values (${uuidv7()}, '演示合作方', ${keyHash(key)}, 'system')
    on conflict (key_hash) do nothing`);
}
