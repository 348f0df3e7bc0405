// The organisations ledger (组织台账): template and import; an organisation already registered under
// the same name is left unchanged, so re-importing a file changes nothing.
import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/pool.js';
import { uuidv7 } from '../../db/ids.js';
import { transaction } from '../../db/notified-worker.js';
import type { Ctx } from '../../http/context.js';
import { problems } from '../../http/errors.js';
import { appendAudit } from '../audit/service.js';
import { emit } from '../events/service.js';
import { placeOf } from '../regions/service.js';
import type { Column, ImportMode, ImportReport, RowProblem, SheetRow } from '../registry/ledger.js';
import { phoneProblem } from '../registry/model.js';
import { creditCodeProblem, ORGANISATION_KINDS, type OrganisationKind } from './model.js';
import { organisations } from './schema.js';
import { insertMany } from './store.js';

const KIND_BY_LABEL = new Map<string, OrganisationKind>(
  (Object.keys(ORGANISATION_KINDS) as OrganisationKind[]).map((k) => [ORGANISATION_KINDS[k], k]),
);

export const ORGANISATION_COLUMNS: Column[] = [
  { key: 'kind', header: '组织类型', required: true, width: 14, list: Object.values(ORGANISATION_KINDS) },
  { key: 'name', header: '名称', required: true, width: 28 },
  { key: 'creditCode', header: '统一社会信用代码', width: 22 },
  { key: 'contactName', header: '联系人', width: 10 },
  { key: 'contactPhone', header: '联系电话', width: 15 },
  { key: 'address', header: '地址', width: 24 },
  { key: 'establishedOn', header: '成立日期', width: 12, note: 'YYYY-MM-DD' },
  { key: 'note', header: '备注', width: 20 },
];
const header = (key: string) => ORGANISATION_COLUMNS.find((c) => c.key === key)?.header ?? key;

export async function importOrganisations(
  ctx: Ctx,
  regionId: string,
  rows: SheetRow[],
  mode: ImportMode,
  progress?: (n: number) => void,
): Promise<ImportReport> {
  const place = await placeOf(ctx.db, regionId);
  if (!place || place.gridId) throw problems.field('query.regionId', '应为社区');
  const communityId = place.communityId;
  const { rows: existing } = await ctx.db.execute<{ name: string }>(
    sql`select name from organisations where community_id = ${communityId}`,
  );
  const names = new Set(existing.map((r) => r.name));
  const errors: RowProblem[] = [];
  const seen = new Map<string, number>();
  const toInsert: (typeof organisations.$inferInsert)[] = [];
  let unchanged = 0;
  let invalid = 0;
  for (const [i, { row, values: v }] of rows.entries()) {
    if (i % 500 === 0) progress?.(i);
    const here: RowProblem[] = [];
    const bad = (key: string, message: string) => here.push({ row, column: header(key), message });
    const kind = v.kind ? KIND_BY_LABEL.get(v.kind) : undefined;
    if (!kind) bad('kind', `组织类型应为：${Object.values(ORGANISATION_KINDS).join('、')}`);
    if (!v.name) bad('name', '名称不能为空');
    else if (v.name.length > 80) bad('name', '名称不能超过 80 个字符');
    if (v.creditCode) {
      const p = creditCodeProblem(v.creditCode);
      if (p) bad('creditCode', p);
    }
    if (v.contactPhone) {
      const p = phoneProblem(v.contactPhone);
      if (p) bad('contactPhone', p);
    }
    if (v.establishedOn && !/^\d{4}-\d{2}-\d{2}$/.test(v.establishedOn)) bad('establishedOn', '成立日期格式应为 YYYY-MM-DD');
    if (here.length) {
      errors.push(...here);
      invalid++;
      continue;
    }
    const first = seen.get(v.name!);
    if (first !== undefined) {
      errors.push({ row, column: header('name'), message: `与第 ${first} 行名称重复` });
      invalid++;
      continue;
    }
    seen.set(v.name!, row);
    if (names.has(v.name!)) {
      unchanged++;
      continue;
    }
    toInsert.push({
      communityId,
      id: uuidv7(),
      kind: kind!,
      name: v.name!,
      creditCode: v.creditCode ? v.creditCode.trim().toUpperCase() : null,
      contactName: v.contactName || null,
      contactPhone: v.contactPhone || null,
      address: v.address || null,
      establishedOn: v.establishedOn || null,
      note: v.note || null,
    });
  }
  const report: ImportReport = {
    total: rows.length,
    valid: rows.length - invalid,
    inserted: 0,
    unchanged,
    invalid,
    committed: false,
    errors,
  };
  if (mode === 'validate' || (mode === 'commit' && errors.length > 0)) return report;
  await transaction(ctx.db, async (tx: Executor) => {
    await insertMany(tx, toInsert, []);
    await emit(tx, 'registry.imported', { kind: 'organisations', inserted: toInsert.length }, communityId);
    await appendAudit(tx, {
      caller: ctx.caller,
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      action: ctx.action,
      targetType: 'community',
      targetId: communityId,
      scopePath: place.path,
      outcome: 'success',
      statusCode: 200,
      detail: { kind: 'organisations', mode, total: rows.length, inserted: toInsert.length, unchanged, invalid },
    });
  });
  ctx.markAudited();
  return { ...report, inserted: toInsert.length, committed: true };
}
