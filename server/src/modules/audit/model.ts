// The audit chain: each entry's hash covers its own fields and the previous entry's hash, so any
// edit, removal or reordering of past entries breaks every later link. Pure: no I/O.
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditFields {
  seq: number;
  id: string;
  occurredAt: Date;
  actorId: string | null;
  actorName: string | null;
  actorRoles: string[];
  ip: string | null;
  userAgent: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  scopePath: string;
  outcome: string;
  statusCode: number;
  detail: unknown;
}

/** JSON with object keys sorted at every depth: the same value always gives the same text. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}

export function entryHash(prevHash: string, f: AuditFields): string {
  // Exactly the audited fields, whatever else the object carries (a stored row has its hashes too).
  const body = canonicalJson({
    seq: f.seq,
    id: f.id,
    occurredAt: f.occurredAt.toISOString(),
    actorId: f.actorId,
    actorName: f.actorName,
    actorRoles: f.actorRoles,
    ip: f.ip,
    userAgent: f.userAgent,
    action: f.action,
    targetType: f.targetType,
    targetId: f.targetId,
    scopePath: f.scopePath,
    outcome: f.outcome,
    statusCode: f.statusCode,
    detail: f.detail,
  });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

export interface ChainRow extends AuditFields {
  prevHash: string;
  hash: string;
}

export type ChainBreak = { seq: number; reason: 'gap' | 'prev-hash' | 'hash' };

/** Checks rows given in seq order, continuing from `prevSeq`/`prevHash`. Returns the first break. */
export function verifyRows(
  rows: readonly ChainRow[],
  prev: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH },
): { ok: true; last: { seq: number; hash: string } } | { ok: false; break: ChainBreak } {
  let last = prev;
  for (const r of rows) {
    if (r.seq !== last.seq + 1) return { ok: false, break: { seq: r.seq, reason: 'gap' } };
    if (r.prevHash !== last.hash) return { ok: false, break: { seq: r.seq, reason: 'prev-hash' } };
    if (entryHash(r.prevHash, r) !== r.hash) return { ok: false, break: { seq: r.seq, reason: 'hash' } };
    last = { seq: r.seq, hash: r.hash };
  }
  return { ok: true, last };
}
