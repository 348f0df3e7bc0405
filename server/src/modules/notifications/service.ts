// Telling people (issue 5 "the reporter receives each status change", issue 7 escalation of elderly
// emergencies): an inbox per account (`notifications`) and text messages to phones (`sms_outbox`).
// Both are written inside the caller's transaction (`notify`, `queueSms`: one statement for many), so a
// message exists exactly when the change that caused it committed. Text messages leave the platform
// through the SMS worker: POST {phone, text} to JIAYUAN_SMS_URL, with a timeout and retries; without a
// gateway they are marked `no_gateway` (recorded, honestly not sent).
import { sql, type SQL } from 'drizzle-orm';
import { blindIndex, blindIndexes, decrypt, encrypt, type DataKeys } from '../../crypto/personal-data.js';
import { uuidv7 } from '../../db/ids.js';
import { startNotifiedWorker, wakeAfterCommit, type NotifiedWorker } from '../../db/notified-worker.js';
import type { Db, Executor } from '../../db/pool.js';
import type { Caller, Ctx } from '../../http/context.js';
import { problems } from '../../http/errors.js';
import { auditedChange } from '../audit/service.js';
import { dataScope } from '../regions/service.js';
import { maskPhone, normalisePhone } from '../registry/model.js';

const SMS_CHANNEL = 'jiayuan_sms';
const PHONE_CTX = 'sms_outbox.phone';

export interface NotificationInput {
  communityId: string;
  recipientUserId: string;
  kind: string;
  title: string;
  body: string;
  link?: string | null;
  subjectType?: string | null;
  subjectId?: string | null;
  /** Same key and recipient twice → one message (at-least-once callers). */
  dedupeKey?: string | null;
}

/** Writes many inbox messages in one statement inside `tx`; returns how many were new. */
export async function notify(tx: Executor, list: NotificationInput[]): Promise<number> {
  if (!list.length) return 0;
  const rows = list.map((n) => ({
    community_id: n.communityId,
    id: uuidv7(),
    recipient_user_id: n.recipientUserId,
    kind: n.kind,
    title: n.title,
    body: n.body,
    link: n.link ?? null,
    subject_type: n.subjectType ?? null,
    subject_id: n.subjectId ?? null,
    dedupe_key: n.dedupeKey ?? null,
  }));
  const r = await tx.execute(sql`
    insert into notifications (community_id, id, recipient_user_id, kind, title, body, link, subject_type, subject_id, dedupe_key)
    select community_id, id, recipient_user_id, kind, title, body, link, subject_type, subject_id, dedupe_key
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(community_id uuid, id uuid, recipient_user_id uuid, kind text,
      title text, body text, link text, subject_type text, subject_id uuid, dedupe_key text)
    on conflict (community_id, recipient_user_id, dedupe_key) do nothing`);
  return r.rowCount ?? 0;
}

/**
 * Inbox messages chosen by a query, for system work over many rows at once (deadlines firing by the
 * thousand): `select` yields community_id, recipient_user_id, kind, title, body, link, subject_type,
 * subject_id, dedupe_key. Returns how many were new.
 */
export async function notifySelected(tx: Executor, select: SQL): Promise<number> {
  const r = await tx.execute(sql`
    insert into notifications (community_id, id, recipient_user_id, kind, title, body, link, subject_type, subject_id, dedupe_key)
    select community_id, uuid_v7(), recipient_user_id, kind, title, body, link, subject_type, subject_id, dedupe_key from (${select}) s
    on conflict (community_id, recipient_user_id, dedupe_key) do nothing`);
  return r.rowCount ?? 0;
}

export interface SmsInput {
  communityId: string;
  /** Plain phone number; stored only encrypted, hashed and masked. */
  phone: string;
  text: string;
  subjectType?: string | null;
  subjectId?: string | null;
  dedupeKey?: string | null;
}

/** Queues many text messages in one statement inside `tx` (the SMS worker sends them after the commit). */
export async function queueSms(tx: Executor, keys: DataKeys, list: SmsInput[]): Promise<number> {
  if (!list.length) return 0;
  // During a key rotation a queued message may carry a previous key's phone index: the dedupe looks
  // for those too (the unique index only sees the current key's).
  const rotating = keys.previousKeyIds.length > 0;
  const rows = list.map((m) => {
    const phone = normalisePhone(m.phone);
    const [phoneHash, ...previousHashes] = rotating ? blindIndexes(keys, 'phone', phone) : [blindIndex(keys, 'phone', phone)];
    return {
      community_id: m.communityId,
      id: uuidv7(),
      phone_enc: encrypt(keys, phone, PHONE_CTX).toString('hex'),
      phone_hash: phoneHash!,
      previous_hashes: previousHashes,
      phone_masked: maskPhone(phone),
      text: m.text,
      subject_type: m.subjectType ?? null,
      subject_id: m.subjectId ?? null,
      dedupe_key: m.dedupeKey ?? null,
    };
  });
  const r = await tx.execute(sql`
    insert into sms_outbox (community_id, id, phone_enc, phone_hash, phone_masked, text, subject_type, subject_id, dedupe_key)
    select community_id, id, decode(phone_enc, 'hex'), phone_hash, phone_masked, text, subject_type, subject_id, dedupe_key
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(community_id uuid, id uuid, phone_enc text, phone_hash text,
      previous_hashes text[], phone_masked text, text text, subject_type text, subject_id uuid, dedupe_key text)
    ${
      rotating
        ? sql`where not exists (select 1 from sms_outbox o where o.community_id = x.community_id and o.dedupe_key = x.dedupe_key
                                  and o.phone_hash = any(x.previous_hashes))`
        : sql``
    }
    on conflict (community_id, phone_hash, dedupe_key) do nothing`);
  wakeAfterCommit(tx, SMS_CHANNEL);
  return r.rowCount ?? 0;
}

// ---- the inbox ------------------------------------------------------------------------------------

const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

function present(n: Record<string, unknown>) {
  return {
    id: n.id as string,
    kind: n.kind as string,
    title: n.title as string,
    body: n.body as string,
    link: (n.link as string | null) ?? null,
    subjectType: (n.subject_type as string | null) ?? null,
    subjectId: (n.subject_id as string | null) ?? null,
    createdAt: iso(n.created_at)!,
    readAt: iso(n.read_at),
  };
}

/** The caller's own messages, newest first, with the total and the unread count. */
export async function myNotifications(db: Db, caller: Caller, q: { unread?: boolean; limit: number; offset: number }) {
  const where = sql`recipient_user_id = ${caller.userId} ${q.unread ? sql`and read_at is null` : sql``}`;
  const [items, counts] = await Promise.all([
    db.execute(sql`select * from notifications where ${where} order by created_at desc, id desc limit ${q.limit} offset ${q.offset}`),
    db.execute(sql`
      select count(*)::int as total, (count(*) filter (where read_at is null))::int as unread
      from notifications where recipient_user_id = ${caller.userId}`),
  ]);
  const c = counts.rows[0] as { total: number; unread: number };
  return {
    items: (items.rows as Record<string, unknown>[]).map(present),
    total: q.unread ? c.unread : c.total,
    unread: c.unread,
  };
}

/** Marks one of the caller's messages read; someone else's is not found. */
export async function markRead(ctx: Ctx, id: string) {
  const r = await ctx.db.execute(sql`
    select r.path from notifications n join regions r on r.id = n.community_id
    where n.id = ${id} and n.recipient_user_id = ${ctx.caller.userId}`);
  const path = (r.rows[0] as { path: string } | undefined)?.path;
  if (!path) throw problems.notFound('通知');
  return auditedChange(ctx, { targetType: 'notification', targetId: () => id, scopePath: () => path }, async (tx) => {
    const u = await tx.execute(sql`
      update notifications set read_at = coalesce(read_at, now())
      where id = ${id} and recipient_user_id = ${ctx.caller.userId} returning *`);
    return present(u.rows[0] as Record<string, unknown>);
  });
}

/** Marks all of the caller's messages read. */
export async function markAllRead(ctx: Ctx) {
  return auditedChange<{ marked: number }>(
    ctx,
    {
      targetType: 'notification',
      targetId: () => ctx.caller.userId,
      scopePath: () => ctx.caller.regionPath,
      detail: (r) => ({ marked: r.marked }),
    },
    async (tx) => {
      const u = await tx.execute(
        sql`update notifications set read_at = now() where recipient_user_id = ${ctx.caller.userId} and read_at is null`,
      );
      return { marked: u.rowCount ?? 0 };
    },
  );
}

// ---- text messages ------------------------------------------------------------------------------------

export const SMS_STATUSES = ['queued', 'sent', 'failed', 'no_gateway'] as const;
export type SmsStatus = (typeof SMS_STATUSES)[number];

/** Text messages of the caller's communities, phones masked, newest first. */
export async function listSms(db: Db, caller: Caller, q: { status?: SmsStatus; limit: number; offset: number }) {
  const { communityIds } = await dataScope(db, caller);
  const where = sql`community_id = any(${sql.param(communityIds)}::uuid[]) ${q.status ? sql`and status = ${q.status}` : sql``}`;
  const [items, count] = await Promise.all([
    db.execute(sql`
      select id, community_id, phone_masked, text, status, attempts, subject_type, subject_id, created_at, sent_at, last_error
      from sms_outbox where ${where} order by created_at desc, id desc limit ${q.limit} offset ${q.offset}`),
    db.execute(sql`select count(*)::int as n from sms_outbox where ${where}`),
  ]);
  return {
    items: (items.rows as Record<string, unknown>[]).map((m) => ({
      id: m.id as string,
      communityId: m.community_id as string,
      phone: m.phone_masked as string,
      text: m.text as string,
      status: m.status as SmsStatus,
      attempts: m.attempts as number,
      subjectType: (m.subject_type as string | null) ?? null,
      subjectId: (m.subject_id as string | null) ?? null,
      createdAt: iso(m.created_at)!,
      sentAt: iso(m.sent_at),
      lastError: (m.last_error as string | null) ?? null,
    })),
    total: (count.rows[0] as { n: number }).n,
  };
}

export interface SmsGateway {
  /** JIAYUAN_SMS_URL: POST {phone, text} as JSON; any 2xx is success. Unset: messages are marked no_gateway. */
  url?: string | undefined;
  timeoutMs?: number;
  maxAttempts?: number;
}

/** Sends one batch of due messages; returns how many it handled (sent, failed, re-queued or no_gateway). */
export async function sendSmsBatch(db: Db, keys: DataKeys, gateway: SmsGateway, limit = 50): Promise<number> {
  const maxAttempts = gateway.maxAttempts ?? 5;
  return db.transaction(async (tx) => {
    const r = await tx.execute(sql`
      select community_id, id, phone_enc, text, attempts from sms_outbox
      where status = 'queued' and next_attempt_at <= now() order by next_attempt_at limit ${limit} for update skip locked`);
    const rows = r.rows as { community_id: string; id: string; phone_enc: Buffer; text: string; attempts: number }[];
    if (!rows.length) return 0;
    const ids = sql`unnest(${sql.param(rows.map((x) => x.community_id))}::uuid[], ${sql.param(rows.map((x) => x.id))}::uuid[])`;
    if (!gateway.url) {
      await tx.execute(sql`
        update sms_outbox s set status = 'no_gateway', last_error = '未配置短信网关（JIAYUAN_SMS_URL）'
        from ${ids} as x(community_id, id) where s.community_id = x.community_id and s.id = x.id`);
      return rows.length;
    }
    const url = gateway.url;
    // The rows stay locked while the gateway answers (at most the timeout): no other node sends them twice.
    const results = await Promise.all(
      rows.map(async (m): Promise<string | null> => {
        try {
          const phone = decrypt(keys, m.phone_enc, PHONE_CTX);
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ phone, text: m.text }),
            signal: AbortSignal.timeout(gateway.timeoutMs ?? 10_000),
          });
          await res.body?.cancel();
          return res.ok ? null : `短信网关返回 HTTP ${res.status}`;
        } catch (e) {
          return String(e).slice(0, 500);
        }
      }),
    );
    await tx.execute(sql`
      update sms_outbox s set attempts = s.attempts + 1, last_error = x.error,
        status = case when x.error is null then 'sent' when s.attempts + 1 >= ${maxAttempts} then 'failed' else 'queued' end,
        sent_at = case when x.error is null then now() end,
        next_attempt_at = now() + make_interval(secs => 30 * power(2, s.attempts))
      from unnest(${sql.param(rows.map((x) => x.community_id))}::uuid[], ${sql.param(rows.map((x) => x.id))}::uuid[],
        ${sql.param(results)}::text[]) as x(community_id, id, error)
      where s.community_id = x.community_id and s.id = x.id`);
    return rows.length;
  });
}

/** The SMS delivery worker: woken after a commit that queued messages, and sweeping for retries and leftovers. */
export function startSmsWorker(db: Db, keys: DataKeys, gateway: SmsGateway, onError: (e: unknown) => void, sweepMs = 5000): NotifiedWorker {
  return startNotifiedWorker({ channel: SMS_CHANNEL, work: () => sendSmsBatch(db, keys, gateway), onError, sweepMs });
}
