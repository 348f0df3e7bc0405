// Elections (民主选举, `004` 5.2.1): the voters from the register (age, residence), nominations (self,
// joint or by the election committee), the candidate list made public a set number of days before
// voting opens, then an ordinary secret vote online and on site together, counted per seat with the
// configurable legal thresholds (model.ts electionResult).
import { sql } from 'drizzle-orm';
import { pgErrorCode, type Db, type Executor } from '../../db/pool.js';
import { uuidv7 } from '../../db/ids.js';
import type { Ctx } from '../../http/context.js';
import { problems, type FieldError } from '../../http/errors.js';
import { residentOfUser } from '../accounts/service.js';
import { auditedChange } from '../audit/service.js';
import { pathOfPlace, placeOf } from '../regions/service.js';
import { electorate } from '../registry/lookup.js';
import type { Channel } from './model.js';
import { voteDetail } from './service.js';

export interface ElectionInput {
  title: string;
  description?: string;
  seats: number;
  channels: Channel[];
  minAge?: number;
  nominationsCloseAt: string;
  opensAt: string;
  closesAt: string;
  publicityDays?: number;
  validTurnoutPercent?: number;
  electedPercent?: number;
}

export async function createElection(ctx: Ctx, regionId: string, input: ElectionInput) {
  const place = await placeOf(ctx.db, regionId);
  if (!place || place.gridId) throw problems.field('body.regionId', '应为社区');
  const errors: FieldError[] = [];
  const nom = new Date(input.nominationsCloseAt);
  const opens = new Date(input.opensAt);
  const closes = new Date(input.closesAt);
  const publicity = input.publicityDays ?? 5;
  if (!(nom.getTime() + publicity * 86400_000 <= opens.getTime()))
    errors.push({ field: 'body.opensAt', message: `投票开始时间应在提名截止并公示候选人 ${publicity} 天之后` });
  if (!(closes > opens)) errors.push({ field: 'body.closesAt', message: '截止时间应晚于开始时间' });
  if (errors.length) throw problems.validation(errors);
  const id = uuidv7();
  await auditedChange(
    ctx,
    {
      targetType: 'vote',
      targetId: () => id,
      scopePath: () => place.path,
      statusCode: 201,
      detail: () => ({ election: input.title, seats: input.seats }),
    },
    async (tx: Executor) => {
      await tx.execute(sql`
        insert into votes (community_id, id, title, description, kind, method, options, max_choices, secret, eligibility, eligibility_params,
          channels, opens_at, closes_at, created_by)
        values (${place.communityId}, ${id}, ${input.title}, ${input.description ?? ''}, 'election', 'multiple', '[]'::jsonb, ${input.seats}, true,
          'residents', ${JSON.stringify({ minAge: input.minAge ?? 18 })}::jsonb, ${sql.param(input.channels)}::text[],
          ${input.opensAt}::timestamptz, ${input.closesAt}::timestamptz, ${ctx.caller.displayName})`);
      await tx.execute(sql`
        insert into elections (community_id, vote_id, seats, valid_turnout_percent, elected_percent, publicity_days, nominations_close_at)
        values (${place.communityId}, ${id}, ${input.seats}, ${input.validTurnoutPercent ?? 50}, ${input.electedPercent ?? 50}, ${publicity},
          ${input.nominationsCloseAt}::timestamptz)`);
    },
  );
  return electionDetail(ctx.db, id);
}

async function electionRow(db: Executor, voteId: string) {
  const r = await db.execute(sql`
    select e.*, v.status, v.opens_at, v.eligibility_params from elections e join votes v on v.community_id = e.community_id and v.id = e.vote_id
    where e.vote_id = ${voteId}`);
  return r.rows[0] as
    | {
        community_id: string;
        vote_id: string;
        seats: number;
        publicity_days: number;
        nominations_close_at: string;
        candidates_published_at: string | null;
        status: string;
        opens_at: string;
        eligibility_params: { minAge?: number };
        valid_turnout_percent: string;
        elected_percent: string;
      }
    | undefined;
}

async function nominationsOf(db: Executor, communityId: string, voteId: string) {
  const r = await db.execute(sql`
    select id, resident_id, name, statement, source, nominated_by, status, decided_by, reason, created_at from election_nominations
    where community_id = ${communityId} and vote_id = ${voteId} order by created_at`);
  return (r.rows as Record<string, unknown>[]).map((n) => ({
    id: n.id as string,
    name: n.name as string,
    statement: n.statement as string,
    source: n.source as string,
    nominatedBy: n.nominated_by as string,
    status: n.status as string,
    decidedBy: (n.decided_by as string | null) ?? null,
    reason: (n.reason as string | null) ?? null,
    createdAt: new Date(n.created_at as string).toISOString(),
  }));
}

export async function electionDetail(db: Db, voteId: string) {
  const e = await electionRow(db, voteId);
  if (!e) throw problems.notFound('选举');
  return {
    vote: await voteDetail(db, voteId),
    seats: e.seats,
    validTurnoutPercent: Number(e.valid_turnout_percent),
    electedPercent: Number(e.elected_percent),
    publicityDays: e.publicity_days,
    nominationsCloseAt: new Date(e.nominations_close_at).toISOString(),
    candidatesPublishedAt: e.candidates_published_at ? new Date(e.candidates_published_at).toISOString() : null,
    nominations: await nominationsOf(db, e.community_id, voteId),
  };
}

/**
 * A nomination of a voter of the community: by themselves (a resident's account), or entered by the
 * community for a joint nomination (联名推荐) or the election committee. Only before nominations close.
 */
export async function nominate(
  ctx: Ctx,
  voteId: string,
  input: { residentId?: string; statement?: string; source?: 'residents' | 'committee' },
) {
  const e = await electionRow(ctx.db, voteId);
  if (!e) throw problems.notFound('选举');
  if (e.candidates_published_at || new Date() >= new Date(e.nominations_close_at)) throw problems.conflict('提名已截止');
  const manager = ctx.caller.roles.includes('community_admin');
  let residentId = input.residentId;
  let source: string = input.source ?? 'committee';
  if (!manager) {
    const own = await residentOfUser(ctx.db, ctx.caller.userId);
    if (!own) throw problems.forbidden('您的账号尚未关联居民信息，请联系社区工作人员');
    if (residentId && residentId !== own) throw problems.forbidden('居民只能自荐；联名推荐请交社区录入');
    residentId = own;
    source = 'self';
  }
  if (!residentId) throw problems.field('body.residentId', '请选择被提名的居民');
  const voters = await electorate(
    ctx.db,
    e.community_id,
    { kind: 'residents', minAge: e.eligibility_params.minAge ?? 18 },
    new Date(e.opens_at),
  );
  const candidate = voters.find((v) => v.voterKey === residentId);
  if (!candidate) throw problems.field('body.residentId', '被提名人应为本社区有选举权的居民');
  const names = await ctx.db.execute(sql`select name from residents where community_id = ${e.community_id} and id = ${residentId}`);
  const path = (await pathOfPlace(ctx.db, e.community_id, null))!;
  const id = uuidv7();
  try {
    await auditedChange(
      ctx,
      { targetType: 'vote', targetId: () => voteId, scopePath: () => path, statusCode: 201, detail: () => ({ nomination: id, source }) },
      async (tx: Executor) => {
        await tx.execute(sql`
          insert into election_nominations (community_id, id, vote_id, resident_id, name, statement, source, nominated_by, nominated_by_id)
          values (${e.community_id}, ${id}, ${voteId}, ${residentId}, ${(names.rows[0] as { name: string }).name}, ${input.statement ?? ''},
            ${source}, ${ctx.caller.displayName}, ${ctx.caller.userId})`);
      },
    );
  } catch (err) {
    if (pgErrorCode(err) === '23505') throw problems.conflict('该居民已被提名', [{ field: 'body.residentId', message: '已被提名' }]);
    throw err;
  }
  return electionDetail(ctx.db, voteId);
}

export async function decideNomination(ctx: Ctx, voteId: string, nominationId: string, input: { accept: boolean; reason?: string }) {
  const e = await electionRow(ctx.db, voteId);
  if (!e) throw problems.notFound('选举');
  if (e.candidates_published_at) throw problems.conflict('候选人名单已公示');
  if (!input.accept && !input.reason?.trim()) throw problems.field('body.reason', '不予确认需说明理由');
  const path = (await pathOfPlace(ctx.db, e.community_id, null))!;
  await auditedChange(
    ctx,
    {
      targetType: 'vote',
      targetId: () => voteId,
      scopePath: () => path,
      detail: () => ({ nomination: nominationId, accept: input.accept }),
    },
    async (tx: Executor) => {
      const r = await tx.execute(sql`
        update election_nominations set status = ${input.accept ? 'accepted' : 'rejected'}, decided_by = ${ctx.caller.displayName},
          reason = ${input.reason ?? null}, decided_at = now()
        where community_id = ${e.community_id} and vote_id = ${voteId} and id = ${nominationId} and status = 'nominated' returning id`);
      if (!r.rows.length) throw problems.conflict('该提名不存在或已处理');
    },
  );
  return electionDetail(ctx.db, voteId);
}

/**
 * The candidate list becomes the ballot's options and is made public; voting may open only after the
 * publicity period (at least as many candidates as seats: 等额 or 差额).
 */
export async function publishCandidates(ctx: Ctx, voteId: string) {
  const e = await electionRow(ctx.db, voteId);
  if (!e) throw problems.notFound('选举');
  if (e.candidates_published_at) throw problems.conflict('候选人名单已公示');
  const accepted = (await nominationsOf(ctx.db, e.community_id, voteId)).filter((n) => n.status === 'accepted');
  if (accepted.length < e.seats) throw problems.conflict(`确认的候选人（${accepted.length}）少于应选名额（${e.seats}）`);
  if (new Date().getTime() + e.publicity_days * 86400_000 > new Date(e.opens_at).getTime())
    throw problems.conflict(`候选人名单应在投票开始前至少 ${e.publicity_days} 天公示，请推迟投票开始时间`, [
      { field: 'opensAt', message: '距投票开始不足公示期' },
    ]);
  const path = (await pathOfPlace(ctx.db, e.community_id, null))!;
  const options = accepted.map((n) => ({ key: n.id, label: n.name }));
  await auditedChange(
    ctx,
    { targetType: 'vote', targetId: () => voteId, scopePath: () => path, detail: () => ({ candidates: accepted.length }) },
    async (tx: Executor) => {
      await tx.execute(
        sql`update votes set options = ${JSON.stringify(options)}::jsonb where community_id = ${e.community_id} and id = ${voteId}`,
      );
      await tx.execute(
        sql`update elections set candidates_published_at = now() where community_id = ${e.community_id} and vote_id = ${voteId}`,
      );
    },
  );
  return electionDetail(ctx.db, voteId);
}

/** A nominee withdraws (or the community records the withdrawal) before the candidate list is made public. */
export async function withdrawNomination(ctx: Ctx, voteId: string, nominationId: string) {
  const e = await electionRow(ctx.db, voteId);
  if (!e) throw problems.notFound('选举');
  if (e.candidates_published_at) throw problems.conflict('候选人名单已公示，不能撤回');
  const r = await ctx.db.execute(sql`
    select resident_id, status from election_nominations where community_id = ${e.community_id} and vote_id = ${voteId} and id = ${nominationId}`);
  const n = r.rows[0] as { resident_id: string; status: string } | undefined;
  if (!n) throw problems.notFound('提名');
  if (n.status === 'withdrawn' || n.status === 'rejected') throw problems.conflict('该提名已撤回或未获确认');
  const manager = ctx.caller.roles.includes('community_admin');
  if (!manager && (await residentOfUser(ctx.db, ctx.caller.userId)) !== n.resident_id) throw problems.forbidden('只能撤回本人的提名');
  const path = (await pathOfPlace(ctx.db, e.community_id, null))!;
  await auditedChange(
    ctx,
    { targetType: 'vote', targetId: () => voteId, scopePath: () => path, detail: () => ({ nomination: nominationId, withdrawn: true }) },
    async (tx: Executor) => {
      await tx.execute(sql`
        update election_nominations set status = 'withdrawn', decided_by = ${ctx.caller.displayName}, decided_at = now()
        where community_id = ${e.community_id} and vote_id = ${voteId} and id = ${nominationId}`);
    },
  );
  return electionDetail(ctx.db, voteId);
}
