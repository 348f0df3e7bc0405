// Use cases of community votes (`003` L2P10; `004` 5.2.1, 5.2.3): drafting, publishing (the electorate
// is fixed from the register), casting online, checking voters in on site, entering paper ballots in
// batches with attributed corrections, closing (a durable deadline), publishing the tally, verifying
// receipts. One person, one vote across channels is the primary key of vote_participation.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { pgErrorCode, type Db, type Executor } from '../../db/pool.js';
import { uuidv7 } from '../../db/ids.js';
import type { Caller, Ctx } from '../../http/context.js';
import { problems, type FieldError } from '../../http/errors.js';
import { residentOfUser } from '../accounts/service.js';
import { auditedChange } from '../audit/service.js';
import { cancelDeadlines, registerDeadlineHandler, scheduleDeadlines } from '../deadlines/service.js';
import { emit } from '../events/service.js';
import { dataScope, placeOf, pathOfPlace } from '../regions/service.js';
import { currentRooms, electorate, ownersOfRoom, type ElectorateSpec } from '../registry/lookup.js';
import { memberResidents } from '../organisations/service.js';
import {
  ballotProblem,
  CHANNELS,
  electionResult,
  ELIGIBILITY,
  METHODS,
  OWNER_OPTIONS,
  receiptCode,
  tallyGeneral,
  VOTE_KINDS,
  type Channel,
  type Eligibility,
  type Method,
  type VoteKind,
} from './model.js';
import { OWNER_MATTERS, ownersDecision, type Matter, type OwnerChoice } from './owners.js';
import type { VoteOption } from './schema.js';

export interface VoteInput {
  kind: VoteKind;
  title: string;
  description?: string;
  method?: Method;
  options?: VoteOption[];
  maxChoices?: number | null;
  secret?: boolean;
  eligibility: Eligibility;
  minAge?: number;
  organisationId?: string;
  residentIds?: string[];
  ownerMatter?: string;
  channels: Channel[];
  quorumPercent?: number | null;
  passPercent?: number | null;
  opensAt: string;
  closesAt: string;
}

interface VoteRow {
  communityId: string;
  id: string;
  title: string;
  description: string;
  kind: VoteKind;
  method: Method;
  options: VoteOption[];
  maxChoices: number | null;
  secret: boolean;
  eligibility: Eligibility;
  eligibilityParams: Record<string, unknown>;
  matter: Matter | null;
  ownerMatter: string | null;
  channels: Channel[];
  quorumPercent: number | null;
  passPercent: number | null;
  opensAt: Date;
  closesAt: Date;
  status: 'draft' | 'open' | 'counting' | 'closed' | 'cancelled';
  eligibleCount: number | null;
  createdBy: string | null;
  createdAt: Date;
  publishedAt: Date | null;
  closedAt: Date | null;
  result: unknown;
}

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
function toVote(x: Record<string, unknown>): VoteRow {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) o[camel(k)] = v;
  for (const k of ['opensAt', 'closesAt', 'createdAt', 'publishedAt', 'closedAt'])
    if (o[k] && !(o[k] instanceof Date)) o[k] = new Date(o[k] as string);
  for (const k of ['quorumPercent', 'passPercent']) if (o[k] !== null && o[k] !== undefined) o[k] = Number(o[k]);
  return o as unknown as VoteRow;
}

async function loadVote(db: Executor, id: string, lock = false): Promise<VoteRow | undefined> {
  const r = await db.execute(sql`select * from votes where id = ${id} ${lock ? sql`for update` : sql``}`);
  const row = r.rows[0] as Record<string, unknown> | undefined;
  return row ? toVote(row) : undefined;
}

/** Scope resolver: a vote belongs to its community. */
export async function votePath(db: Db, id: string): Promise<string | null> {
  const r = await db.execute(sql`select r.path from votes v join regions r on r.id = v.community_id where v.id = ${id}`);
  return (r.rows[0] as { path: string } | undefined)?.path ?? null;
}

/** The phase a vote is in now: open votes past their closing time are counting until the result is published. */
function phase(v: VoteRow, now = new Date()): VoteRow['status'] | 'scheduled' {
  if (v.status === 'open' && now < v.opensAt) return 'scheduled';
  if (v.status === 'open' && now >= v.closesAt) return 'counting';
  return v.status;
}

const PHASES = {
  draft: '草稿',
  scheduled: '未开始',
  open: '投票中',
  counting: '计票中',
  closed: '已公布结果',
  cancelled: '已取消',
} as const;

function present(v: VoteRow, turnout?: { participants: number; byChannel: Record<string, number> }) {
  const p = phase(v);
  return {
    id: v.id,
    communityId: v.communityId,
    title: v.title,
    description: v.description,
    kind: v.kind,
    kindLabel: VOTE_KINDS[v.kind],
    method: v.method,
    methodLabel: METHODS[v.method],
    options: v.options,
    maxChoices: v.maxChoices,
    secret: v.secret,
    ballotNotice: v.secret
      ? '本次为无记名投票：选票与投票人分开保存，任何人无法得知您的选择'
      : '本次为记名投票：您的选择将与姓名一并记录并公布',
    eligibility: v.eligibility,
    eligibilityLabel: ELIGIBILITY[v.eligibility],
    matter: v.matter,
    ownerMatter: v.ownerMatter,
    ownerMatterLabel: v.ownerMatter ? (OWNER_MATTERS[v.ownerMatter]?.label ?? v.ownerMatter) : null,
    channels: v.channels,
    quorumPercent: v.quorumPercent,
    passPercent: v.passPercent,
    opensAt: v.opensAt.toISOString(),
    closesAt: v.closesAt.toISOString(),
    status: p,
    statusLabel: PHASES[p],
    eligibleCount: v.eligibleCount,
    participants: turnout?.participants ?? null,
    participantsByChannel: turnout?.byChannel ?? null,
    publishedAt: v.publishedAt?.toISOString() ?? null,
    closedAt: v.closedAt?.toISOString() ?? null,
  };
}

async function turnoutOf(db: Executor, v: VoteRow) {
  const r = await db.execute(sql`
    select channel, count(*)::int as n from vote_participation where community_id = ${v.communityId} and vote_id = ${v.id} group by channel`);
  const byChannel = Object.fromEntries((r.rows as { channel: string; n: number }[]).map((x) => [x.channel, x.n]));
  return { participants: Object.values(byChannel).reduce((a: number, b) => a + (b as number), 0), byChannel };
}

// ---- drafting and publishing ----------------------------------------------------------------------

function checkInput(input: VoteInput): { errors: FieldError[]; method: Method; options: VoteOption[]; matter: Matter | null } {
  const errors: FieldError[] = [];
  let method: Method = input.method ?? 'single';
  let options = input.options ?? [];
  let matter: Matter | null = null;
  if (input.kind === 'election') errors.push({ field: 'body.kind', message: '选举请通过选举接口发起（提名、候选人公示后投票）' });
  if (input.kind === 'owners') {
    // 民法典第278条: owners decide yes / no / abstain, named, weighted by head and exclusive area.
    if (input.eligibility !== 'owners') errors.push({ field: 'body.eligibility', message: '业主共同决定的投票范围应为业主' });
    const m = input.ownerMatter ? OWNER_MATTERS[input.ownerMatter] : undefined;
    if (!m) errors.push({ field: 'body.ownerMatter', message: '请选择表决事项（民法典第278条所列事项）' });
    else matter = m.matter;
    if (input.secret) errors.push({ field: 'body.secret', message: '业主共同决定按人数和面积计票，应为记名投票' });
    method = 'single';
    options = OWNER_OPTIONS;
  } else {
    if (options.length < 2) errors.push({ field: 'body.options', message: '至少需要两个选项' });
    const keys = options.map((o) => o.key);
    if (new Set(keys).size !== keys.length) errors.push({ field: 'body.options', message: '选项代码不能重复' });
    if (input.maxChoices && input.maxChoices > options.length)
      errors.push({ field: 'body.maxChoices', message: '最多可选项数不能超过选项数' });
  }
  if (input.eligibility === 'members' && !input.organisationId) errors.push({ field: 'body.organisationId', message: '请选择组织' });
  if (input.eligibility === 'list' && !input.residentIds?.length) errors.push({ field: 'body.residentIds', message: '请提供投票人名单' });
  const opens = new Date(input.opensAt);
  const closes = new Date(input.closesAt);
  if (!(closes > opens)) errors.push({ field: 'body.closesAt', message: '截止时间应晚于开始时间' });
  if (new Set(input.channels).size !== input.channels.length || input.channels.length === 0)
    errors.push({ field: 'body.channels', message: '请选择投票渠道（不重复）' });
  return { errors, method, options, matter };
}

export async function createVote(ctx: Ctx, regionId: string, input: VoteInput) {
  const place = await placeOf(ctx.db, regionId);
  if (!place || place.gridId) throw problems.field('body.regionId', '应为社区');
  const { errors, method, options, matter } = checkInput(input);
  if (errors.length) throw problems.validation(errors);
  const id = uuidv7();
  return auditedChange(
    ctx,
    { targetType: 'vote', targetId: () => id, scopePath: () => place.path, statusCode: 201, detail: () => ({ title: input.title }) },
    async (tx: Executor) => {
      await tx.execute(sql`
        insert into votes (community_id, id, title, description, kind, method, options, max_choices, secret, eligibility, eligibility_params,
          matter, owner_matter, channels, quorum_percent, pass_percent, opens_at, closes_at, created_by)
        values (${place.communityId}, ${id}, ${input.title}, ${input.description ?? ''}, ${input.kind}, ${method}, ${JSON.stringify(options)}::jsonb,
          ${input.maxChoices ?? null}, ${input.kind === 'owners' ? false : (input.secret ?? true)}, ${input.eligibility},
          ${JSON.stringify({ minAge: input.minAge ?? 18, organisationId: input.organisationId ?? null, residentIds: input.residentIds ?? null })}::jsonb,
          ${matter}, ${input.ownerMatter ?? null}, ${sql.param(input.channels)}::text[], ${input.quorumPercent ?? null}, ${input.passPercent ?? null},
          ${input.opensAt}::timestamptz, ${input.closesAt}::timestamptz, ${ctx.caller.displayName})`);
      return present((await loadVote(tx, id))!);
    },
  );
}

/** Publishing fixes the electorate from the register and opens the vote at its opening time. */
export async function publishVote(ctx: Ctx, id: string) {
  const v = await loadVote(ctx.db, id);
  if (!v) throw problems.notFound('投票');
  if (v.status !== 'draft') throw problems.conflict('只有草稿可以发布');
  if (v.kind === 'election') {
    const e = await ctx.db.execute(
      sql`select candidates_published_at from elections where community_id = ${v.communityId} and vote_id = ${id}`,
    );
    if (!(e.rows[0] as { candidates_published_at: string | null } | undefined)?.candidates_published_at)
      throw problems.conflict('候选人名单公示后才能发布选举投票');
  }
  if (v.closesAt <= new Date()) throw problems.field('body.closesAt', '截止时间已过，请修改后再发布');
  const params = v.eligibilityParams;
  let voters;
  if (v.eligibility === 'members') voters = await memberResidents(ctx.db, v.communityId, params.organisationId as string);
  else {
    const spec: ElectorateSpec =
      v.eligibility === 'residents'
        ? { kind: 'residents', minAge: Number(params.minAge ?? 18) }
        : v.eligibility === 'list'
          ? { kind: 'list', residentIds: (params.residentIds as string[]) ?? [] }
          : v.eligibility === 'owners'
            ? { kind: 'owners', representatives: (params.representatives as Record<string, string> | undefined) ?? {} }
            : { kind: v.eligibility };
    voters = await electorate(ctx.db, v.communityId, spec, v.opensAt);
  }
  if (voters.length === 0) throw problems.conflict('按投票范围未找到符合条件的投票人');
  const path = (await pathOfPlace(ctx.db, v.communityId, null))!;
  return auditedChange(
    ctx,
    { targetType: 'vote', targetId: () => id, scopePath: () => path, detail: () => ({ eligible: voters.length }) },
    async (tx: Executor) => {
      await tx.execute(sql`
        insert into vote_voters (community_id, vote_id, voter_key, label, area, room_ids)
        select ${v.communityId}::uuid, ${id}::uuid, x.k, x.l, x.a, case when x.r is null then null else string_to_array(x.r, ',')::uuid[] end
        from unnest(${sql.param(voters.map((x) => x.voterKey))}::uuid[], ${sql.param(voters.map((x) => x.label))}::text[],
          ${sql.param(voters.map((x) => x.area))}::numeric[], ${sql.param(voters.map((x) => x.roomIds?.join(',') ?? null))}::text[]) as x(k, l, a, r)`);
      await tx.execute(sql`
        update votes set status = 'open', published_at = now(), eligible_count = ${voters.length} where community_id = ${v.communityId} and id = ${id}`);
      await scheduleDeadlines(tx, [{ communityId: v.communityId, kind: 'democracy.close', subjectId: id, dueAt: v.closesAt }]);
      await emit(tx, 'democracy.vote-published', { voteId: id, title: v.title, online: v.channels.includes('online') }, v.communityId);
      return present((await loadVote(tx, id))!, { participants: 0, byChannel: {} });
    },
  );
}

/**
 * Co-owners of a room decide who votes for it (民法典第278条 votes count each owner once): the community
 * records their choice on a draft owners' vote; without one, the household head or the owner registered
 * first represents the room.
 */
export async function setRepresentative(ctx: Ctx, id: string, roomId: string, residentId: string) {
  const v = await loadVote(ctx.db, id);
  if (!v) throw problems.notFound('投票');
  if (v.kind !== 'owners') throw problems.conflict('只有业主共同决定需要确定共有房屋的投票人');
  if (v.status !== 'draft') throw problems.conflict('投票发布后投票人名单已确定');
  const owners = await ownersOfRoom(ctx.db, v.communityId, roomId);
  if (owners.length === 0) throw problems.field('body.roomId', '该房屋没有登记业主');
  if (!owners.includes(residentId)) throw problems.field('body.residentId', '应为该房屋的业主之一');
  const path = (await pathOfPlace(ctx.db, v.communityId, null))!;
  return auditedChange(
    ctx,
    { targetType: 'vote', targetId: () => id, scopePath: () => path, detail: () => ({ roomId, representative: residentId }) },
    async (tx: Executor) => {
      await tx.execute(sql`
        update votes set eligibility_params = jsonb_set(eligibility_params, '{representatives}',
          coalesce(eligibility_params->'representatives', '{}'::jsonb) || jsonb_build_object(${roomId}::text, ${residentId}::text))
        where community_id = ${v.communityId} and id = ${id}`);
      return { voteId: id, roomId, residentId, coOwners: owners.length };
    },
  );
}

export async function listVotes(db: Db, caller: Caller, communityId?: string) {
  const w = await dataScope(db, caller);
  const ids = communityId ? w.communityIds.filter((c) => c === communityId) : w.communityIds;
  const r = await db.execute(
    sql`select * from votes where community_id = any(${sql.param(ids)}::uuid[]) order by created_at desc limit 500`,
  );
  return (r.rows as Record<string, unknown>[]).map((x) => present(toVote(x)));
}

export async function voteDetail(db: Db, id: string) {
  const v = await loadVote(db, id);
  if (!v) throw problems.notFound('投票');
  return present(v, v.status === 'draft' ? undefined : await turnoutOf(db, v));
}

/** The electorate with who has taken part (not what they chose), for officers checking voters in. */
export async function voterList(db: Db, id: string, q: string | undefined, page: number, pageSize: number) {
  const v = await loadVote(db, id);
  if (!v) throw problems.notFound('投票');
  const filter = q ? sql`and x.label like ${'%' + q.replace(/[\\%_]/g, '\\$&') + '%'}` : sql``;
  const [rows, total] = await Promise.all([
    db.execute(sql`
      select x.voter_key, x.label, x.area::float8 as area, p.channel, p.at from vote_voters x
      left join vote_participation p on p.community_id = x.community_id and p.vote_id = x.vote_id and p.voter_key = x.voter_key
      where x.community_id = ${v.communityId} and x.vote_id = ${id} ${filter}
      order by x.label, x.voter_key limit ${pageSize} offset ${(page - 1) * pageSize}`),
    db.execute(sql`select count(*)::int as n from vote_voters x where x.community_id = ${v.communityId} and x.vote_id = ${id} ${filter}`),
  ]);
  return {
    items: (rows.rows as Record<string, unknown>[]).map((x) => ({
      voterKey: x.voter_key as string,
      label: x.label as string,
      area: (x.area as number | null) ?? null,
      participated: x.channel !== null,
      channel: (x.channel as string | null) ?? null,
    })),
    total: (total.rows[0] as { n: number }).n,
  };
}

// ---- taking part ------------------------------------------------------------------------------------

function openForVoting(v: VoteRow, channel: Channel, now = new Date()) {
  if (v.status !== 'open') throw problems.conflict(v.status === 'draft' ? '投票尚未发布' : '投票已结束');
  if (now < v.opensAt) throw problems.conflict('投票尚未开始');
  if (now >= v.closesAt) throw problems.conflict('投票已截止');
  if (!v.channels.includes(channel)) throw problems.conflict(`本次投票不开放${CHANNELS[channel]}`);
}

const alreadyVoted = () => problems.conflict('已参与本次投票（每人一票，各渠道合计）', [{ field: 'voter', message: '已参与投票' }]);

/** The voter key a resident's account votes with in this vote (their own, or their household's room). */
async function voterKeyOf(db: Executor, v: VoteRow, userId: string): Promise<string> {
  const residentId = await residentOfUser(db, userId);
  if (!residentId) throw problems.forbidden('您的账号尚未关联居民信息，请联系社区工作人员');
  const candidates = v.eligibility === 'households' ? await currentRooms(db, v.communityId, residentId) : [residentId];
  if (!candidates.length) throw problems.forbidden('您不在本次投票的投票人名单中');
  const r = await db.execute(sql`
    select voter_key from vote_voters where community_id = ${v.communityId} and vote_id = ${v.id}
      and voter_key = any(${sql.param(candidates)}::uuid[]) order by voter_key limit 1`);
  const key = (r.rows[0] as { voter_key: string } | undefined)?.voter_key;
  if (!key) throw problems.forbidden('您不在本次投票的投票人名单中');
  return key;
}

const hashReceipt = (code: string) => createHash('sha256').update(code.trim().toUpperCase()).digest('hex');

/**
 * A resident votes online. In one transaction: the participation row (its primary key refuses a second
 * vote through any channel) and the ballot, which for a secret vote carries a random id, the choice and
 * the hash of a receipt code, and nothing about the voter or the time. The audit entry records that the
 * person voted, never the choice.
 */
export async function castOnline(ctx: Ctx, id: string, choice: string[]) {
  const v = await loadVote(ctx.db, id);
  if (!v) throw problems.notFound('投票');
  openForVoting(v, 'online');
  const bad = ballotProblem(v, choice);
  if (bad) throw problems.field('body.choice', bad);
  const voterKey = await voterKeyOf(ctx.db, v, ctx.caller.userId);
  const code = receiptCode(randomBytes(12));
  const path = (await pathOfPlace(ctx.db, v.communityId, null))!;
  try {
    await auditedChange(
      ctx,
      { targetType: 'vote', targetId: () => id, scopePath: () => path, statusCode: 201, detail: () => ({ channel: 'online' }) },
      async (tx: Executor) => {
        await tx.execute(sql`
          insert into vote_participation (community_id, vote_id, voter_key, channel, recorded_by)
          values (${v.communityId}, ${id}, ${voterKey}, 'online', null)`);
        await tx.execute(sql`
          insert into vote_ballots (community_id, vote_id, id, choice, receipt_hash, channel, voter_key)
          values (${v.communityId}, ${id}, ${randomUUID()}, ${JSON.stringify(choice)}::jsonb, ${hashReceipt(code)}, 'online',
            ${v.secret ? null : voterKey})`);
      },
    );
  } catch (e) {
    if (pgErrorCode(e) === '23505') throw alreadyVoted();
    throw e;
  }
  return {
    receipt: code,
    notice: v.secret
      ? '投票成功。请保存回执码：结果公布后可凭回执码核验您的选票已计入，回执码不会显示您的身份。'
      : '投票成功（记名投票）。请保存回执码，结果公布后可核验。',
  };
}

/** An officer checks a voter in on site (现场投票): they take part, and will cast a paper ballot. */
export async function checkIn(ctx: Ctx, id: string, voterKey: string) {
  const v = await loadVote(ctx.db, id);
  if (!v) throw problems.notFound('投票');
  const channel: Channel = v.channels.includes('in_person') ? 'in_person' : 'paper';
  openForVoting(v, channel);
  const path = (await pathOfPlace(ctx.db, v.communityId, null))!;
  const listed = await ctx.db.execute(sql`
    select label from vote_voters where community_id = ${v.communityId} and vote_id = ${id} and voter_key = ${voterKey}`);
  if (!listed.rows.length) throw problems.field('body.voterKey', '不在本次投票的投票人名单中');
  try {
    return await auditedChange(
      ctx,
      { targetType: 'vote', targetId: () => id, scopePath: () => path, statusCode: 201, detail: () => ({ checkIn: voterKey }) },
      async (tx: Executor) => {
        await tx.execute(sql`
          insert into vote_participation (community_id, vote_id, voter_key, channel, recorded_by)
          values (${v.communityId}, ${id}, ${voterKey}, ${channel}, ${ctx.caller.displayName})`);
        return { voterKey, label: (listed.rows[0] as { label: string }).label, channel };
      },
    );
  } catch (e) {
    if (pgErrorCode(e) === '23505') throw alreadyVoted();
    throw e;
  }
}

export interface PaperBatchInput {
  ballots: { choice: string[]; voterKey?: string }[];
  /** A correction: the batch it corrects and the ballots of that batch it voids. */
  corrects?: string;
  voids?: string[];
  reason?: string;
}

/**
 * Paper ballots counted by officers, entered in batches (after the polls close, before the result is
 * published). Secret votes: anonymous ballots, never more than the voters checked in on site. Named
 * votes: each ballot names its voter, who takes part through it (one vote across channels still holds).
 * Corrections are new batches that void ballots of an earlier batch, with a reason; nothing is edited.
 */
export async function enterPaperBatch(ctx: Ctx, id: string, input: PaperBatchInput) {
  const v = await loadVote(ctx.db, id);
  if (!v) throw problems.notFound('投票');
  if (!v.channels.includes('paper') && !v.channels.includes('in_person')) throw problems.conflict('本次投票不设纸质票');
  if (v.status !== 'open' || new Date() < v.opensAt)
    throw problems.conflict(v.status === 'closed' ? '结果已公布，不能再录入' : '投票尚未开始');
  const errors: FieldError[] = [];
  input.ballots.forEach((b, i) => {
    const p = ballotProblem(v, b.choice);
    if (p) errors.push({ field: `body.ballots.${i}.choice`, message: p });
    if (!v.secret && !b.voterKey) errors.push({ field: `body.ballots.${i}.voterKey`, message: '记名投票的选票应注明投票人' });
    if (v.secret && b.voterKey) errors.push({ field: `body.ballots.${i}.voterKey`, message: '无记名投票的选票不能注明投票人' });
  });
  if ((input.voids?.length ?? 0) > 0 && !input.corrects) errors.push({ field: 'body.corrects', message: '作废选票时请注明所更正的批次' });
  if (input.corrects && !input.reason?.trim()) errors.push({ field: 'body.reason', message: '更正需说明原因' });
  if (errors.length) throw problems.validation(errors);
  const path = (await pathOfPlace(ctx.db, v.communityId, null))!;
  const batchId = uuidv7();
  try {
    return await auditedChange(
      ctx,
      {
        targetType: 'vote',
        targetId: () => id,
        scopePath: () => path,
        statusCode: 201,
        detail: () => ({
          batch: batchId,
          ballots: input.ballots.length,
          voids: input.voids?.length ?? 0,
          corrects: input.corrects ?? null,
        }),
      },
      async (tx: Executor) => {
        // One batch at a time per vote, so the count check below sees every earlier batch.
        await tx.execute(sql`select 1 from votes where community_id = ${v.communityId} and id = ${id} for update`);
        if (input.corrects) {
          const voids = input.voids ?? [];
          const r = await tx.execute(sql`
            select b.id from vote_ballots b
            where b.community_id = ${v.communityId} and b.vote_id = ${id} and b.batch_id = ${input.corrects} and b.id = any(${sql.param(voids)}::uuid[])
              and not exists (select 1 from vote_ballot_voids x where x.community_id = b.community_id and x.vote_id = b.vote_id and x.ballot_id = b.id)`);
          if (r.rows.length !== voids.length) throw problems.field('body.voids', '要作废的选票不属于所更正的批次，或已作废');
          if (voids.length)
            await tx.execute(sql`
              insert into vote_ballot_voids (community_id, vote_id, ballot_id, batch_id)
              select ${v.communityId}::uuid, ${id}::uuid, x, ${batchId}::uuid from unnest(${sql.param(voids)}::uuid[]) as x`);
        }
        if (!v.secret)
          for (const b of input.ballots) {
            const listed = await tx.execute(sql`
              select 1 from vote_voters where community_id = ${v.communityId} and vote_id = ${id} and voter_key = ${b.voterKey!}`);
            if (!listed.rows.length) throw problems.field('body.ballots', `投票人 ${b.voterKey} 不在名单中`);
            // A correction re-enters a voided named ballot: its voter already took part.
            await tx.execute(sql`
              insert into vote_participation (community_id, vote_id, voter_key, channel, recorded_by)
              values (${v.communityId}, ${id}, ${b.voterKey!}, 'paper', ${ctx.caller.displayName})
              on conflict do nothing`);
          }
        else {
          const r = await tx.execute(sql`
            select
              (select count(*)::int from vote_participation where community_id = ${v.communityId} and vote_id = ${id} and channel <> 'online') as on_site,
              (select count(*)::int from vote_ballots b where b.community_id = ${v.communityId} and b.vote_id = ${id} and b.channel = 'paper'
                 and not exists (select 1 from vote_ballot_voids x where x.community_id = b.community_id and x.vote_id = b.vote_id and x.ballot_id = b.id)) as counted`);
          const { on_site, counted } = r.rows[0] as { on_site: number; counted: number };
          if (counted + input.ballots.length > on_site)
            throw problems.field('body.ballots', `纸质票数（${counted + input.ballots.length}）超过现场签到人数（${on_site}）`);
        }
        await tx.execute(sql`
          insert into vote_paper_batches (community_id, vote_id, id, entered_by, entered_by_id, ballots, corrects, reason)
          values (${v.communityId}, ${id}, ${batchId}, ${ctx.caller.displayName}, ${ctx.caller.userId}, ${input.ballots.length},
            ${input.corrects ?? null}, ${input.reason ?? null})`);
        if (input.ballots.length)
          await tx.execute(sql`
            insert into vote_ballots (community_id, vote_id, id, choice, channel, batch_id, voter_key)
            select ${v.communityId}::uuid, ${id}::uuid, gen_random_uuid(), c::jsonb, 'paper', ${batchId}::uuid, k
            from unnest(${sql.param(input.ballots.map((b) => JSON.stringify(b.choice)))}::text[],
              ${sql.param(input.ballots.map((b) => b.voterKey ?? null))}::uuid[]) as x(c, k)`);
        const ids = await tx.execute(
          sql`select id from vote_ballots where community_id = ${v.communityId} and vote_id = ${id} and batch_id = ${batchId}`,
        );
        return { batchId, ballots: (ids.rows as { id: string }[]).map((x) => x.id), voided: input.voids?.length ?? 0 };
      },
    );
  } catch (e) {
    if (pgErrorCode(e) === '23505') throw alreadyVoted();
    throw e;
  }
}

export async function paperBatches(db: Db, id: string) {
  const v = await loadVote(db, id);
  if (!v) throw problems.notFound('投票');
  const r = await db.execute(sql`
    select id, entered_by, entered_at, ballots, corrects, reason from vote_paper_batches
    where community_id = ${v.communityId} and vote_id = ${id} order by entered_at`);
  return (r.rows as Record<string, unknown>[]).map((b) => ({
    id: b.id as string,
    enteredBy: b.entered_by as string,
    enteredAt: new Date(b.entered_at as string).toISOString(),
    ballots: b.ballots as number,
    corrects: (b.corrects as string | null) ?? null,
    reason: (b.reason as string | null) ?? null,
  }));
}

// ---- closing and the result -----------------------------------------------------------------------------

/** All valid (not voided) ballots of a vote. */
async function validBallots(db: Executor, v: VoteRow) {
  const r = await db.execute(sql`
    select b.choice, b.voter_key, b.receipt_hash, b.channel from vote_ballots b
    where b.community_id = ${v.communityId} and b.vote_id = ${v.id}
      and not exists (select 1 from vote_ballot_voids x where x.community_id = b.community_id and x.vote_id = b.vote_id and x.ballot_id = b.id)`);
  return r.rows as { choice: string[]; voter_key: string | null; receipt_hash: string | null; channel: string }[];
}

/** The tally of a vote from its ballots (what is published, and what anyone can recompute from the published ballots). */
export async function computeTally(db: Executor, v: VoteRow) {
  const ballots = await validBallots(db, v);
  const { participants, byChannel } = await turnoutOf(db, v);
  if (v.kind === 'owners') {
    const owners = await db.execute(sql`
      select voter_key, area::float8 as area from vote_voters where community_id = ${v.communityId} and vote_id = ${v.id}`);
    const r = ownersDecision(
      v.matter ?? 'ordinary',
      (owners.rows as { voter_key: string; area: number }[]).map((o) => ({ id: o.voter_key, area: o.area ?? 0 })),
      ballots.map((b) => ({ ownerId: b.voter_key!, choice: b.choice[0] as OwnerChoice })),
    );
    if ('problems' in r) throw new Error(`owners' tally of vote ${v.id}: ${JSON.stringify(r.problems)}`);
    return { kind: 'owners' as const, participants, byChannel, owners: r.tally };
  }
  const general = tallyGeneral(
    v,
    ballots.map((b) => b.choice),
    v.eligibleCount ?? 0,
    participants,
  );
  if (v.kind === 'election') {
    const e = await db.execute(sql`
      select seats, valid_turnout_percent::float8 as turnout, elected_percent::float8 as elected from elections
      where community_id = ${v.communityId} and vote_id = ${v.id}`);
    const row = e.rows[0] as { seats: number; turnout: number; elected: number };
    return {
      kind: 'election' as const,
      participants,
      byChannel,
      general,
      election: electionResult(general, row.seats, row.turnout, row.elected),
    };
  }
  return { kind: 'general' as const, participants, byChannel, general };
}

/** The tally of a vote by id, from its ballots as they stand (demo data, tests). */
export async function tallyVote(db: Executor, id: string) {
  const v = await loadVote(db, id);
  if (!v) throw problems.notFound('投票');
  return computeTally(db, v);
}

async function finaliseIn(tx: Executor, v: VoteRow, by: string) {
  const tally = await computeTally(tx, v);
  const result = { ...tally, computedAt: new Date().toISOString(), publishedBy: by };
  await tx.execute(sql`
    update votes set status = 'closed', closed_at = now(), result = ${JSON.stringify(result)}::jsonb
    where community_id = ${v.communityId} and id = ${v.id}`);
  await emit(tx, 'democracy.vote-closed', { voteId: v.id, title: v.title, online: v.channels.includes('online') }, v.communityId);
  return result;
}

/** Publish the result of a vote whose polls have closed (after the paper ballots are entered). */
export async function publishResult(ctx: Ctx, id: string) {
  const v = await loadVote(ctx.db, id);
  if (!v) throw problems.notFound('投票');
  if (v.status === 'closed') throw problems.conflict('结果已公布');
  if (v.status !== 'open' || new Date() < v.closesAt) throw problems.conflict('投票截止后才能公布结果');
  const path = (await pathOfPlace(ctx.db, v.communityId, null))!;
  return auditedChange(ctx, { targetType: 'vote', targetId: () => id, scopePath: () => path }, async (tx: Executor) => {
    const locked = (await loadVote(tx, id, true))!;
    if (locked.status !== 'open') throw problems.conflict('结果已公布');
    await cancelDeadlines(tx, v.communityId, id, 'democracy.');
    return finaliseIn(tx, locked, ctx.caller.displayName);
  });
}

/** Sealed until published: before that nobody, administrators included, gets any part of it. */
export async function voteResult(db: Db, id: string) {
  const v = await loadVote(db, id);
  if (!v) throw problems.notFound('投票');
  if (v.status !== 'closed') throw problems.conflict('投票结果在截止并公布后才能查看');
  return { vote: present(v, await turnoutOf(db, v)), result: v.result };
}

/** The published ballots (after the result), from which anyone in scope can recompute the tally. */
export async function publishedBallots(db: Db, id: string) {
  const v = await loadVote(db, id);
  if (!v) throw problems.notFound('投票');
  if (v.status !== 'closed') throw problems.conflict('投票结果在截止并公布后才能查看');
  const ballots = await validBallots(db, v);
  const labels = v.secret
    ? new Map<string, string>()
    : new Map(
        (
          (await db.execute(sql`select voter_key, label from vote_voters where community_id = ${v.communityId} and vote_id = ${id}`))
            .rows as { voter_key: string; label: string }[]
        ).map((x) => [x.voter_key, x.label]),
      );
  // Sorted by content, so the order says nothing about when a ballot was cast.
  const out = ballots.map((b) => ({
    choice: b.choice,
    channel: b.channel,
    receiptHash: b.receipt_hash,
    voterKey: v.secret ? null : b.voter_key,
    voter: v.secret ? null : (labels.get(b.voter_key ?? '') ?? null),
  }));
  out.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return { voteId: id, secret: v.secret, eligible: v.eligibleCount, ballots: out };
}

/** A voter checks that the ballot behind their receipt is in the published tally, and as what. */
export async function verifyReceipt(db: Db, id: string, code: string) {
  const v = await loadVote(db, id);
  if (!v) throw problems.notFound('投票');
  if (v.status !== 'closed') throw problems.conflict('结果公布后才能核验回执');
  const r = await db.execute(sql`
    select b.choice from vote_ballots b where b.community_id = ${v.communityId} and b.vote_id = ${id} and b.receipt_hash = ${hashReceipt(code)}
      and not exists (select 1 from vote_ballot_voids x where x.community_id = b.community_id and x.vote_id = b.vote_id and x.ballot_id = b.id)`);
  const row = r.rows[0] as { choice: string[] } | undefined;
  return { included: !!row, choice: row?.choice ?? null };
}

// ---- residents ------------------------------------------------------------------------------------------

/** Open and recent votes of the resident's community (and elections still taking nominations), whether they may vote and whether they have. */
export async function myVotes(db: Db, caller: Caller) {
  const residentId = await residentOfUser(db, caller.userId);
  const w = await dataScope(db, caller);
  const r = await db.execute(sql`
    select * from votes where community_id = any(${sql.param(w.communityIds)}::uuid[])
      and (status in ('open', 'closed') or (kind = 'election' and status = 'draft'))
    order by closes_at desc limit 50`);
  const out = [];
  for (const x of r.rows as Record<string, unknown>[]) {
    const v = toVote(x);
    let eligible = false;
    let voted = false;
    if (residentId) {
      const keys = v.eligibility === 'households' ? await currentRooms(db, v.communityId, residentId) : [residentId];
      const e = await db.execute(sql`
        select x.voter_key, p.voter_key is not null as voted from vote_voters x
        left join vote_participation p on p.community_id = x.community_id and p.vote_id = x.vote_id and p.voter_key = x.voter_key
        where x.community_id = ${v.communityId} and x.vote_id = ${v.id} and x.voter_key = any(${sql.param(keys)}::uuid[]) limit 1`);
      const row = e.rows[0] as { voted: boolean } | undefined;
      eligible = !!row;
      voted = row?.voted ?? false;
    }
    out.push({ ...present(v), eligibleToVote: eligible, voted });
  }
  return out;
}

// ---- the close deadline and the live measure ------------------------------------------------------------

let registered = false;
export function registerDemocracyDeadlines(): void {
  if (registered) return;
  registered = true;
  // At the closing time: an online-only vote is counted and published at once; a vote with paper or
  // on-site ballots waits for the officers to enter them and publish (计票中 until then).
  registerDeadlineHandler('democracy.close', async (tx, due) => {
    for (const d of due) {
      const v = await loadVote(tx, d.subjectId, true);
      if (!v || v.status !== 'open') continue;
      if (v.channels.every((c) => c === 'online')) await finaliseIn(tx, v, '系统（到期自动计票）');
    }
  });
}
