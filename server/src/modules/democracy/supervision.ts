// Supervision (民主监督, `004` 5.2.5): the community publishes lists (清单) of matters, finances and
// decisions with their ledgers (台账); the 居务监督委员会's members review them (an append-only trail);
// residents ask questions or report problems (监督举报), which the community answers within a number of
// working days (a durable deadline marks the unanswered ones overdue, for good).
import { sql } from 'drizzle-orm';
import type { Db, Executor } from '../../db/pool.js';
import { uuidv7 } from '../../db/ids.js';
import type { Caller, Ctx } from '../../http/context.js';
import { problems, type FieldError } from '../../http/errors.js';
import { residentOfUser } from '../accounts/service.js';
import { auditedChange } from '../audit/service.js';
import { cancelDeadlines, registerDeadlineHandler, scheduleDeadlines } from '../deadlines/service.js';
import { addWorkingMinutes } from '../grid/calendar.js';
import { reference } from '../grid/reference.js';
import { isCurrentMemberOfKind } from '../organisations/service.js';
import { dataScope, pathOfPlace, placeOf } from '../regions/service.js';
import type { LedgerLine } from './supervision-schema.js';

export const SUPERVISION_KINDS = { matter: '事务公开', finance: '财务公开', decision: '决策公开' } as const;
export type SupervisionKind = keyof typeof SUPERVISION_KINDS;
/** Working days the community has to answer a question or report. */
export const ANSWER_DAYS = 5;

/** Scope resolvers. */
export async function itemPath(db: Db, id: string): Promise<string | null> {
  const r = await db.execute(sql`select r.path from supervision_items i join regions r on r.id = i.community_id where i.id = ${id}`);
  return (r.rows[0] as { path: string } | undefined)?.path ?? null;
}
export async function questionPath(db: Db, id: string): Promise<string | null> {
  const r = await db.execute(sql`select r.path from supervision_questions q join regions r on r.id = q.community_id where q.id = ${id}`);
  return (r.rows[0] as { path: string } | undefined)?.path ?? null;
}

const cents = (x: number) => Math.round(x * 100);

export async function publishItem(
  ctx: Ctx,
  regionId: string,
  input: { kind: SupervisionKind; title: string; content?: string; period: string; ledger?: LedgerLine[] },
) {
  const place = await placeOf(ctx.db, regionId);
  if (!place || place.gridId) throw problems.field('body.regionId', '应为社区');
  const ledger = input.ledger ?? [];
  const errors: FieldError[] = [];
  ledger.forEach((l, i) => {
    if (input.kind === 'finance' && (l.amount === undefined || l.amount === null))
      errors.push({ field: `body.ledger.${i}.amount`, message: '财务台账每行应有金额' });
    if (l.amount !== undefined && l.amount !== null && cents(l.amount) / 100 !== l.amount)
      errors.push({ field: `body.ledger.${i}.amount`, message: '金额最多两位小数' });
  });
  if (input.kind === 'finance' && ledger.length === 0) errors.push({ field: 'body.ledger', message: '财务公开应附收支台账' });
  if (errors.length) throw problems.validation(errors);
  const total = input.kind === 'finance' ? ledger.reduce((s, l) => s + cents(l.amount ?? 0), 0) / 100 : null;
  const id = uuidv7();
  await auditedChange(
    ctx,
    {
      targetType: 'supervision-item',
      targetId: () => id,
      scopePath: () => place.path,
      statusCode: 201,
      detail: () => ({ kind: input.kind, title: input.title }),
    },
    async (tx: Executor) => {
      await tx.execute(sql`
        insert into supervision_items (community_id, id, kind, title, content, period, ledger, total, published_by)
        values (${place.communityId}, ${id}, ${input.kind}, ${input.title}, ${input.content ?? ''}, ${input.period}, ${JSON.stringify(ledger)}::jsonb,
          ${total}, ${ctx.caller.displayName})`);
    },
  );
  return itemDetail(ctx.db, id);
}

function presentItem(x: Record<string, unknown>) {
  return {
    id: x.id as string,
    communityId: x.community_id as string,
    kind: x.kind as string,
    kindLabel: SUPERVISION_KINDS[x.kind as SupervisionKind] ?? (x.kind as string),
    title: x.title as string,
    content: x.content as string,
    period: x.period as string,
    ledger: x.ledger as LedgerLine[],
    total: x.total === null ? null : Number(x.total),
    publishedBy: x.published_by as string,
    publishedAt: new Date(x.published_at as string).toISOString(),
  };
}

export async function listItems(db: Db, caller: Caller, communityId?: string, kind?: SupervisionKind) {
  const w = await dataScope(db, caller);
  const ids = communityId ? w.communityIds.filter((c) => c === communityId) : w.communityIds;
  const r = await db.execute(sql`
    select * from supervision_items where community_id = any(${sql.param(ids)}::uuid[]) ${kind ? sql`and kind = ${kind}` : sql``}
    order by published_at desc limit 200`);
  return (r.rows as Record<string, unknown>[]).map(presentItem);
}

function presentQuestion(q: Record<string, unknown>, now = new Date()) {
  const report = q.kind === 'report';
  return {
    id: q.id as string,
    itemId: (q.item_id as string | null) ?? null,
    kind: q.kind as string,
    text: q.text as string,
    // Reports never carry a name; a question shows its asker only when they chose to.
    asker: report || q.public !== 'yes' ? null : ((q.asker_name as string | null) ?? null),
    askedAt: new Date(q.asked_at as string).toISOString(),
    dueAt: new Date(q.due_at as string).toISOString(),
    answer: (q.answer as string | null) ?? null,
    answeredBy: (q.answered_by as string | null) ?? null,
    answeredAt: q.answered_at ? new Date(q.answered_at as string).toISOString() : null,
    overdue: q.overdue_at !== null || (q.answered_at === null && new Date(q.due_at as string) < now),
  };
}

export async function itemDetail(db: Db, id: string) {
  const r = await db.execute(sql`select * from supervision_items where id = ${id}`);
  const item = r.rows[0] as Record<string, unknown> | undefined;
  if (!item) throw problems.notFound('公开事项');
  const [reviews, questions] = await Promise.all([
    db.execute(sql`
      select opinion, text, reviewer, at from supervision_reviews where community_id = ${item.community_id as string} and item_id = ${id} order by at`),
    db.execute(sql`
      select * from supervision_questions where community_id = ${item.community_id as string} and item_id = ${id} order by asked_at`),
  ]);
  return {
    ...presentItem(item),
    reviews: (reviews.rows as Record<string, unknown>[]).map((x) => ({
      opinion: x.opinion as string,
      opinionLabel: x.opinion === 'approved' ? '无异议' : '有异议',
      text: x.text as string,
      reviewer: x.reviewer as string,
      at: new Date(x.at as string).toISOString(),
    })),
    questions: (questions.rows as Record<string, unknown>[]).map((q) => presentQuestion(q)),
  };
}

/** A member of the community's 居务监督委员会 records the committee's opinion on a published item. */
export async function reviewItem(ctx: Ctx, id: string, input: { opinion: 'approved' | 'concerns'; text?: string }) {
  const r = await ctx.db.execute(sql`select community_id from supervision_items where id = ${id}`);
  const communityId = (r.rows[0] as { community_id: string } | undefined)?.community_id;
  if (!communityId) throw problems.notFound('公开事项');
  const residentId = await residentOfUser(ctx.db, ctx.caller.userId);
  if (!residentId || !(await isCurrentMemberOfKind(ctx.db, communityId, residentId, 'supervisory_committee')))
    throw problems.forbidden('只有居务监督委员会成员可以审核公开事项');
  if (input.opinion === 'concerns' && !input.text?.trim()) throw problems.field('body.text', '有异议时请写明意见');
  const path = (await pathOfPlace(ctx.db, communityId, null))!;
  await auditedChange(
    ctx,
    {
      targetType: 'supervision-item',
      targetId: () => id,
      scopePath: () => path,
      statusCode: 201,
      detail: () => ({ opinion: input.opinion }),
    },
    async (tx: Executor) => {
      await tx.execute(sql`
        insert into supervision_reviews (community_id, id, item_id, opinion, text, reviewer, reviewer_id)
        values (${communityId}, ${uuidv7()}, ${id}, ${input.opinion}, ${input.text ?? ''}, ${ctx.caller.displayName}, ${ctx.caller.userId})`);
    },
  );
  return itemDetail(ctx.db, id);
}

export async function ask(
  ctx: Ctx,
  regionId: string,
  input: { itemId?: string; kind: 'question' | 'report'; text: string; public?: boolean },
) {
  const place = await placeOf(ctx.db, regionId);
  if (!place) throw problems.field('body.regionId', '应为社区');
  if (input.itemId) {
    const r = await ctx.db.execute(sql`select 1 from supervision_items where community_id = ${place.communityId} and id = ${input.itemId}`);
    if (!r.rows.length) throw problems.field('body.itemId', '公开事项不存在');
  }
  const ref = await reference(ctx.db);
  const now = new Date();
  const dueAt = addWorkingMinutes(ref.calendar, now, ANSWER_DAYS * ref.dayMinutes);
  const id = uuidv7();
  const path = (await pathOfPlace(ctx.db, place.communityId, null))!;
  await auditedChange(
    ctx,
    // A report's audit entry names no one beyond the account that sent it (the log's own actor).
    {
      targetType: 'supervision-question',
      targetId: () => id,
      scopePath: () => path,
      statusCode: 201,
      detail: () => ({ kind: input.kind }),
    },
    async (tx: Executor) => {
      await tx.execute(sql`
        insert into supervision_questions (community_id, id, item_id, kind, text, asker_id, asker_name, public, asked_at, due_at)
        values (${place.communityId}, ${id}, ${input.itemId ?? null}, ${input.kind}, ${input.text}, ${ctx.caller.userId},
          ${input.kind === 'report' ? null : ctx.caller.displayName}, ${input.public === false ? 'no' : 'yes'}, ${now.toISOString()}, ${dueAt.toISOString()})`);
      await scheduleDeadlines(tx, [{ communityId: place.communityId, kind: 'democracy.question', subjectId: id, dueAt }]);
    },
  );
  const r = await ctx.db.execute(sql`select * from supervision_questions where community_id = ${place.communityId} and id = ${id}`);
  return presentQuestion(r.rows[0] as Record<string, unknown>);
}

export async function listQuestions(db: Db, caller: Caller, communityId?: string) {
  const w = await dataScope(db, caller);
  const ids = communityId ? w.communityIds.filter((c) => c === communityId) : w.communityIds;
  const r = await db.execute(sql`
    select * from supervision_questions where community_id = any(${sql.param(ids)}::uuid[]) order by asked_at desc limit 500`);
  return (r.rows as Record<string, unknown>[]).map((q) => presentQuestion(q));
}

export async function answer(ctx: Ctx, id: string, text: string) {
  const r = await ctx.db.execute(sql`select community_id, answered_at from supervision_questions where id = ${id}`);
  const q = r.rows[0] as { community_id: string; answered_at: string | null } | undefined;
  if (!q) throw problems.notFound('质询/举报');
  if (q.answered_at) throw problems.conflict('已答复');
  const path = (await pathOfPlace(ctx.db, q.community_id, null))!;
  await auditedChange(ctx, { targetType: 'supervision-question', targetId: () => id, scopePath: () => path }, async (tx: Executor) => {
    await tx.execute(sql`
      update supervision_questions set answer = ${text}, answered_by = ${ctx.caller.displayName}, answered_at = now()
      where community_id = ${q.community_id} and id = ${id}`);
    await cancelDeadlines(tx, q.community_id, id, 'democracy.question');
  });
  const row = await ctx.db.execute(sql`select * from supervision_questions where community_id = ${q.community_id} and id = ${id}`);
  return presentQuestion(row.rows[0] as Record<string, unknown>);
}

let registered = false;
export function registerSupervisionDeadlines(): void {
  if (registered) return;
  registered = true;
  registerDeadlineHandler('democracy.question', async (tx, due) => {
    await tx.execute(sql`
      update supervision_questions q set overdue_at = d.due_at
      from unnest(${sql.param(due.map((d) => d.communityId))}::uuid[], ${sql.param(due.map((d) => d.subjectId))}::uuid[],
        ${sql.param(due.map((d) => d.dueAt.toISOString()))}::timestamptz[]) as d(community_id, id, due_at)
      where q.community_id = d.community_id and q.id = d.id and q.answered_at is null and q.overdue_at is null`);
  });
}

/** The questions and reports the caller asked, with their answers (a report is followed by the one who made it). */
export async function myQuestions(db: Db, userId: string) {
  const r = await db.execute(sql`select * from supervision_questions where asker_id = ${userId} order by asked_at desc limit 200`);
  return (r.rows as Record<string, unknown>[]).map((q) => ({ ...presentQuestion(q), mine: true }));
}
