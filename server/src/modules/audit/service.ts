// Writing and reading the audit log (issue 2 §6): every write, and every read of personal data,
// with who, what, when, from where and the outcome.
import { and, asc, count, desc, eq, gt, gte, isNotNull, isNull, like, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Db, Executor } from '../../db/pool.js';
import { uuidv7 } from '../../db/ids.js';
import { startNotifiedWorker, transaction, wakeAfterCommit, type NotifiedWorker } from '../../db/notified-worker.js';
import type { Caller, Ctx } from '../../http/context.js';
import { auditLog } from './schema.js';
import { entryHash, GENESIS_HASH, verifyRows, type ChainBreak, type ChainRow } from './model.js';

const CHANNEL = 'jiayuan_audit';
// Advisory lock key: one sealer at a time across all nodes.
const SEAL_LOCK = 7_100_2014;

export interface AuditInput {
  caller: Pick<Caller, 'userId' | 'displayName' | 'roles' | 'regionPath'> | null;
  ip: string | null;
  userAgent: string | null;
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  /** Region path the entry concerns; defaults to the caller's region, or the root. */
  scopePath?: string;
  outcome: 'success' | 'denied' | 'rejected' | 'error';
  statusCode: number;
  detail?: Record<string, unknown>;
}

/**
 * Writes one entry, unsealed, inside the transaction whose change it records: it commits with the
 * change or not at all, and waits for no other writer. The sealer links it into the chain shortly after.
 */
export async function appendAudit(tx: Executor, input: AuditInput): Promise<string> {
  const id = await insertEntry(tx, input);
  wakeAfterCommit(tx, CHANNEL);
  return id;
}

/** Entries for a batch of changes committed together, in one statement. */
export async function appendAudits(tx: Executor, inputs: AuditInput[]): Promise<void> {
  if (inputs.length === 0) return;
  // The rows as one JSON parameter (a batch of reports writes hundreds of entries in one statement).
  const now = new Date();
  const rows = inputs.map((input) => {
    const e = entryRow(uuidv7(), now, input);
    return {
      id: e.id,
      occurred_at: e.occurredAt.toISOString(),
      actor_id: e.actorId,
      actor_name: e.actorName,
      actor_roles: e.actorRoles,
      ip: e.ip,
      user_agent: e.userAgent,
      action: e.action,
      target_type: e.targetType,
      target_id: e.targetId,
      scope_path: e.scopePath,
      outcome: e.outcome,
      status_code: e.statusCode,
      detail: e.detail,
    };
  });
  await tx.execute(sql`
    insert into audit_log (id, occurred_at, actor_id, actor_name, actor_roles, ip, user_agent, action, target_type, target_id,
      scope_path, outcome, status_code, detail)
    select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(id uuid, occurred_at timestamptz, actor_id uuid,
      actor_name text, actor_roles text[], ip text, user_agent text, action text, target_type text, target_id text, scope_path text,
      outcome text, status_code int, detail jsonb)`);
  wakeAfterCommit(tx, CHANNEL);
}

function entryRow(id: string, occurredAt: Date, input: AuditInput) {
  return {
    id,
    occurredAt,
    actorId: input.caller?.userId ?? null,
    actorName: input.caller?.displayName ?? null,
    actorRoles: input.caller ? [...input.caller.roles] : [],
    ip: input.ip,
    userAgent: input.userAgent ? input.userAgent.slice(0, 500) : null,
    action: input.action,
    targetType: input.targetType ?? null,
    targetId: input.targetId ?? null,
    scopePath: input.scopePath ?? input.caller?.regionPath ?? '/',
    outcome: input.outcome,
    statusCode: input.statusCode,
    detail: input.detail ?? {},
  };
}

async function insertEntry(tx: Executor, input: AuditInput, asyncCommit = false): Promise<string> {
  const id = uuidv7();
  const now = new Date();
  await tx.insert(auditLog).values({
    id,
    // With asyncCommit, the same statement turns off waiting for the log flush at its own commit
    // (set_config(…, true) lasts to the end of the statement's implicit transaction): one round trip
    // instead of BEGIN / SET LOCAL / INSERT / COMMIT.
    occurredAt: asyncCommit
      ? sql`(select ${now.toISOString()}::timestamptz from (select set_config('synchronous_commit', 'off', true)) as s)`
      : now,
    actorId: input.caller?.userId ?? null,
    actorName: input.caller?.displayName ?? null,
    actorRoles: input.caller ? [...input.caller.roles] : [],
    ip: input.ip,
    userAgent: input.userAgent ? input.userAgent.slice(0, 500) : null,
    action: input.action,
    targetType: input.targetType ?? null,
    targetId: input.targetId ?? null,
    scopePath: input.scopePath ?? input.caller?.regionPath ?? '/',
    outcome: input.outcome,
    statusCode: input.statusCode,
    detail: input.detail ?? {},
  });
  return id;
}

/**
 * An entry for a read of masked lists (a search or a list of people): nothing changed, so nothing
 * waits on it but the answer. It is committed before the answer leaves, without waiting for the
 * database to flush its log to disk (`synchronous_commit = off`, for this transaction only): the
 * entry survives the loss of this process (kill -9) and is flushed within a fraction of a second,
 * but a crash of the database server itself in that window could lose it. Writes, reveals of full
 * ID numbers and phones, and exports are recorded with the ordinary, synchronous commit. Searches
 * are many: the sealer chains these entries on its next sweep rather than being woken for each.
 */
export async function appendListReadAudit(db: Db, input: AuditInput): Promise<string> {
  return insertEntry(db, input, true); // the sealer chains it on its next sweep, not woken for every search
}

/**
 * The same entry as appendListReadAudit, as an INSERT to run inside the read's own statement (a WITH
 * item): the read and its record are one round trip and commit together. `detail` is SQL, so that it
 * can count what the statement found. The statement's implicit transaction commits without waiting
 * for the log flush, as appendListReadAudit's does; the caller must not run it inside a transaction
 * that writes anything else.
 */
export function listReadAuditStatement(input: Omit<AuditInput, 'detail'>, detail: SQL): SQL {
  const e = entryRow(uuidv7(), new Date(), input);
  return sql`insert into audit_log (id, occurred_at, actor_id, actor_name, actor_roles, ip, user_agent, action, target_type, target_id,
      scope_path, outcome, status_code, detail)
    select ${e.id}::uuid, ${e.occurredAt.toISOString()}::timestamptz, ${e.actorId}::uuid, ${e.actorName}::text,
      ${sql.param(e.actorRoles)}::text[], ${e.ip}::text, ${e.userAgent}::text, ${e.action}::text, ${e.targetType}::text,
      ${e.targetId}::text, ${e.scopePath}::text, ${e.outcome}::text, ${e.statusCode}::int, ${detail}
    from (select set_config('synchronous_commit', 'off', true)) as async_commit
    returning id`;
}

/** Links up to `limit` unsealed entries into the chain, oldest first. Returns how many it sealed. */
export async function sealPending(db: Db, limit = 1000): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${SEAL_LOCK})`);
    const [last] = await tx
      .select({ seq: auditLog.seq, hash: auditLog.hash })
      .from(auditLog)
      .where(isNotNull(auditLog.seq))
      .orderBy(desc(auditLog.seq))
      .limit(1);
    const rows = await tx.select().from(auditLog).where(isNull(auditLog.seq)).orderBy(asc(auditLog.id)).limit(limit).for('update');
    if (rows.length === 0) return 0;
    let prev = { seq: last?.seq ?? 0, hash: last?.hash ?? GENESIS_HASH };
    const sealed: { id: string; seq: number; prevHash: string; hash: string }[] = [];
    for (const r of rows) {
      const seq = prev.seq + 1;
      const hash = entryHash(prev.hash, { ...r, seq });
      sealed.push({ id: r.id, seq, prevHash: prev.hash, hash });
      prev = { seq, hash };
    }
    // One statement for the batch; the links are checked by the database at commit.
    await tx.execute(sql`
      update audit_log a set seq = v.seq, prev_hash = v."prevHash", hash = v.hash
        from jsonb_to_recordset(${JSON.stringify(sealed)}::jsonb) as v(id uuid, seq bigint, "prevHash" text, hash text)
       where a.id = v.id`);
    return rows.length;
  });
}

export function startSealer(db: Db, onError: (e: unknown) => void, sweepMs = 2000): NotifiedWorker {
  return startNotifiedWorker({ channel: CHANNEL, work: () => sealPending(db), onError, sweepMs });
}

export interface AuditQuery {
  from?: Date;
  to?: Date;
  action?: string;
  actorId?: string;
  outcome?: string;
  targetId?: string;
  /** Return entries older than this id (paging backwards from the newest). */
  before?: string;
  limit: number;
}

/**
 * Entries whose scope path lies under the caller's. Entries of no region (anonymous requests that
 * named no known account) have the path `/` and are seen by auditors at the top (city) level.
 */
export async function listAudit(db: Db, scope: { path: string; top: boolean }, q: AuditQuery) {
  const inScope = like(auditLog.scopePath, `${scope.path}%`);
  const conds: SQL[] = [scope.top ? or(inScope, eq(auditLog.scopePath, '/'))! : inScope];
  if (q.from) conds.push(gte(auditLog.occurredAt, q.from));
  if (q.to) conds.push(lte(auditLog.occurredAt, q.to));
  if (q.action) conds.push(like(auditLog.action, `${q.action.replace(/[\\%_]/g, '\\$&')}%`));
  if (q.actorId) conds.push(eq(auditLog.actorId, q.actorId));
  if (q.outcome) conds.push(eq(auditLog.outcome, q.outcome));
  if (q.targetId) conds.push(eq(auditLog.targetId, q.targetId));
  if (q.before) conds.push(lt(auditLog.id, q.before));
  return db
    .select()
    .from(auditLog)
    .where(and(...conds))
    .orderBy(desc(auditLog.id))
    .limit(q.limit);
}

/** Recomputes the sealed chain in pages. Used by `npm run audit:verify` and `GET /api/audit/verify`. */
export async function verifyChain(
  db: Db,
  pageSize = 5000,
): Promise<{ ok: boolean; checked: number; lastSeq: number; pending: number; break?: ChainBreak }> {
  const [p] = await db.select({ n: count() }).from(auditLog).where(isNull(auditLog.seq));
  const pending = p?.n ?? 0;
  let prev = { seq: 0, hash: GENESIS_HASH };
  let checked = 0;
  for (;;) {
    const rows = (await db
      .select()
      .from(auditLog)
      .where(gt(auditLog.seq, prev.seq))
      .orderBy(asc(auditLog.seq))
      .limit(pageSize)) as ChainRow[];
    if (rows.length === 0) return { ok: true, checked, lastSeq: prev.seq, pending };
    const r = verifyRows(rows, prev);
    if (!r.ok)
      return { ok: false, checked: checked + rows.findIndex((x) => x.seq === r.break.seq), lastSeq: prev.seq, pending, break: r.break };
    checked += rows.length;
    prev = r.last;
  }
}

export interface AuditedChange<T> {
  targetType: string;
  targetId: (result: T) => string | null;
  /** Region path the change concerns (the target's), for auditors' scope. */
  scopePath: (result: T) => string;
  detail?: (result: T) => Record<string, unknown>;
  statusCode?: number;
}

/**
 * Runs a change in one transaction and records its audit entry in the same transaction, so a
 * change is never committed without its entry (and an entry never without its change).
 */
export async function auditedChange<T>(ctx: Ctx, spec: AuditedChange<NoInfer<T>>, change: (tx: Executor) => Promise<T>): Promise<T> {
  const result = await transaction(ctx.db, async (tx) => {
    const r = await change(tx);
    await appendAudit(tx, {
      caller: ctx.caller,
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      action: ctx.action,
      targetType: spec.targetType,
      targetId: spec.targetId(r),
      scopePath: spec.scopePath(r),
      outcome: 'success',
      statusCode: spec.statusCode ?? 200,
      detail: spec.detail?.(r) ?? {},
    });
    return r;
  });
  ctx.markAudited();
  return result;
}
