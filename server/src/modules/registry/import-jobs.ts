// Ledger imports as jobs with progress (issue 3: a progress view for large files). The rows are
// read and the job recorded before the answer; the import then runs in the background of this
// node, writing its progress (a heartbeat) as it goes. The import itself is one transaction, so a
// job whose node stopped wrote nothing: it shows as interrupted once its heartbeat is a minute old.
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/pool.js';
import { uuidv7 } from '../../db/ids.js';
import type { Ctx } from '../../http/context.js';
import { problems } from '../../http/errors.js';
import { pathOfPlace, placeOf } from '../regions/service.js';
import type { ImportMode, ImportReport, SheetRow } from './ledger.js';
import { importJobs } from './schema.js';

export type Progress = (processed: number) => void;
export type ImportRun = (ctx: Ctx, regionId: string, rows: SheetRow[], mode: ImportMode, progress?: Progress) => Promise<ImportReport>;

const STALE_SECONDS = 60;

export async function startImportJob(ctx: Ctx, kind: string, run: ImportRun, regionId: string, rows: SheetRow[], mode: ImportMode) {
  const place = await placeOf(ctx.db, regionId);
  if (!place || place.gridId) throw problems.field('query.regionId', '应为社区');
  const id = uuidv7();
  await ctx.db
    .insert(importJobs)
    .values({ communityId: place.communityId, id, kind, mode, status: 'running', total: rows.length, createdBy: ctx.caller.userId });
  let last = 0;
  let pending: Promise<unknown> = Promise.resolve();
  const progress: Progress = (n) => {
    const now = Date.now();
    if (now - last < 250) return;
    last = now;
    pending = pending.then(() =>
      ctx.db
        .update(importJobs)
        .set({ processed: n, updatedAt: sql`now()` })
        .where(and(eq(importJobs.communityId, place.communityId), eq(importJobs.id, id)))
        .catch(() => {}),
    );
  };
  const finish = async (set: Partial<typeof importJobs.$inferInsert>) => {
    await pending;
    await ctx.db
      .update(importJobs)
      .set({ ...set, updatedAt: sql`now()`, finishedAt: sql`now()` })
      .where(and(eq(importJobs.communityId, place.communityId), eq(importJobs.id, id)));
  };
  setImmediate(() => {
    run(ctx, regionId, rows, mode, progress)
      .then((report) =>
        finish({
          status: 'done',
          processed: rows.length,
          report: report.errors.length > 1000 ? { ...report, errors: report.errors.slice(0, 1000) } : report,
        }),
      )
      .catch((e: unknown) => finish({ status: 'failed', error: e instanceof Error ? e.message.slice(0, 500) : String(e) }))
      .catch(() => {});
  });
  return { jobId: id, total: rows.length };
}

export async function importJob(db: Db, id: string) {
  const [j] = await db
    .select({ job: importJobs, stale: sql<boolean>`${importJobs.updatedAt} < now() - make_interval(secs => ${STALE_SECONDS})` })
    .from(importJobs)
    .where(eq(importJobs.id, id));
  if (!j) throw problems.notFound('导入任务');
  const status = j.job.status === 'running' && j.stale ? 'interrupted' : j.job.status;
  return {
    id: j.job.id,
    kind: j.job.kind,
    mode: j.job.mode,
    status: status as 'running' | 'done' | 'failed' | 'interrupted',
    total: j.job.total,
    processed: j.job.processed,
    report: (j.job.report as ImportReport | null) ?? null,
    error: j.job.error,
    createdAt: j.job.createdAt.toISOString(),
    finishedAt: j.job.finishedAt?.toISOString() ?? null,
  };
}

export async function importJobPath(db: Db, id: string): Promise<string | null> {
  const [j] = await db.select({ communityId: importJobs.communityId }).from(importJobs).where(eq(importJobs.id, id));
  return j ? pathOfPlace(db, j.communityId, null) : null;
}
