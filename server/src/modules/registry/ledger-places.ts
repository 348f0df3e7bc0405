// Ledgers of buildings and rooms (房屋台账): template and import. Buildings are created as rows name
// them; a room already registered (same standard address) is left unchanged, so re-importing a file
// changes nothing. Same row checks and commit modes as the resident ledger (ledger.ts).
import { sql } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import type { Executor } from '../../db/pool.js';
import { uuidv7 } from '../../db/ids.js';
import { transaction } from '../../db/notified-worker.js';
import type { Ctx } from '../../http/context.js';
import { problems } from '../../http/errors.js';
import { appendAudit } from '../audit/service.js';
import { emit } from '../events/service.js';
import { placeOf, regionNames } from '../regions/service.js';
import type { Column, ImportMode, ImportReport, RowProblem, SheetRow } from './ledger.js';
import { buildings, rooms, units } from './schema.js';
import { standardAddress } from './service.js';

const USES: Record<string, string> = {
  住宅: 'residential',
  商业: 'commercial',
  办公: 'office',
  仓储: 'storage',
  车位: 'parking',
  其他: 'other',
};

export const ROOM_COLUMNS: Column[] = [
  { key: 'compound', header: '小区', width: 14 },
  { key: 'road', header: '道路门牌', width: 16, note: '如 滨河路18号' },
  { key: 'building', header: '楼栋号', required: true, width: 8, note: '如 3（表示 3栋）' },
  { key: 'unit', header: '单元', width: 6 },
  { key: 'floor', header: '楼层', width: 6 },
  { key: 'room', header: '房号', required: true, width: 8 },
  { key: 'area', header: '建筑面积', width: 10, note: '平方米' },
  { key: 'use', header: '用途', width: 8, list: Object.keys(USES) },
  { key: 'grid', header: '所属网格', width: 14, note: '网格名称，如 柳岸第一网格；空白表示未划入网格' },
];

const header = (key: string) => ROOM_COLUMNS.find((c) => c.key === key)?.header ?? key;
const plateCode = () => randomBytes(9).toString('base64url');

export async function importRooms(
  ctx: Ctx,
  regionId: string,
  rows: SheetRow[],
  mode: ImportMode,
  progress?: (n: number) => void,
): Promise<ImportReport> {
  const place = await placeOf(ctx.db, regionId);
  if (!place || place.gridId) throw problems.field('query.regionId', '应为社区');
  const communityId = place.communityId;
  const ids = place.path.split('/').filter(Boolean);
  const names = await regionNames(ctx.db, ids);
  const fullNames = ids.map((id) => names.get(id)!.name);
  const { rows: gridRows } = await ctx.db.execute<{ id: string; name: string }>(
    sql`select id, name from regions where parent_id = ${communityId}`,
  );
  const gridByName = new Map(gridRows.map((g) => [g.name, g.id]));

  const existingBuildings = await ctx.db
    .select()
    .from(buildings)
    .where(sql`${buildings.communityId} = ${communityId}`);
  const buildingByKey = new Map(existingBuildings.map((b) => [`${b.compound}|${b.number}`, b]));
  const existingUnits = await ctx.db
    .select()
    .from(units)
    .where(sql`${units.communityId} = ${communityId}`);
  const unitByKey = new Map(existingUnits.map((u) => [`${u.buildingId}|${u.number}`, u.id]));
  const { rows: addressRows } = await ctx.db.execute<{ address: string }>(
    sql`select address from rooms where community_id = ${communityId}`,
  );
  const existingAddresses = new Set(addressRows.map((r) => r.address));

  const errors: RowProblem[] = [];
  const seen = new Map<string, number>();
  const newBuildings: (typeof buildings.$inferInsert)[] = [];
  const newUnits: (typeof units.$inferInsert)[] = [];
  const newRooms: (typeof rooms.$inferInsert)[] = [];
  let unchanged = 0;
  let invalid = 0;

  for (const [i, { row, values: v }] of rows.entries()) {
    if (i % 500 === 0) progress?.(i);
    const here: RowProblem[] = [];
    const bad = (key: string, message: string) => here.push({ row, column: header(key), message });
    if (!v.building) bad('building', '楼栋号不能为空');
    if (!v.room) bad('room', '房号不能为空');
    if ((v.building ?? '').length > 20) bad('building', '楼栋号不能超过 20 个字符');
    if ((v.room ?? '').length > 20) bad('room', '房号不能超过 20 个字符');
    const floor = v.floor ? Number(v.floor) : null;
    if (floor !== null && !(Number.isInteger(floor) && floor >= -10 && floor <= 200)) bad('floor', '楼层应为 -10 到 200 的整数');
    const area = v.area ? Number(v.area) : null;
    if (area !== null && !(area > 0 && area <= 100000)) bad('area', '建筑面积应为大于 0 的数');
    const use = v.use ? USES[v.use] : 'residential';
    if (!use) bad('use', `用途应为：${Object.keys(USES).join('、')}`);
    const gridId = v.grid ? gridByName.get(v.grid) : null;
    if (v.grid && !gridId) bad('grid', `本社区没有网格“${v.grid}”`);
    if (here.length) {
      errors.push(...here);
      invalid++;
      continue;
    }
    const compound = v.compound ?? '';
    const road = v.road ?? '';
    const address = standardAddress(fullNames, { road, compound, number: v.building! }, v.unit || null, v.room!);
    const first = seen.get(address);
    if (first !== undefined) {
      errors.push({ row, column: header('room'), message: `与第 ${first} 行是同一房屋` });
      invalid++;
      continue;
    }
    seen.set(address, row);
    if (existingAddresses.has(address)) {
      unchanged++;
      continue;
    }
    let b = buildingByKey.get(`${compound}|${v.building}`);
    if (!b) {
      const nb = {
        communityId,
        id: uuidv7(),
        gridId: gridId ?? null,
        compound,
        road,
        number: v.building!,
        use: 'residential',
        plateCode: plateCode(),
      };
      newBuildings.push(nb);
      b = { ...nb, floors: null, builtYear: null, lng: null, lat: null, createdAt: new Date(), updatedAt: new Date() };
      buildingByKey.set(`${compound}|${v.building}`, b);
    }
    let unitId: string | null = null;
    if (v.unit) {
      unitId = unitByKey.get(`${b.id}|${v.unit}`) ?? null;
      if (!unitId) {
        unitId = uuidv7();
        newUnits.push({ communityId, id: unitId, buildingId: b.id, number: v.unit });
        unitByKey.set(`${b.id}|${v.unit}`, unitId);
      }
    }
    newRooms.push({
      communityId,
      id: uuidv7(),
      buildingId: b.id,
      unitId,
      floor,
      number: v.room!,
      area,
      use: use!,
      address,
      plateCode: plateCode(),
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
    for (let i = 0; i < newBuildings.length; i += 500) await tx.insert(buildings).values(newBuildings.slice(i, i + 500));
    for (let i = 0; i < newUnits.length; i += 1000) await tx.insert(units).values(newUnits.slice(i, i + 1000));
    for (let i = 0; i < newRooms.length; i += 1000) await tx.insert(rooms).values(newRooms.slice(i, i + 1000));
    await emit(tx, 'registry.imported', { kind: 'rooms', buildings: newBuildings.length, rooms: newRooms.length }, communityId);
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
      detail: { kind: 'rooms', mode, total: rows.length, buildings: newBuildings.length, inserted: newRooms.length, unchanged, invalid },
    });
  });
  ctx.markAudited();
  return { ...report, inserted: newRooms.length, committed: true };
}
