// Use cases of consultation (民主协商, `004` 5.2.2) and of 五议两公开 decisions (民主决策, `004` 5.2.3).
// Each change is one transaction holding the row lock, the state change, its append-only step row and
// its audit entry. Objections during publicity get a durable deadline on the working-day calendar.
import { sql } from 'drizzle-orm';
import type { Db, Executor } from '../../db/pool.js';
import { uuidv7 } from '../../db/ids.js';
import type { Caller, Ctx } from '../../http/context.js';
import { problems } from '../../http/errors.js';
import { residentOfUser } from '../accounts/service.js';
import { residentSummaries } from '../registry/lookup.js';
import { auditedChange } from '../audit/service.js';
import { notify } from '../notifications/service.js';
import { cancelDeadlines, registerDeadlineHandler, scheduleDeadlines } from '../deadlines/service.js';
import { addWorkingMinutes } from '../grid/calendar.js';
import { reference } from '../grid/reference.js';
import { dataScope, placeOf } from '../regions/service.js';
import {
  buildChain,
  completeStage as nextStage,
  CONSULTATION_STATUSES,
  CONSULTATION_STEPS,
  consultationNext,
  DECISION_STATUSES,
  DEFAULT_CHAIN,
  describeQuorum,
  meetingProblems,
  objectionProblem,
  publicityEndsAt,
  stepProblems,
  type ConsultationStatus,
  type ConsultationStep,
  type DecisionStatus,
  type MeetingOutcome,
  type Stage,
  type StageInput,
  type StepInput,
} from './deliberation-model.js';

const iso = (d: unknown) => (d === null || d === undefined ? null : new Date(d as string).toISOString());
const rowsOf = <T>(r: { rows: unknown[] }) => r.rows as T[];

async function communityPathOf(db: Db, table: 'consultations' | 'decision_items', id: string): Promise<string | null> {
  const r = await db.execute(sql`select r.path from ${sql.raw(table)} x join regions r on r.id = x.community_id where x.id = ${id}`);
  return (r.rows[0] as { path: string } | undefined)?.path ?? null;
}
/** Scope resolvers: consultations and decision items belong to their community. */
export const consultationPath = (db: Db, id: string) => communityPathOf(db, 'consultations', id);
export const decisionPath = (db: Db, id: string) => communityPathOf(db, 'decision_items', id);

async function community(db: Db, regionId: string) {
  const place = await placeOf(db, regionId);
  if (!place || place.gridId) throw problems.field('body.regionId', '应为社区');
  return place;
}

// ---- consultation (`004` 5.2.2) -------------------------------------------------------------------------

interface ConsultationRow {
  community_id: string;
  id: string;
  title: string;
  description: string;
  proposer_user_id: string | null;
  proposer_name: string;
  status: ConsultationStatus;
  plan: string | null;
  rules: string | null;
  opinions: string | null;
  result: string | null;
  reject_reason: string | null;
  created_at: string;
  updated_at: string;
}

function presentConsultation(c: ConsultationRow) {
  return {
    id: c.id,
    communityId: c.community_id,
    title: c.title,
    description: c.description,
    proposerName: c.proposer_name,
    status: c.status,
    statusLabel: CONSULTATION_STATUSES[c.status],
    plan: c.plan,
    rules: c.rules,
    opinions: c.opinions,
    result: c.result,
    rejectReason: c.reject_reason,
    createdAt: iso(c.created_at)!,
    updatedAt: iso(c.updated_at)!,
  };
}

async function loadConsultation(db: Executor, id: string, lock = false) {
  const r = await db.execute(sql`select * from consultations where id = ${id} ${lock ? sql`for update` : sql``}`);
  return r.rows[0] as ConsultationRow | undefined;
}

async function insertConsultationStep(
  tx: Executor,
  c: { community_id: string; id: string },
  step: string,
  from: string | null,
  to: string,
  who: Caller,
  extra: { text?: string | null; reason?: string | null; meeting?: unknown } = {},
) {
  await tx.execute(sql`
    insert into consultation_steps (community_id, id, consultation_id, step, from_status, to_status, actor_user_id, actor_name, text, reason, meeting)
    values (${c.community_id}, ${uuidv7()}, ${c.id}, ${step}, ${from}, ${to}, ${who.userId}, ${who.displayName}, ${extra.text ?? null},
      ${extra.reason ?? null}, ${extra.meeting === undefined ? null : JSON.stringify(extra.meeting)}::jsonb)`);
}

/**
 * A resident proposes a topic online (网上提出议题), or staff record a topic raised offline on behalf of
 * a resident of the register (or a named person): the proposer is then that person, the step's actor the staff.
 */
export async function proposeConsultation(
  ctx: Ctx,
  regionId: string,
  input: { title: string; description?: string },
  onBehalf?: { proposerResidentId?: string; proposerName?: string },
) {
  const place = await community(ctx.db, regionId);
  let proposer: { userId: string | null; residentId: string | null; name: string };
  if (onBehalf) {
    if (onBehalf.proposerResidentId) {
      const r = (await residentSummaries(ctx.db, place.communityId, [onBehalf.proposerResidentId])).get(onBehalf.proposerResidentId);
      if (!r) throw problems.field('body.proposerResidentId', '不是本社区登记的居民');
      proposer = { userId: null, residentId: r.id, name: onBehalf.proposerName?.trim() || r.name };
    } else if (onBehalf.proposerName?.trim()) proposer = { userId: null, residentId: null, name: onBehalf.proposerName.trim() };
    else throw problems.field('body.proposerName', '请填写提议人（登记居民或姓名）');
  } else
    proposer = { userId: ctx.caller.userId, residentId: await residentOfUser(ctx.db, ctx.caller.userId), name: ctx.caller.displayName };
  const id = uuidv7();
  return auditedChange(
    ctx,
    {
      targetType: 'consultation',
      targetId: () => id,
      scopePath: () => place.path,
      statusCode: 201,
      detail: () => ({ title: input.title }),
    },
    async (tx) => {
      await tx.execute(sql`
        insert into consultations (community_id, id, title, description, proposer_user_id, proposer_resident_id, proposer_name)
        values (${place.communityId}, ${id}, ${input.title}, ${input.description ?? ''}, ${proposer.userId}, ${proposer.residentId}, ${proposer.name})`);
      const c = (await loadConsultation(tx, id))!;
      await insertConsultationStep(tx, c, 'propose', null, 'proposed', ctx.caller, {
        text: onBehalf ? `${input.title}（代${proposer.name}录入）` : input.title,
      });
      return presentConsultation(c);
    },
  );
}

export async function listConsultations(db: Db, caller: Caller, communityId?: string) {
  const w = await dataScope(db, caller);
  const ids = communityId ? w.communityIds.filter((c) => c === communityId) : w.communityIds;
  const r = await db.execute(
    sql`select * from consultations where community_id = any(${sql.param(ids)}::uuid[]) order by created_at desc limit 500`,
  );
  return rowsOf<ConsultationRow>(r).map(presentConsultation);
}

/** Detail with every step (who, when, what), the comments and the meetings. */
export async function consultationDetail(db: Executor, id: string) {
  const c = await loadConsultation(db, id);
  if (!c) throw problems.notFound('协商议题');
  // One after another: inside a transaction the executor is a single connection.
  const steps = await db.execute(
    sql`select * from consultation_steps where community_id = ${c.community_id} and consultation_id = ${id} order by at, id`,
  );
  const comments = await db.execute(
    sql`select * from consultation_comments where community_id = ${c.community_id} and consultation_id = ${id} order by at, id`,
  );
  const meetings = await db.execute(
    sql`select * from consultation_meetings where community_id = ${c.community_id} and consultation_id = ${id} order by held_at, id`,
  );
  return {
    ...presentConsultation(c),
    steps: rowsOf<Record<string, unknown>>(steps).map((s) => ({
      step: s.step as string,
      label: s.step === 'propose' ? '提出议题' : (CONSULTATION_STEPS[s.step as ConsultationStep]?.label ?? (s.step as string)),
      fromStatus: (s.from_status as string | null) ?? null,
      toStatus: s.to_status as string,
      actorName: s.actor_name as string,
      actorUserId: (s.actor_user_id as string | null) ?? null,
      at: iso(s.at)!,
      text: (s.text as string | null) ?? null,
      reason: (s.reason as string | null) ?? null,
      meeting: s.meeting ?? null,
    })),
    comments: rowsOf<Record<string, unknown>>(comments).map((x) => ({
      id: x.id as string,
      authorName: x.author_name as string,
      authorKind: x.author_kind as string,
      text: x.text as string,
      at: iso(x.at)!,
    })),
    meetings: rowsOf<Record<string, unknown>>(meetings).map((m) => ({
      id: m.id as string,
      kind: m.kind as string,
      heldAt: iso(m.held_at)!,
      place: m.place as string,
      attendeesCount: m.attendees_count as number,
      minutes: m.minutes as string,
      attendees: m.attendees as { name: string; userId?: string }[],
      recordedBy: m.recorded_by as string,
    })),
  };
}

/** The consultations of the resident's community (to follow and comment on). */
export async function myConsultations(db: Db, caller: Caller) {
  const w = await dataScope(db, caller);
  const r = await db.execute(sql`
    select * from consultations where community_id = any(${sql.param(w.communityIds)}::uuid[]) and status <> 'rejected'
    order by created_at desc limit 100`);
  return rowsOf<ConsultationRow>(r).map(presentConsultation);
}

/**
 * Staff take a step: review (accept / reject with a reason), plan, announce, rules, start the
 * deliberation, comment, record a meeting, form the opinions, communicate the result — which notifies
 * everyone who took part (proposer, commenters, named meeting attendees).
 */
export async function takeStep(ctx: Ctx, id: string, step: ConsultationStep, input: StepInput) {
  const path = await consultationPath(ctx.db, id);
  if (!path) throw problems.notFound('协商议题');
  return auditedChange(
    ctx,
    { targetType: 'consultation', targetId: () => id, scopePath: () => path, detail: () => ({ step }) },
    async (tx) => {
      const c = (await loadConsultation(tx, id, true))!;
      const next = consultationNext(c.status, step);
      if ('conflict' in next) throw problems.conflict(next.conflict, [{ field: 'body.step', message: next.conflict }]);
      const errors = stepProblems(step, input);
      if (errors.length) throw problems.validation(errors);
      const text = input.text?.trim() || null;
      const set =
        step === 'plan'
          ? sql`, plan = ${text}`
          : step === 'rules'
            ? sql`, rules = ${text}`
            : step === 'opinions'
              ? sql`, opinions = ${text}`
              : step === 'result'
                ? sql`, result = ${text}`
                : step === 'reject'
                  ? sql`, reject_reason = ${input.reason!.trim()}`
                  : sql``;
      await tx.execute(sql`
        update consultations set status = ${next.to}, updated_at = now() ${set} where community_id = ${c.community_id} and id = ${id}`);
      await insertConsultationStep(tx, c, step, c.status, next.to, ctx.caller, {
        text,
        reason: input.reason?.trim() || null,
        meeting: step === 'meeting' ? input.meeting : undefined,
      });
      if (step === 'comment')
        await tx.execute(sql`
          insert into consultation_comments (community_id, id, consultation_id, author_user_id, author_name, author_kind, text)
          values (${c.community_id}, ${uuidv7()}, ${id}, ${ctx.caller.userId}, ${ctx.caller.displayName}, 'staff', ${text})`);
      if (step === 'meeting') {
        const m = input.meeting!;
        await tx.execute(sql`
          insert into consultation_meetings (community_id, id, consultation_id, kind, held_at, place, attendees_count, minutes, attendees, recorded_by)
          values (${c.community_id}, ${uuidv7()}, ${id}, ${m.kind}, ${m.heldAt}::timestamptz, ${m.place ?? ''}, ${m.attendeesCount}, ${m.minutes},
            ${JSON.stringify(m.attendees ?? [])}::jsonb, ${ctx.caller.displayName})`);
      }
      if (step === 'result') await notifyParticipants(tx, c, text!);
      return consultationDetail(tx, id);
    },
  );
}

/** 结果告知: one notification per person who took part (accounts once each; named offline attendees by name). */
async function notifyParticipants(tx: Executor, c: ConsultationRow, result: string) {
  const people = new Map<string, { userId: string | null; name: string }>();
  const add = (userId: string | null | undefined, name: string) => {
    const key = userId ? `u:${userId}` : `n:${name}`;
    if (!people.has(key)) people.set(key, { userId: userId ?? null, name });
  };
  add(c.proposer_user_id, c.proposer_name);
  const comments = await tx.execute(sql`
    select distinct on (author_user_id) author_user_id, author_name from consultation_comments
    where community_id = ${c.community_id} and consultation_id = ${c.id} order by author_user_id, at`);
  for (const x of rowsOf<{ author_user_id: string; author_name: string }>(comments)) add(x.author_user_id, x.author_name);
  const meetings = await tx.execute(sql`
    select attendees from consultation_meetings where community_id = ${c.community_id} and consultation_id = ${c.id} order by held_at, id`);
  for (const m of rowsOf<{ attendees: { name: string; userId?: string }[] }>(meetings)) for (const a of m.attendees) add(a.userId, a.name);
  const list = [...people.values()];
  if (!list.length) return;
  const text = `您参与的协商议题「${c.title}」已形成结果：${result}`;
  // The register of who is to be told (named offline attendees too: staff tell them in person) ...
  await tx.execute(sql`
    insert into democracy_notifications (community_id, id, consultation_id, recipient_user_id, recipient_name, text)
    select ${c.community_id}::uuid, x.id, ${c.id}::uuid, x.u, x.n, ${text}
    from unnest(${sql.param(list.map(() => uuidv7()))}::uuid[], ${sql.param(list.map((p) => p.userId))}::uuid[],
      ${sql.param(list.map((p) => p.name))}::text[]) as x(id, u, n)`);
  // ... and people with an account find it in their inbox, with everything else they are told (notifications module).
  await notify(
    tx,
    list.flatMap((p) =>
      p.userId
        ? [
            {
              communityId: c.community_id,
              recipientUserId: p.userId,
              kind: 'democracy.consultation-result',
              title: '协商结果告知',
              body: text,
              link: '/m/board?tab=consult',
              subjectType: 'consultation',
              subjectId: c.id,
              dedupeKey: `consultation-result:${c.id}`,
            },
          ]
        : [],
    ),
  );
}

/** A resident comments during the deliberation. */
export async function commentOn(ctx: Ctx, id: string, text: string) {
  const path = await consultationPath(ctx.db, id);
  if (!path) throw problems.notFound('协商议题');
  if (!text.trim()) throw problems.field('body.text', '请填写意见内容');
  const commentId = uuidv7();
  return auditedChange(
    ctx,
    { targetType: 'consultation', targetId: () => id, scopePath: () => path, statusCode: 201, detail: () => ({ comment: commentId }) },
    async (tx) => {
      const c = (await loadConsultation(tx, id, true))!;
      if (c.status !== 'deliberating') throw problems.conflict(`当前状态为「${CONSULTATION_STATUSES[c.status]}」，协商进行中才能发表意见`);
      await tx.execute(sql`
        insert into consultation_comments (community_id, id, consultation_id, author_user_id, author_name, author_kind, text)
        values (${c.community_id}, ${commentId}, ${id}, ${ctx.caller.userId}, ${ctx.caller.displayName}, 'resident', ${text.trim()})`);
      return { id: commentId, authorName: ctx.caller.displayName, authorKind: 'resident', text: text.trim(), at: new Date().toISOString() };
    },
  );
}

// ---- 五议两公开 (`004` 5.2.3) ------------------------------------------------------------------------------

interface ItemRow {
  community_id: string;
  id: string;
  title: string;
  description: string;
  chain: Stage[];
  current_stage: number;
  status: DecisionStatus;
  stage_started_at: string;
  created_by: string;
  created_at: string;
  completed_at: string | null;
}

async function loadItem(db: Executor, id: string, lock = false) {
  const r = await db.execute(sql`select * from decision_items where id = ${id} ${lock ? sql`for update` : sql``}`);
  return r.rows[0] as ItemRow | undefined;
}
const modelOf = (i: ItemRow) => ({
  chain: i.chain,
  currentStage: i.current_stage,
  status: i.status,
  stageStartedAt: new Date(i.stage_started_at),
});

function describeStage(s: Stage) {
  if (s.kind === 'meeting') return `会议：出席人数须${describeQuorum(s.quorum)}`;
  if (s.kind === 'publicity') return `公开：公示期 ${s.periodDays} 天，异议须在 ${s.answerDays} 个工作日内答复`;
  return '提议：记录提议内容';
}

function presentItem(i: ItemRow) {
  const stage = i.chain[i.current_stage];
  const started = new Date(i.stage_started_at);
  return {
    id: i.id,
    communityId: i.community_id,
    title: i.title,
    description: i.description,
    chain: i.chain.map((s, n) => ({ ...s, index: n, rule: describeStage(s) })),
    currentStage: i.current_stage,
    currentStageName: i.status === 'in_progress' && stage ? stage.name : null,
    stageStartedAt: started.toISOString(),
    publicityEndsAt:
      i.status === 'in_progress' && stage?.kind === 'publicity' ? publicityEndsAt(started, stage.periodDays).toISOString() : null,
    status: i.status,
    statusLabel: DECISION_STATUSES[i.status],
    createdBy: i.created_by,
    createdAt: iso(i.created_at)!,
    completedAt: iso(i.completed_at),
  };
}

async function insertDecisionStep(
  tx: Executor,
  i: { community_id: string; id: string; chain: Stage[] },
  stageIndex: number,
  kind: string,
  who: Caller | null,
  data: Record<string, unknown>,
) {
  await tx.execute(sql`
    insert into decision_steps (community_id, id, item_id, stage_index, stage_key, kind, actor_user_id, actor_name, data)
    values (${i.community_id}, ${uuidv7()}, ${i.id}, ${stageIndex}, ${i.chain[stageIndex]?.key ?? 'end'}, ${kind}, ${who?.userId ?? null},
      ${who?.displayName ?? '系统'}, ${JSON.stringify(data)}::jsonb)`);
}

export async function createDecision(ctx: Ctx, regionId: string, input: { title: string; description?: string; chain?: StageInput[] }) {
  const place = await community(ctx.db, regionId);
  let chain: Stage[] = DEFAULT_CHAIN.map((s) => ({ ...s }));
  if (input.chain) {
    const built = buildChain(input.chain);
    if ('errors' in built) throw problems.validation(built.errors);
    chain = built.chain;
  }
  const id = uuidv7();
  return auditedChange(
    ctx,
    {
      targetType: 'decision-item',
      targetId: () => id,
      scopePath: () => place.path,
      statusCode: 201,
      detail: () => ({ title: input.title }),
    },
    async (tx) => {
      await tx.execute(sql`
        insert into decision_items (community_id, id, title, description, chain, created_by)
        values (${place.communityId}, ${id}, ${input.title}, ${input.description ?? ''}, ${JSON.stringify(chain)}::jsonb, ${ctx.caller.displayName})`);
      const item = (await loadItem(tx, id))!;
      await insertDecisionStep(tx, item, 0, 'created', ctx.caller, { chain: chain.map((s) => s.key) });
      return presentItem(item);
    },
  );
}

export async function listDecisions(db: Db, caller: Caller, communityId?: string) {
  const w = await dataScope(db, caller);
  const ids = communityId ? w.communityIds.filter((c) => c === communityId) : w.communityIds;
  const r = await db.execute(
    sql`select * from decision_items where community_id = any(${sql.param(ids)}::uuid[]) order by created_at desc limit 500`,
  );
  return rowsOf<ItemRow>(r).map(presentItem);
}

export async function decisionDetail(db: Executor, id: string) {
  const i = await loadItem(db, id);
  if (!i) throw problems.notFound('决策事项');
  const steps = await db.execute(
    sql`select * from decision_steps where community_id = ${i.community_id} and item_id = ${id} order by at, id`,
  );
  const objections = await db.execute(
    sql`select * from decision_objections where community_id = ${i.community_id} and item_id = ${id} order by filed_at, id`,
  );
  return {
    ...presentItem(i),
    steps: rowsOf<Record<string, unknown>>(steps).map((s) => ({
      stageIndex: s.stage_index as number,
      stageKey: s.stage_key as string,
      kind: s.kind as string,
      actorName: s.actor_name as string,
      actorUserId: (s.actor_user_id as string | null) ?? null,
      at: iso(s.at)!,
      data: s.data as Record<string, unknown>,
    })),
    objections: rowsOf<Record<string, unknown>>(objections).map((o) => ({
      id: o.id as string,
      stageIndex: o.stage_index as number,
      text: o.text as string,
      filedByName: o.filed_by_name as string,
      filedAt: iso(o.filed_at)!,
      dueAt: iso(o.due_at)!,
      overdue: o.overdue as boolean,
      answer: (o.answer as string | null) ?? null,
      answeredBy: (o.answered_by as string | null) ?? null,
      answeredAt: iso(o.answered_at),
    })),
  };
}

export interface StageCompletion extends MeetingOutcome {
  /** The stage the caller means to complete (refused with 409 when it is not the current one). */
  stage?: string;
  text?: string;
}

/** Complete the current stage with its record; the next stage starts now (a publicity period runs from here). */
export async function completeDecisionStage(ctx: Ctx, id: string, input: StageCompletion) {
  const path = await decisionPath(ctx.db, id);
  if (!path) throw problems.notFound('决策事项');
  return auditedChange(
    ctx,
    { targetType: 'decision-item', targetId: () => id, scopePath: () => path, detail: () => ({ stage: input.stage ?? null }) },
    async (tx) => {
      const i = (await loadItem(tx, id, true))!;
      const stage = i.chain[i.current_stage];
      if (i.status !== 'in_progress' || !stage) throw problems.conflict(`事项${DECISION_STATUSES[i.status]}，不能再推进`);
      if (input.stage !== undefined && input.stage !== stage.key)
        throw problems.conflict(`当前环节为「${stage.name}」（${stage.key}），不是 ${input.stage}`, [
          { field: 'body.stage', message: '不是当前环节' },
        ]);
      let data: Record<string, unknown> = { stage: stage.name };
      if (stage.kind === 'proposal') {
        if (!input.text?.trim()) throw problems.field('body.text', '请填写提议内容（提议人、事由）');
        data = { ...data, text: input.text.trim() };
      } else if (stage.kind === 'meeting') {
        const errors = meetingProblems(stage.quorum, input);
        if (errors.length) throw problems.validation(errors);
        data = {
          ...data,
          expected: input.expected,
          attendees: input.attendees,
          quorum: stage.quorum,
          resolution: input.resolution,
          votesFor: input.votesFor ?? 0,
          votesAgainst: input.votesAgainst ?? 0,
          votesAbstain: input.votesAbstain ?? 0,
          minutes: input.minutes?.trim() || null,
        };
      } else {
        data = { ...data, text: input.text?.trim() || null, periodDays: stage.periodDays, startedAt: iso(i.stage_started_at) };
      }
      const open = await tx.execute(sql`
        select count(*)::int as n from decision_objections
        where community_id = ${i.community_id} and item_id = ${id} and stage_index = ${i.current_stage} and answered_at is null`);
      const next = nextStage(modelOf(i), new Date(), {
        unansweredObjections: (open.rows[0] as { n: number }).n,
        ...(input.resolution ? { resolution: input.resolution } : {}),
      });
      if ('conflict' in next) throw problems.conflict(next.conflict);
      await tx.execute(sql`
        update decision_items set current_stage = ${next.currentStage}, status = ${next.status}, stage_started_at = now(),
          completed_at = ${next.status === 'in_progress' ? null : sql`now()`}
        where community_id = ${i.community_id} and id = ${id}`);
      await insertDecisionStep(tx, i, i.current_stage, 'completed', ctx.caller, data);
      return decisionDetail(tx, id);
    },
  );
}

/** A resident objects during a publicity stage; the answer is due within the stage's working days. */
export async function fileObjection(ctx: Ctx, id: string, text: string) {
  const path = await decisionPath(ctx.db, id);
  if (!path) throw problems.notFound('决策事项');
  if (!text.trim()) throw problems.field('body.text', '请填写异议内容');
  const ref = await reference(ctx.db);
  const objectionId = uuidv7();
  return auditedChange(
    ctx,
    { targetType: 'decision-item', targetId: () => id, scopePath: () => path, statusCode: 201, detail: () => ({ objection: objectionId }) },
    async (tx) => {
      const i = (await loadItem(tx, id, true))!;
      const now = new Date();
      const problem = objectionProblem(modelOf(i), now);
      if (problem) throw problems.conflict(problem);
      const stage = i.chain[i.current_stage]!;
      const days = stage.kind === 'publicity' ? stage.answerDays : 5;
      const dueAt = addWorkingMinutes(ref.calendar, now, days * ref.dayMinutes);
      await tx.execute(sql`
        insert into decision_objections (community_id, id, item_id, stage_index, text, filed_by_user_id, filed_by_name, filed_at, due_at)
        values (${i.community_id}, ${objectionId}, ${id}, ${i.current_stage}, ${text.trim()}, ${ctx.caller.userId}, ${ctx.caller.displayName},
          ${now.toISOString()}::timestamptz, ${dueAt.toISOString()}::timestamptz)`);
      await insertDecisionStep(tx, i, i.current_stage, 'objection', ctx.caller, { objectionId, dueAt: dueAt.toISOString() });
      await scheduleDeadlines(tx, [
        { communityId: i.community_id, kind: 'democracy.objection', subjectId: objectionId, dueAt, payload: { itemId: id } },
      ]);
      return { id: objectionId, itemId: id, stageIndex: i.current_stage, text: text.trim(), dueAt: dueAt.toISOString(), answerDays: days };
    },
  );
}

export async function answerObjection(ctx: Ctx, id: string, objectionId: string, answer: string) {
  const path = await decisionPath(ctx.db, id);
  if (!path) throw problems.notFound('决策事项');
  if (!answer.trim()) throw problems.field('body.answer', '请填写答复内容');
  return auditedChange(
    ctx,
    { targetType: 'decision-item', targetId: () => id, scopePath: () => path, detail: () => ({ objection: objectionId }) },
    async (tx) => {
      const i = (await loadItem(tx, id, true))!;
      const r = await tx.execute(sql`
        select * from decision_objections where community_id = ${i.community_id} and item_id = ${id} and id = ${objectionId} for update`);
      const o = r.rows[0] as { answered_at: string | null; overdue: boolean; stage_index: number; due_at: string } | undefined;
      if (!o) throw problems.notFound('异议');
      if (o.answered_at) throw problems.conflict('该异议已答复');
      await tx.execute(sql`
        update decision_objections set answer = ${answer.trim()}, answered_by = ${ctx.caller.displayName}, answered_at = now()
        where community_id = ${i.community_id} and id = ${objectionId}`);
      await cancelDeadlines(tx, i.community_id, objectionId, 'democracy.objection');
      const late = o.overdue || new Date() > new Date(o.due_at);
      await insertDecisionStep(tx, i, o.stage_index, 'objection-answered', ctx.caller, { objectionId, late });
      return decisionDetail(tx, id);
    },
  );
}

let registered = false;
/** The objection deadline: unanswered objections are marked overdue and the fact is appended as a step (set-based). */
export function registerDeliberationDeadlines(): void {
  if (registered) return;
  registered = true;
  registerDeadlineHandler('democracy.objection', async (tx, due) => {
    await tx.execute(sql`
      with marked as (
        update decision_objections o set overdue = true
        from unnest(${sql.param(due.map((d) => d.communityId))}::uuid[], ${sql.param(due.map((d) => d.subjectId))}::uuid[]) as x(c, s)
        where o.community_id = x.c and o.id = x.s and o.answered_at is null and not o.overdue
        returning o.community_id, o.item_id, o.id, o.stage_index, o.due_at)
      insert into decision_steps (community_id, id, item_id, stage_index, stage_key, kind, actor_user_id, actor_name, data)
      select m.community_id, gen_random_uuid(), m.item_id, m.stage_index, coalesce(i.chain -> m.stage_index ->> 'key', 'end'), 'objection-overdue',
        null, '系统（答复期限届满）', jsonb_build_object('objectionId', m.id, 'dueAt', m.due_at)
      from marked m join decision_items i on i.community_id = m.community_id and i.id = m.item_id`);
  });
}
