// Alarm-rule configuration (issue 7 §4): the rules in `rules.ts` are the defaults; a city, district,
// street or community may override a rule (threshold, duration, count, severity, label, switched off)
// or add one of the same kinds for a device type. `device_rules` holds append-only versions per
// (region node, rule id); the newest version of each pair is current (`set`, or `revert` = no override).
// The effective set for a region = defaults ← city ← district ← street ← community: the deepest current
// definition of each rule id wins (`mergeRules`, pure).
//
// The ingest path reads effective sets through `deviceRulesLookup`, cached per community for
// RULES_TTL_MS (the pattern of grid/reference.ts): a change on this node drops the cache at once, a
// change on another node is seen within RULES_TTL_MS. Rule state (`device_rule_state`) is keyed by rule
// id, so a changed threshold keeps the state; a disabled rule is not applied at all: it raises nothing
// and clears nothing, and an alarm it raised earlier stays active until people clear it (or the rule is
// switched on again and the condition stops holding).
import { sql } from 'drizzle-orm';
import { Type, type Static } from 'typebox';
import type { Executor } from '../../db/pool.js';
import type { Level } from '../regions/model.js';
import { DEVICE_TYPE_KEYS } from './model.js';
import { DEFAULT_RULES, OPS, ruleProblem, rulesFor, SEVERITIES, type Rule } from './rules.js';
import { uuidv7 } from '../../db/ids.js';
import type { Ctx } from '../../http/context.js';
import { problems, type FieldError } from '../../http/errors.js';
import { auditedChange } from '../audit/service.js';
import { regionBrief } from '../regions/service.js';

/** Levels that may configure rules, shallow to deep. */
export const RULE_LEVELS = ['city', 'district', 'street', 'community'] as const;
export type RuleLevel = (typeof RULE_LEVELS)[number];
export type RuleSource = 'default' | RuleLevel;
export const SOURCE_LABELS: Record<RuleSource, string> = { default: '默认', city: '市', district: '区', street: '街道', community: '社区' };
export const isRuleLevel = (l: Level | string): l is RuleLevel => (RULE_LEVELS as readonly string[]).includes(l);

export const RULE_ID_PATTERN = '^[a-z][a-z0-9_]*(\\.[a-z0-9_]+)*$';
const MAX_SECONDS = 30 * 86400;

/** A rule as configured: the engine's `Rule` without its id (the id is the path's). Checked by Ajv at the route. */
export const RuleDefinition = Type.Object(
  {
    deviceType: Type.Enum(DEVICE_TYPE_KEYS),
    alarmType: Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$', description: '告警类型，如 high_temperature' }),
    label: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
    severity: Type.Enum(Object.keys(SEVERITIES) as (keyof typeof SEVERITIES)[]),
    kind: Type.Enum(['simple', 'duration', 'repeat']),
    condition: Type.Object(
      {
        key: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,39}$', description: '测量键，如 temperature' }),
        op: Type.Enum([...OPS]),
        value: Type.Union([Type.Number(), Type.Boolean(), Type.String({ maxLength: 200 })]),
      },
      { additionalProperties: false },
    ),
    seconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: MAX_SECONDS, description: '持续型：持续秒数' })),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: '重复型：次数' })),
    windowSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: MAX_SECONDS, description: '重复型：时间窗口秒数' })),
  },
  { additionalProperties: false },
);
export type RuleDefinition = Static<typeof RuleDefinition>;

/** A current override: the newest version of (region, rule id) when it is a `set`. */
export interface Override {
  regionId: string;
  regionName: string;
  level: RuleLevel;
  depth: number;
  ruleId: string;
  definition: RuleDefinition;
  enabled: boolean;
  version: number;
  updatedBy: string | null;
  updatedAt: string | null;
}

export interface EffectiveRule {
  rule: Rule;
  enabled: boolean;
  source: RuleSource;
  sourceRegionId: string | null;
  sourceRegionName: string | null;
  version: number | null;
  updatedBy: string | null;
  updatedAt: string | null;
}

const toRule = (id: string, d: RuleDefinition): Rule => {
  const r: Rule = {
    id,
    deviceType: d.deviceType,
    alarmType: d.alarmType,
    label: d.label,
    severity: d.severity as Rule['severity'],
    condition: { key: d.condition.key, op: d.condition.op as Rule['condition']['op'], value: d.condition.value },
    kind: d.kind as Rule['kind'],
  };
  if (d.kind === 'duration') r.seconds = d.seconds!;
  if (d.kind === 'repeat') {
    r.count = d.count!;
    r.windowSeconds = d.windowSeconds!;
  }
  return r;
};

/**
 * Pure: the effective rules given the defaults and the current overrides of a region's ancestors (any
 * order). Per rule id the override at the greatest depth wins; defaults keep their order, added rules
 * follow by id.
 */
export function mergeRules(defaults: readonly Rule[], overrides: readonly Override[]): EffectiveRule[] {
  const out = new Map<string, EffectiveRule>();
  for (const rule of defaults)
    out.set(rule.id, {
      rule,
      enabled: true,
      source: 'default',
      sourceRegionId: null,
      sourceRegionName: null,
      version: null,
      updatedBy: null,
      updatedAt: null,
    });
  const sorted = [...overrides].sort((a, b) => a.depth - b.depth || a.ruleId.localeCompare(b.ruleId));
  const added: string[] = [];
  for (const o of sorted) {
    if (!out.has(o.ruleId)) added.push(o.ruleId);
    out.set(o.ruleId, {
      rule: toRule(o.ruleId, o.definition),
      enabled: o.enabled,
      source: o.level,
      sourceRegionId: o.regionId,
      sourceRegionName: o.regionName,
      version: o.version,
      updatedBy: o.updatedBy,
      updatedAt: o.updatedAt,
    });
  }
  const order = [...defaults.map((r) => r.id), ...added.sort()];
  return order.map((id) => out.get(id)!);
}

/**
 * Checks a definition a route accepted (types, ranges, enums: Ajv already did) against what a schema
 * cannot say: the fields its kind needs, operators for booleans and strings, and consistency with the
 * rule it overrides (same device type, alarm type and value type) and with the region's other rules
 * (one rule per device type and alarm type). Field names are the body's.
 */
export function definitionProblems(ruleId: string, d: RuleDefinition, inherited: readonly EffectiveRule[]): FieldError[] {
  const errors: FieldError[] = [];
  const f = (field: string, message: string) => errors.push({ field: `body.definition.${field}`, message });
  if (d.kind === 'duration' && d.seconds === undefined) f('seconds', '持续型规则须给出持续秒数');
  if (d.kind === 'repeat') {
    if (d.count === undefined) f('count', '重复型规则须给出次数');
    if (d.windowSeconds === undefined) f('windowSeconds', '重复型规则须给出时间窗口秒数');
  }
  const v = d.condition.value;
  if (typeof v === 'number' && !Number.isFinite(v)) f('condition.value', '阈值应为有限数值');
  if (typeof v !== 'number' && d.condition.op !== '==' && d.condition.op !== '!=') f('condition.op', '布尔或字符串值只能用 == 或 != 比较');
  const base = inherited.find((e) => e.rule.id === ruleId);
  if (base) {
    if (d.deviceType !== base.rule.deviceType) f('deviceType', `规则 ${ruleId} 属于设备类型 ${base.rule.deviceType}，不能改为其他类型`);
    if (d.alarmType !== base.rule.alarmType) f('alarmType', `规则 ${ruleId} 的告警类型为 ${base.rule.alarmType}，不能修改`);
    const was = typeof base.rule.condition.value;
    if (d.condition.key === base.rule.condition.key && typeof v !== was)
      f(
        'condition.value',
        was === 'number' ? '该测量值为数值，阈值应为数值' : was === 'boolean' ? '该测量值为布尔值，应为 true 或 false' : '该测量值为文本',
      );
  } else {
    const clash = inherited.find((e) => e.rule.deviceType === d.deviceType && e.rule.alarmType === d.alarmType);
    if (clash) f('alarmType', `该设备类型已有告警类型为 ${d.alarmType} 的规则（${clash.rule.id}），请修改该规则或换一个告警类型`);
  }
  if (!errors.length) {
    // The engine's own check, last: anything it refuses that the checks above missed.
    const p = ruleProblem(toRule(ruleId, d));
    if (p) errors.push({ field: 'body.definition', message: p });
  }
  return errors;
}

/** The definition as stored: only the fields its kind uses. */
export function normaliseDefinition(d: RuleDefinition): RuleDefinition {
  const { seconds, count, windowSeconds, ...rest } = d;
  return {
    ...rest,
    condition: { key: d.condition.key, op: d.condition.op, value: d.condition.value },
    ...(d.kind === 'duration' ? { seconds } : {}),
    ...(d.kind === 'repeat' ? { count, windowSeconds } : {}),
  } as RuleDefinition;
}

// ---- reading ------------------------------------------------------------------------------------

/** Current overrides on the ancestors (and the node itself) of each region given, in one query. */
export async function overridesFor(db: Executor, regionIds: readonly string[]): Promise<Map<string, Override[]>> {
  const out = new Map<string, Override[]>(regionIds.map((id) => [id, []]));
  if (!regionIds.length) return out;
  const r = await db.execute(sql`
    with anc as (
      select c.id as target, a.id as region_id, a.name, a.level, a.depth
      from regions c join regions a on a.id = any(string_to_array(trim(both '/' from c.path), '/')::uuid[])
      where c.id = any(${sql.param([...regionIds])}::uuid[]) and a.level in ('city', 'district', 'street', 'community')
    )
    select anc.target, anc.region_id, anc.name, anc.level, anc.depth, cur.rule_id, cur.version, cur.definition, cur.enabled,
      cur.created_by, cur.created_at
    from anc join lateral (
      select distinct on (d.rule_id) d.rule_id, d.version, d.action, d.definition, d.enabled, d.created_by, d.created_at
      from device_rules d where d.region_id = anc.region_id order by d.rule_id, d.version desc
    ) cur on cur.action = 'set'`);
  for (const x of r.rows as Record<string, unknown>[])
    out.get(x.target as string)!.push({
      regionId: x.region_id as string,
      regionName: x.name as string,
      level: x.level as RuleLevel,
      depth: Number(x.depth),
      ruleId: x.rule_id as string,
      definition: x.definition as RuleDefinition,
      enabled: x.enabled as boolean,
      version: Number(x.version),
      updatedBy: (x.created_by as string | null) ?? null,
      updatedAt: x.created_at ? new Date(x.created_at as string).toISOString() : null,
    });
  return out;
}

/** The effective rules of one region node (enabled or not, with where each came from). */
export async function effectiveRules(db: Executor, regionId: string): Promise<EffectiveRule[]> {
  const o = await overridesFor(db, [regionId]);
  return mergeRules(DEFAULT_RULES, o.get(regionId) ?? []);
}

// ---- the ingest path's cache --------------------------------------------------------------------

export const RULES_TTL_MS = 5_000;
const cache = new Map<string, { at: number; rules: Promise<readonly Rule[]> }>();

/** Drops every cached rule set on this node (after a change commits). */
export function invalidateDeviceRules(): void {
  cache.clear();
  settled.clear();
}

/** The rule sets last loaded per community, for a look without waiting (the ingest path's choice of lane). */
const settled = new Map<string, readonly Rule[]>();

/** A device's enabled rules as last loaded on this node, without a query; undefined before the first load. */
export function loadedRulesOf(device: { communityId: string; type: string }): readonly Rule[] | undefined {
  const rules = settled.get(device.communityId);
  return rules && rulesFor(device.type, rules);
}

/**
 * For the ingest batch: the enabled effective rules of each device's community, as a function of the
 * device. One query for the communities not cached (or older than RULES_TTL_MS), none otherwise.
 */
export async function deviceRulesLookup(
  db: Executor,
  batch: readonly { device: { communityId: string } }[],
): Promise<(device: { communityId: string; type: string }) => readonly Rule[]> {
  const now = Date.now();
  const pending = new Map<string, Promise<readonly Rule[]>>();
  const missing = new Set<string>();
  for (const { device: d } of batch) {
    if (pending.has(d.communityId) || missing.has(d.communityId)) continue;
    const hit = cache.get(d.communityId);
    if (hit && now - hit.at <= RULES_TTL_MS) pending.set(d.communityId, hit.rules);
    else missing.add(d.communityId);
  }
  if (missing.size) {
    const loaded = overridesFor(db, [...missing]);
    for (const id of missing) {
      const rules = loaded.then((m) =>
        Object.freeze(mergeRules(DEFAULT_RULES, m.get(id) ?? []).flatMap((e) => (e.enabled ? [e.rule] : []))),
      );
      const entry = { at: now, rules };
      cache.set(id, entry);
      pending.set(id, rules);
      rules.then(
        (r) => {
          if (cache.get(id) === entry) settled.set(id, r);
        },
        () => {
          if (cache.get(id) === entry) cache.delete(id);
        },
      );
    }
  }
  const sets = new Map<string, readonly Rule[]>();
  for (const [id, rules] of pending) sets.set(id, await rules);
  return (device) => rulesFor(device.type, sets.get(device.communityId) ?? DEFAULT_RULES);
}

// ---- changing -----------------------------------------------------------------------------------

/** What the console shows for one rule at one region node. */
export function ruleView(e: EffectiveRule, regionId: string) {
  const { id, ...definition } = e.rule;
  return {
    id,
    ...definition,
    enabled: e.enabled,
    source: e.source,
    sourceLabel: SOURCE_LABELS[e.source],
    sourceRegionId: e.sourceRegionId,
    sourceRegionName: e.sourceRegionName,
    /** Set at this very node (so it can be reverted here). */
    here: e.sourceRegionId === regionId,
    version: e.version,
    updatedBy: e.updatedBy,
    updatedAt: e.updatedAt,
  };
}

async function configurableRegion(db: Executor, regionId: string) {
  const region = await regionBrief(db, regionId);
  if (!region) throw problems.notFound('区划');
  if (!isRuleLevel(region.level)) throw problems.field('params.regionId', '告警规则只能在市、区、街道、社区设置');
  return region;
}

async function inheritedAt(db: Executor, parentId: string | null): Promise<EffectiveRule[]> {
  return parentId ? effectiveRules(db, parentId) : mergeRules(DEFAULT_RULES, []);
}

async function appendVersion(
  ctx: Ctx,
  region: { id: string; path: string },
  ruleId: string,
  row: { action: 'set' | 'revert'; definition: RuleDefinition | null; enabled: boolean },
): Promise<number | null> {
  const version = await auditedChange(
    ctx,
    {
      targetType: 'device-rule',
      targetId: () => `${region.id}/${ruleId}`,
      scopePath: () => region.path,
      detail: (v) => ({ ruleId, version: v, action: row.action, enabled: row.enabled, definition: row.definition }),
    },
    async (tx: Executor) => {
      // One writer per (region, rule): versions are consecutive.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'device_rule:' + region.id + ':' + ruleId}))`);
      const cur = await tx.execute(sql`
        select version, action from device_rules where region_id = ${region.id} and rule_id = ${ruleId} order by version desc limit 1`);
      const last = cur.rows[0] as { version: number; action: string } | undefined;
      if (row.action === 'revert' && last?.action !== 'set') return null; // nothing set here: already inherited
      const v = (last?.version ?? 0) + 1;
      await tx.execute(sql`
        insert into device_rules (id, region_id, rule_id, version, action, definition, enabled, created_by, created_by_id)
        values (${uuidv7()}, ${region.id}, ${ruleId}, ${v}, ${row.action}, ${row.definition ? JSON.stringify(row.definition) : null}::jsonb,
          ${row.enabled}, ${ctx.caller.displayName}, ${ctx.caller.userId})`);
      return v;
    },
  );
  invalidateDeviceRules();
  return version;
}

/** Override an inherited rule, or add one, at a region node. */
export async function setDeviceRule(ctx: Ctx, regionId: string, ruleId: string, input: { enabled: boolean; definition: RuleDefinition }) {
  const region = await configurableRegion(ctx.db, regionId);
  const inherited = await inheritedAt(ctx.db, region.parentId);
  const errors = definitionProblems(ruleId, input.definition, inherited);
  if (errors.length) throw problems.validation(errors);
  await appendVersion(ctx, region, ruleId, { action: 'set', definition: normaliseDefinition(input.definition), enabled: input.enabled });
  return ruleAt(ctx.db, region.id, ruleId);
}

/** Drop this node's setting of a rule: what the level above says applies again (an added rule disappears). */
export async function revertDeviceRule(ctx: Ctx, regionId: string, ruleId: string) {
  const region = await configurableRegion(ctx.db, regionId);
  const version = await appendVersion(ctx, region, ruleId, { action: 'revert', definition: null, enabled: true });
  return { reverted: version !== null, rule: await ruleAt(ctx.db, region.id, ruleId) };
}

async function ruleAt(db: Executor, regionId: string, ruleId: string) {
  const e = (await effectiveRules(db, regionId)).find((x) => x.rule.id === ruleId);
  return e ? ruleView(e, regionId) : null;
}

/** Every version of a rule at a region node, newest first. */
export async function deviceRuleHistory(db: Executor, regionId: string, ruleId: string) {
  const r = await db.execute(sql`
    select version, action, definition, enabled, created_by, created_at from device_rules
    where region_id = ${regionId} and rule_id = ${ruleId} order by version desc`);
  return (r.rows as Record<string, unknown>[]).map((x) => ({
    version: Number(x.version),
    action: x.action as 'set' | 'revert',
    definition: (x.definition as RuleDefinition | null) ?? null,
    enabled: x.enabled as boolean,
    by: (x.created_by as string | null) ?? null,
    at: new Date(x.created_at as string).toISOString(),
  }));
}
