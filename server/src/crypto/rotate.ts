// Key rotation for personal data at rest: after JIAYUAN_DATA_KEY changes (the old key moved to
// JIAYUAN_DATA_KEY_PREVIOUS), every blob made under an old key is re-encrypted under the current
// one and every blind index recomputed (both subkeys derive from the master key), so that the
// previous keys can then be dropped.
//
// The job walks each table holding personal data in primary-key order (keyset pagination), a batch
// at a time. It decrypts every blob of the batch; a row is rewritten when a blob is not under the
// current key or an index is not the current key's index of the plaintext. The batch is written by
// one UPDATE (its own transaction) that only touches rows whose blobs (and the other columns an
// index depends on) still hold what was read: a row a user changed in between is not overwritten
// with stale data but read again and redone. So the job is
//   - safe beside live writes (the server keeps running with the new keys and previous keys loaded;
//     lookups match every loaded key's index meanwhile: `blindIndexes`),
//   - restartable: killed at any point, each batch was written whole or not at all, and a new run
//     finds what is left (a blob is always decrypted first, so nothing is ever encrypted twice),
//   - idempotent: a run after a complete one rewrites nothing.
// Masked copies (`*_masked`) do not depend on the key and are left alone; so is `updated_at`: a
// rotation is not a change of the person's data.
//
// This is the one place outside the modules that writes their personal-data columns; the table list
// below is checked against the database's bytea columns by test/integration/key-rotation.test.ts.
import type pg from 'pg';
import type { Db } from '../db/pool.js';
import { appendAudit } from '../modules/audit/service.js';
import { documentIndex, phoneIndex } from '../modules/registry/service.js';
import { blindIndex, decrypt, encrypt, needsReencrypt, type DataKeys } from './personal-data.js';

/** One encrypted column, and the blind index kept beside it. */
export interface RotationColumn {
  /** The bytea column holding the blob. */
  enc: string;
  /** The context the blob is bound to (as the module encrypts it). */
  context: string;
  /** The blind-index column and how the module computes it from the plaintext (and the row's `extra` columns). */
  index?: { column: string; compute: (keys: DataKeys, plaintext: string, row: Record<string, string | null>) => string };
}

export interface RotationTable {
  table: string;
  /** Primary-key columns in the key's order, with their SQL types. */
  key: { column: string; type: string }[];
  /** Other text columns an index depends on: read with the blobs, and required unchanged when writing. */
  extra?: string[];
  columns: RotationColumn[];
}

/** A phone's index as every module writes it: the plaintext is stored normalised. */
const phoneHash = (keys: DataKeys, plaintext: string) => blindIndex(keys, 'phone', plaintext);

/** Every table holding personal data encrypted by crypto/personal-data.ts. */
export const PERSONAL_DATA_TABLES: readonly RotationTable[] = [
  {
    // registry/service.ts protectedFields, registry/ledger.ts, demo/register.ts
    table: 'residents',
    key: [
      { column: 'community_id', type: 'uuid' },
      { column: 'id', type: 'uuid' },
    ],
    extra: ['id_type'],
    columns: [
      {
        enc: 'id_number_enc',
        context: 'resident.id_number',
        index: { column: 'id_number_index', compute: (keys, v, row) => documentIndex(keys, row.id_type!, v) },
      },
      { enc: 'phone_enc', context: 'resident.phone', index: { column: 'phone_index', compute: (keys, v) => phoneIndex(keys, v) } },
    ],
  },
  {
    // accounts/service.ts phoneColumns
    table: 'users',
    key: [{ column: 'id', type: 'uuid' }],
    columns: [{ enc: 'phone_enc', context: 'users.phone', index: { column: 'phone_hash', compute: phoneHash } }],
  },
  {
    // grid/service.ts (reports), demo/grid.ts
    table: 'grid_events',
    key: [
      { column: 'community_id', type: 'uuid' },
      { column: 'id', type: 'uuid' },
    ],
    columns: [
      { enc: 'reporter_phone_enc', context: 'grid_events.reporter_phone', index: { column: 'reporter_phone_hash', compute: phoneHash } },
    ],
  },
  {
    // notifications/service.ts queueSms
    table: 'sms_outbox',
    key: [
      { column: 'community_id', type: 'uuid' },
      { column: 'id', type: 'uuid' },
    ],
    columns: [{ enc: 'phone_enc', context: 'sms_outbox.phone', index: { column: 'phone_hash', compute: phoneHash } }],
  },
];

export interface TableReport {
  table: string;
  /** Rows read (those holding at least one blob). */
  scanned: number;
  /** Rows rewritten: a blob re-encrypted under the current key and/or an index recomputed. */
  rewritten: number;
  /** Rows a writer changed between the job's read and its write: read again and redone, never overwritten. */
  changedMeanwhile: number;
  /** Rows left as they were because writers kept changing them; a later run picks them up. */
  skipped: number;
  /** Rows whose new index is already held by another row (a unique constraint): left as they were. */
  conflicts: number;
  /** Rows that could not be decrypted (key not loaded, or the blob was altered): left as they were. */
  unreadable: number;
}

export interface RotationReport {
  keyId: string;
  previousKeyIds: readonly string[];
  tables: TableReport[];
  /** Rows rewritten in all tables. */
  rewritten: number;
  /** Whether every table was walked to its end (false when stopped by `maxBatches`). */
  complete: boolean;
  /** Complete, and nothing skipped, conflicting or unreadable: the previous keys are no longer needed. */
  done: boolean;
  /** The first few problems (table, row key, reason); never a value. */
  problems: string[];
  ms: number;
}

export interface RotationOptions {
  /** Rows read and written per batch (one UPDATE, one transaction); default 1000. */
  batchSize?: number;
  /** Stop after this many batches in all (a partial run, e.g. to spread the work); default: no limit. */
  maxBatches?: number;
  /** Only these tables (names in PERSONAL_DATA_TABLES); default all. */
  tables?: readonly string[];
  /** Called after each batch. */
  onProgress?: (table: TableReport) => void;
  /**
   * Called between reading a batch and writing it, with the keys of the rows about to be rewritten
   * (tests use it to change a row meanwhile).
   */
  beforeWrite?: (table: string, keys: string[][]) => Promise<void>;
  /** Write an audit entry for the run (actor: system); default true. */
  audit?: boolean;
  /** Recorded in the audit entry (e.g. the CLI's name). */
  userAgent?: string | null;
}

/** One fixed number: one rotation at a time across all nodes and terminals. */
const ROTATION_LOCK = 7_100_2015;
/** Times a row changed by writers is read and redone within one batch before it is left for a later run. */
const MAX_RETRIES = 5;
const MAX_PROBLEMS = 20;

type Row = Record<string, unknown>;

const q = (ident: string) => `"${ident.replace(/"/g, '""')}"`;

/** What to write for one row, or why not. */
type Plan =
  | { kind: 'current' }
  | { kind: 'unreadable'; reason: string }
  | { kind: 'rewrite'; key: string[]; guard: (Buffer | string | null)[]; values: (Buffer | string | null)[] };

function planRow(keys: DataKeys, spec: RotationTable, row: Row): Plan {
  const extra = Object.fromEntries((spec.extra ?? []).map((c) => [c, (row[c] as string | null) ?? null]));
  const values: (Buffer | string | null)[] = [];
  let stale = false;
  for (const col of spec.columns) {
    const blob = row[col.enc] as Buffer | null;
    const index = col.index ? ((row[col.index.column] as string | null) ?? null) : null;
    if (blob === null) {
      values.push(null);
      if (col.index) values.push(index); // no value: nothing to index (left as it is)
      continue;
    }
    let plaintext: string;
    let reencrypt: boolean;
    try {
      reencrypt = needsReencrypt(keys, blob);
      plaintext = decrypt(keys, blob, col.context);
    } catch (e) {
      return { kind: 'unreadable', reason: `${col.enc}: ${(e as Error).message}` };
    }
    const next = reencrypt ? encrypt(keys, plaintext, col.context) : blob;
    values.push(next);
    stale ||= reencrypt;
    if (col.index) {
      const wanted = col.index.compute(keys, plaintext, extra);
      values.push(wanted);
      stale ||= wanted !== index;
    }
  }
  if (!stale) return { kind: 'current' };
  return {
    kind: 'rewrite',
    key: spec.key.map((k) => String(row[k.column])),
    guard: [...spec.columns.map((c) => (row[c.enc] as Buffer | null) ?? null), ...(spec.extra ?? []).map((c) => extra[c] ?? null)],
    values,
  };
}

/** The SQL of a table's statements, built once from its description. */
function statements(spec: RotationTable) {
  const keyCols = spec.key.map((k) => q(k.column));
  const readCols = [
    ...spec.key.map((k) => `${q(k.column)}::text as ${q(k.column)}`),
    ...spec.columns.flatMap((c) => (c.index ? [q(c.enc), q(c.index.column)] : [q(c.enc)])),
    ...(spec.extra ?? []).map(q),
  ].join(', ');
  const anyBlob = spec.columns.map((c) => `${q(c.enc)} is not null`).join(' or ');
  const n = spec.key.length;
  const after = spec.key.map((k, i) => `$${i + 1}::${k.type}`).join(', ');
  const first = `select ${readCols} from ${q(spec.table)} where (${anyBlob}) order by ${keyCols.join(', ')} limit $1`;
  const next = `select ${readCols} from ${q(spec.table)} where (${anyBlob}) and (${keyCols.join(', ')}) > (${after})
                 order by ${keyCols.join(', ')} limit $${n + 1}`;
  const byKeys = `select ${readCols} from ${q(spec.table)} where (${keyCols.join(', ')}) in
                    (select * from unnest(${spec.key.map((k, i) => `$${i + 1}::${k.type}[]`).join(', ')}))`;

  // update … from unnest(key columns, guard columns, new values): one array parameter per column.
  const guardCols = [...spec.columns.map((c) => c.enc), ...(spec.extra ?? [])];
  const valueCols = spec.columns.flatMap((c) => (c.index ? [c.enc, c.index.column] : [c.enc]));
  const types = [
    ...spec.key.map((k) => k.type),
    ...spec.columns.map(() => 'bytea'),
    ...(spec.extra ?? []).map(() => 'text'),
    ...spec.columns.flatMap((c) => (c.index ? ['bytea', 'text'] : ['bytea'])),
  ];
  const alias = [...spec.key.map((_, i) => `k${i}`), ...guardCols.map((_, i) => `g${i}`), ...valueCols.map((_, i) => `v${i}`)];
  const update = `update ${q(spec.table)} as r set ${valueCols.map((c, i) => `${q(c)} = t.v${i}`).join(', ')}
    from unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')}) as t(${alias.join(', ')})
    where ${spec.key.map((k, i) => `r.${q(k.column)} = t.k${i}`).join(' and ')}
      and ${guardCols.map((c, i) => `r.${q(c)} is not distinct from t.g${i}`).join(' and ')}
    returning ${spec.key.map((k) => `r.${q(k.column)}::text`).join(` || ',' || `)} as key`;
  return { first, next, byKeys, update };
}

type Rewrite = Extract<Plan, { kind: 'rewrite' }>;

/** Writes the rewrites (one statement); returns the keys (joined by ',') of the rows written. */
async function write(pool: pg.Pool, sqlUpdate: string, spec: RotationTable, plans: Rewrite[]): Promise<Set<string>> {
  const columns: unknown[][] = [];
  spec.key.forEach((_, i) => columns.push(plans.map((p) => p.key[i])));
  const guards = spec.columns.length + (spec.extra?.length ?? 0);
  for (let i = 0; i < guards; i++) columns.push(plans.map((p) => p.guard[i]));
  const nValues = plans[0]!.values.length;
  for (let i = 0; i < nValues; i++) columns.push(plans.map((p) => p.values[i]));
  const r = await pool.query<{ key: string }>(sqlUpdate, columns);
  return new Set(r.rows.map((x) => x.key));
}

const UNIQUE_VIOLATION = '23505';

async function rotateTable(
  pool: pg.Pool,
  keys: DataKeys,
  spec: RotationTable,
  opts: RotationOptions,
  budget: { batches: number },
  problems: string[],
): Promise<{ report: TableReport; complete: boolean }> {
  const report: TableReport = { table: spec.table, scanned: 0, rewritten: 0, changedMeanwhile: 0, skipped: 0, conflicts: 0, unreadable: 0 };
  const sqls = statements(spec);
  const batchSize = opts.batchSize ?? 1000;
  const problem = (key: string[], reason: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(`${spec.table} (${key.join(', ')}): ${reason}`);
  };
  const keyOf = (row: Row) => spec.key.map((k) => String(row[k.column]));

  /** Plans the rows; the ones to rewrite come back, the others are counted. */
  const plan = (rows: Row[]): Rewrite[] => {
    const out: Rewrite[] = [];
    for (const row of rows) {
      const p = planRow(keys, spec, row);
      if (p.kind === 'rewrite') out.push(p);
      else if (p.kind === 'unreadable') {
        report.unreadable++;
        problem(keyOf(row), p.reason);
      }
    }
    return out;
  };

  /**
   * Writes the batch in one statement; when a unique constraint refuses it (a row's new index is
   * another row's: a duplicate that slipped in), row by row, leaving the conflicting rows as they are.
   * Returns the keys written and the keys in conflict.
   */
  const writeAll = async (plans: Rewrite[]): Promise<{ written: Set<string>; conflicting: Set<string> }> => {
    const conflicting = new Set<string>();
    try {
      return { written: await write(pool, sqls.update, spec, plans), conflicting };
    } catch (e) {
      if ((e as { code?: string }).code !== UNIQUE_VIOLATION) throw e;
    }
    const written = new Set<string>();
    for (const p of plans) {
      try {
        for (const k of await write(pool, sqls.update, spec, [p])) written.add(k);
      } catch (e) {
        if ((e as { code?: string }).code !== UNIQUE_VIOLATION) throw e;
        conflicting.add(p.key.join(','));
        report.conflicts++;
        problem(p.key, 'its new blind index is already held by another row (a duplicate); left under the previous key');
      }
    }
    return { written, conflicting };
  };

  let after: string[] | null = null;
  for (;;) {
    if (opts.maxBatches !== undefined && budget.batches >= opts.maxBatches) return { report, complete: false };
    const rows: Row[] = (after ? await pool.query<Row>(sqls.next, [...after, batchSize]) : await pool.query<Row>(sqls.first, [batchSize]))
      .rows;
    if (rows.length === 0) return { report, complete: true };
    budget.batches++;
    report.scanned += rows.length;
    after = keyOf(rows[rows.length - 1]!);

    let pending = plan(rows);
    if (pending.length)
      await opts.beforeWrite?.(
        spec.table,
        pending.map((p) => p.key),
      );
    for (let attempt = 0; pending.length > 0; attempt++) {
      const { written, conflicting } = await writeAll(pending);
      report.rewritten += written.size;
      const missed = pending.filter((p) => !written.has(p.key.join(',')) && !conflicting.has(p.key.join(',')));
      if (missed.length === 0) break;
      // Changed (or removed) by a writer since it was read: read it again and redo it.
      if (attempt === 0) report.changedMeanwhile += missed.length;
      if (attempt === MAX_RETRIES) {
        report.skipped += missed.length;
        for (const p of missed) problem(p.key, 'kept changing while the job ran; run the job again');
        break;
      }
      const again = await pool.query<Row>(
        sqls.byKeys,
        spec.key.map((_, i) => missed.map((p) => p.key[i])),
      );
      pending = plan(again.rows);
    }
    opts.onProgress?.(report);
  }
}

/**
 * Re-encrypts every blob not under the current key and recomputes every stale blind index, table by
 * table, in batches (see the top of this file). Returns counts per table; throws if another rotation
 * is running or the database fails (what was written stays written: run it again).
 */
export async function rotateDataKeys(db: Db, keys: DataKeys, opts: RotationOptions = {}): Promise<RotationReport> {
  const started = Date.now();
  const specs = PERSONAL_DATA_TABLES.filter((t) => !opts.tables || opts.tables.includes(t.table));
  const pool = db.$client;
  const lock = await pool.connect();
  const problems: string[] = [];
  const tables: TableReport[] = [];
  let complete = true;
  let failure: unknown = null;
  try {
    const { rows } = await lock.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [ROTATION_LOCK]);
    if (!rows[0]!.ok) throw new Error('another key rotation is running on this database');
    try {
      const budget = { batches: 0 };
      for (const spec of specs) {
        const r = await rotateTable(pool, keys, spec, opts, budget, problems);
        tables.push(r.report);
        if (!r.complete) {
          complete = false;
          break;
        }
      }
    } catch (e) {
      failure = e;
    } finally {
      await lock.query('select pg_advisory_unlock($1)', [ROTATION_LOCK]).catch(() => {}); // gone with the session anyway
    }
  } finally {
    lock.release();
  }
  const report: RotationReport = {
    keyId: keys.keyId,
    previousKeyIds: keys.previousKeyIds,
    tables,
    rewritten: tables.reduce((n, t) => n + t.rewritten, 0),
    complete: complete && !failure,
    done: complete && !failure && tables.every((t) => t.skipped + t.conflicts + t.unreadable === 0),
    problems,
    ms: Date.now() - started,
  };
  if (opts.audit !== false) {
    await appendAudit(db, {
      caller: null,
      ip: null,
      userAgent: opts.userAgent ?? null,
      action: 'personal-data.rotate-keys',
      targetType: 'data-key',
      targetId: keys.keyId,
      scopePath: '/',
      outcome: failure ? 'error' : 'success',
      statusCode: failure ? 500 : 200,
      detail: {
        actor: 'system',
        keyId: report.keyId,
        previousKeyIds: report.previousKeyIds,
        complete: report.complete,
        done: report.done,
        rewritten: report.rewritten,
        tables: Object.fromEntries(tables.map(({ table, ...counts }) => [table, counts])),
        ...(failure ? { error: String((failure as Error).message ?? failure) } : {}),
      },
    }).catch((e: unknown) => {
      if (!failure) throw e;
    });
  }
  if (failure) throw failure;
  return report;
}
