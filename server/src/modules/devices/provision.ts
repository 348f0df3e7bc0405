// Provisioning devices (issue 7 §1): bulk registration from an xlsx ledger, each device's credentials
// (shown once, stored only as SHA-256), rotating them, disabling and enabling devices, and telling
// installers how devices connect. Imports check every row and commit nothing when one is bad (unless
// only the good rows are asked for); a serial number already registered in the community is skipped,
// so importing the same file again creates nothing.
import { createHash, randomBytes } from 'node:crypto';
import ExcelJS from 'exceljs';
import { sql } from 'drizzle-orm';
import type { DataKeys } from '../../crypto/personal-data.js';
import type { Executor } from '../../db/pool.js';
import type { Ctx } from '../../http/context.js';
import { problems } from '../../http/errors.js';
import { auditedChange } from '../audit/service.js';
import { dataScope, placeOf, regionBrief } from '../regions/service.js';
import { readSheet, template, type Column, type RowProblem, type SheetRow } from '../registry/ledger.js';
import { addressKey, placesByAddress, residentsByDocumentIndex } from '../registry/lookup.js';
import { idNumberProblem } from '../registry/model.js';
import { documentIndexes } from '../registry/service.js';
import {
  DEVICE_TYPE_KEYS,
  DEVICE_TYPES,
  mqttEndpoint,
  parseDeviceRow,
  PERSONAL_TYPES,
  TELEMETRY_TOPIC,
  type DeviceRowValues,
  type DeviceStatus,
} from './model.js';
import {
  announceDeviceAuthChange,
  deviceDetail,
  devicePath,
  forgetDeviceAuth,
  insertDevices,
  placeInScope,
  type PlacedDevice,
} from './service.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** A worksheet with bold headers, its columns and rows. */
function addSheet(
  wb: ExcelJS.Workbook,
  name: string,
  columns: { header: string; key: string; width: number }[],
  rows: Record<string, unknown>[],
): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = columns;
  ws.getRow(1).font = { bold: true };
  ws.addRows(rows);
  return ws;
}

// ---- how devices connect --------------------------------------------------------------------------

export interface ConnectionSettings {
  mqttUrl?: string | undefined;
  mqttPort: number;
}

/** MQTT broker, topic, HTTP address and a payload, as devices must use them (`origin`: where the platform is reached). */
export function connectionInfo(cfg: ConnectionSettings, origin: string) {
  const ep = mqttEndpoint(cfg.mqttUrl, cfg.mqttPort);
  const host = ep.host ?? new URL(origin).hostname;
  return {
    mqtt: {
      external: ep.external,
      protocol: ep.protocol,
      host,
      port: ep.port,
      url: `${ep.protocol}://${host}:${ep.port}`,
      username: '设备 ID',
      password: '设备密码（登记或重置密码时显示一次）',
      topic: TELEMETRY_TOPIC('{id}'),
      qos: 1,
      note: ep.external
        ? '平台订阅外部 MQTT 代理（MQTT_URL），由该代理认证设备：请在代理上为设备配置同样的用户名与密码'
        : '平台内置 MQTT 代理（JIAYUAN_MQTT_PORT）：以设备 ID 与密码连接，只能发布到本设备的主题；以 QoS 1 发布，收到 PUBACK 即已入库',
    },
    http: {
      method: 'POST',
      url: `${origin}/api/devices/{id}/telemetry`,
      auth: 'HTTP Basic：用户名为设备 ID，密码为设备密码',
      contentType: 'application/json',
    },
    payloadExample: { ts: new Date().toISOString(), values: { temperature: 23.5, humidity: 41, battery: 87 } },
  };
}
export type ConnectionInfo = ReturnType<typeof connectionInfo>;

// ---- the ledger -----------------------------------------------------------------------------------

type DeviceColumn = Column & { key: keyof DeviceRowValues };

export const DEVICE_COLUMNS: DeviceColumn[] = [
  {
    key: 'type',
    header: '设备类型',
    required: true,
    width: 18,
    list: DEVICE_TYPE_KEYS.map((k) => DEVICE_TYPES[k].label),
    note: '中文名称或类型代码，见“设备类型”工作表',
  },
  { key: 'name', header: '名称', required: true, width: 22, note: '最长 80 个字，如 3栋2单元楼道烟感' },
  {
    key: 'address',
    header: '楼栋或房屋地址',
    width: 40,
    note: '房屋写标准地址（可省略市、区、街道、社区名称），如 滨河路18号 柳岸花园 3栋 1单元 101室；楼栋写 小区+楼号，如 柳岸花园3栋；空白则登记在社区（如路灯、充电桩）',
  },
  { key: 'lng', header: '经度', width: 12, note: '-180 至 180；与纬度同时填写；空白时取楼栋坐标' },
  { key: 'lat', header: '纬度', width: 12, note: '-90 至 90' },
  { key: 'serialNumber', header: '序列号', required: true, width: 20, note: '社区内唯一；重复导入同一文件时，已登记的序列号跳过' },
  { key: 'manufacturerName', header: '厂商', width: 14 },
  { key: 'modelName', header: '型号', width: 14 },
  { key: 'shared', header: '共享车位', width: 10, list: ['是', '否'], note: '仅车位检测器：车位是否错时共享（计入共享车位率）' },
  {
    key: 'residentIdNumber',
    header: '服务对象身份证号',
    width: 22,
    note: '仅一键呼救按钮、跌倒检测器：所服务居民的居民身份证号（须已在本社区登记），其家人可在手机上看到告警',
  },
];
const headerOf = (key: keyof DeviceRowValues) => DEVICE_COLUMNS.find((c) => c.key === key)!.header;

let templateOnce: Promise<Buffer> | null = null;
/** The import template: the ledger sheet, its instructions, and the device types (made once: it never changes). */
export function deviceTemplate(): Promise<Buffer> {
  templateOnce ??= makeTemplate().catch((e: unknown) => {
    templateOnce = null;
    throw e;
  });
  return templateOnce;
}

async function makeTemplate(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await template(DEVICE_COLUMNS, '设备')) as unknown as ArrayBuffer);
  addSheet(
    wb,
    '设备类型',
    [
      { header: '设备类型', key: 'label', width: 28 },
      { header: '类型代码', key: 'key', width: 22 },
      { header: 'FIWARE 数据模型', key: 'fiware', width: 20 },
      { header: '专有列', key: 'extra', width: 30 },
    ],
    DEVICE_TYPE_KEYS.map((k) => ({
      label: DEVICE_TYPES[k].label,
      key: k,
      fiware: DEVICE_TYPES[k].fiware,
      extra: k === 'parking_sensor' ? headerOf('shared') : PERSONAL_TYPES.has(k) ? headerOf('residentIdNumber') : '',
    })),
  );
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export interface DeviceCredential {
  id: string;
  username: string;
  password: string;
  name: string;
  typeLabel: string;
  serialNumber: string | null;
  address: string | null;
  topic: string;
}

export interface DeviceImportReport {
  total: number;
  created: number;
  skipped: number;
  invalid: number;
  committed: boolean;
  errors: RowProblem[];
  /** Rows whose serial number is already registered in the community (已存在，跳过). */
  skippedRows: (RowProblem & { deviceId: string })[];
  /** The created devices' credentials: shown once, stored nowhere in plain text. */
  credentials: (DeviceCredential & { row: number })[];
}

/** Rows per file: the answer carries every created device's password. */
export const MAX_IMPORT_ROWS = 5000;
/** At most this many row problems are listed; `invalid` counts the rows. */
const MAX_LISTED = 1000;

/** Serial numbers registered in a community, to the device holding each. */
async function serialsOf(db: Executor, communityId: string, only?: string[]): Promise<Map<string, string>> {
  const r = await db.execute(sql`
    select id, attributes->>'serialNumber' as serial from devices
    where community_id = ${communityId} and attributes ? 'serialNumber'
      ${only ? sql`and attributes->>'serialNumber' = any(${sql.param(only)}::text[])` : sql``}`);
  return new Map((r.rows as { id: string; serial: string }[]).map((x) => [x.serial, x.id]));
}

/** Reads an uploaded ledger (the registry's reader: columns found by their headers). */
export async function readDeviceSheet(buf: Buffer): Promise<SheetRow[]> {
  const rows = await readSheet(buf, DEVICE_COLUMNS);
  if (rows.length > MAX_IMPORT_ROWS) throw problems.field('body', `每个文件最多 ${MAX_IMPORT_ROWS} 台设备，请分批导入`);
  return rows;
}

/**
 * Checks every row and, when all are good (or `onlyValid`), registers the good ones in one
 * transaction with an audit entry each. Rows whose serial number is registered already are skipped.
 */
export async function importDevices(
  ctx: Ctx,
  keys: DataKeys,
  communityId: string,
  rows: SheetRow[],
  onlyValid: boolean,
): Promise<DeviceImportReport> {
  const place = await placeOf(ctx.db, communityId);
  if (!place || place.gridId) throw problems.field('query.communityId', '应为社区');
  const community = (await regionBrief(ctx.db, communityId))!;
  const parsed = rows.map((r) => ({ at: r.row, ...parseDeviceRow(r.values) }));

  // What the rows name, looked up at once: addresses, people, serial numbers already registered.
  const keyOf = (address: string) => {
    const k = addressKey(address);
    // Region names are optional: keep what follows the community's name.
    const i = k.lastIndexOf(community.name);
    return i >= 0 ? k.slice(i + community.name.length) : k;
  };
  const addresses = [...new Set(parsed.flatMap((p) => (p.row?.address ? [keyOf(p.row.address)] : [])))];
  // Every key's index of a number (current first): a row may still carry a previous key's until rotated.
  const idIndexes = (n: string) => documentIndexes(keys, 'resident_id', n);
  const idNumbers = parsed.flatMap((p) =>
    p.row?.residentIdNumber && !idNumberProblem(p.row.residentIdNumber) ? [p.row.residentIdNumber] : [],
  );
  const [places, people, existing] = await Promise.all([
    placesByAddress(ctx.db, communityId, addresses),
    residentsByDocumentIndex(ctx.db, communityId, [...new Set(idNumbers.flatMap(idIndexes))]),
    serialsOf(ctx.db, communityId),
  ]);
  const gridPaths = new Map<string | null, string>([[null, place.path]]);
  for (const list of places.values())
    for (const p of list)
      if (p.gridId && !gridPaths.has(p.gridId)) gridPaths.set(p.gridId, (await regionBrief(ctx.db, p.gridId))?.path ?? place.path);

  const errors: RowProblem[] = [];
  const skippedRows: DeviceImportReport['skippedRows'] = [];
  const good: { at: number; device: PlacedDevice; serialNumber: string }[] = [];
  const seen = new Map<string, number>();
  let invalid = 0;
  for (const p of parsed) {
    const rowErrors: RowProblem[] = p.problems.map((x) => ({ row: p.at, column: headerOf(x.column), message: x.message }));
    const problem = (column: keyof DeviceRowValues, message: string) => rowErrors.push({ row: p.at, column: headerOf(column), message });
    const r = p.row;
    let device: PlacedDevice | null = null;
    if (r) {
      const first = seen.get(r.serialNumber);
      const already = existing.get(r.serialNumber);
      if (already) {
        skippedRows.push({ row: p.at, column: headerOf('serialNumber'), message: '已存在，跳过', deviceId: already });
        continue;
      }
      if (first !== undefined) problem('serialNumber', `与第 ${first} 行的序列号重复`);
      else seen.set(r.serialNumber, p.at);
      let where = { communityId, gridId: null as string | null, buildingId: null as string | null, roomId: null as string | null };
      let address: string | null = null;
      let lng = r.lng;
      let lat = r.lat;
      if (r.address) {
        const found = places.get(keyOf(r.address)) ?? [];
        if (found.length === 0) problem('address', '本社区未找到该楼栋或房屋');
        else if (found.length > 1) problem('address', `该地址对应 ${found.length} 处，请写明道路或小区`);
        else {
          const f = found[0]!;
          where = { communityId, gridId: f.gridId, buildingId: f.buildingId, roomId: f.roomId };
          address = f.address;
          if (lng === null) ({ lng, lat } = f);
        }
      }
      let residentId: string | null = null;
      if (r.residentIdNumber) {
        const why = idNumberProblem(r.residentIdNumber);
        const who = why
          ? undefined
          : idIndexes(r.residentIdNumber)
              .map((i) => people.get(i))
              .find((p) => p !== undefined);
        if (why) problem('residentIdNumber', why);
        else if (!who) problem('residentIdNumber', '本社区未登记该身份证号的居民');
        else residentId = who.id;
      }
      const path = gridPaths.get(where.gridId) ?? place.path;
      if (!placeInScope(ctx.caller, path)) problem('address', '安装位置不在您的管辖范围内');
      device = { ...where, path, address, lng, lat, type: r.type, name: r.name, attributes: r.attributes, residentId };
    }
    if (rowErrors.length) {
      invalid++;
      errors.push(...rowErrors);
    } else if (device && r) good.push({ at: p.at, device, serialNumber: r.serialNumber });
  }

  const report = (committed: boolean, credentials: DeviceImportReport['credentials']): DeviceImportReport => ({
    total: rows.length,
    created: credentials.length,
    skipped: skippedRows.length,
    invalid,
    committed,
    errors: errors.slice(0, MAX_LISTED),
    skippedRows: skippedRows.slice(0, MAX_LISTED),
    credentials,
  });
  if (invalid > 0 && !onlyValid) return report(false, []);

  const made = await insertDevices(
    ctx,
    good.map((g) => g.device),
    async (tx) => {
      // Two imports of the same file at once: the second waits, then finds the first one's devices.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'devices.import:' + communityId}))`);
      const now = await serialsOf(
        tx,
        communityId,
        good.map((g) => g.serialNumber),
      );
      if (now.size > 0) throw problems.conflict('另一次导入刚刚登记了相同序列号的设备，请重新导入本文件（已登记的将跳过）');
    },
  );
  return report(
    true,
    made.map((m, i) => ({
      row: good[i]!.at,
      ...credentialOf(m.id, m.password, m.device.name, m.device.type, good[i]!.serialNumber, m.device.address),
    })),
  );
}

function credentialOf(id: string, password: string, name: string, type: string, serialNumber: string | null, address: string | null) {
  return {
    id,
    username: id,
    password,
    name,
    typeLabel: DEVICE_TYPES[type as keyof typeof DEVICE_TYPES]?.label ?? type,
    serialNumber,
    address,
    topic: TELEMETRY_TOPIC(id),
  } satisfies DeviceCredential;
}

// ---- credentials ----------------------------------------------------------------------------------

/**
 * The credentials just shown, as a workbook to keep: the browser posts back what it was given; each
 * password is checked against the device's hash (so the sheet holds only working credentials) and
 * names and addresses come from the register. Nothing is stored.
 */
export async function credentialsWorkbook(ctx: Ctx, given: { username: string; password: string }[], connection: ConnectionInfo) {
  const ids = given.map((g) => g.username);
  const r = await ctx.db.execute(sql`
    select id, community_id, grid_id, type, name, address, secret_hash, attributes->>'serialNumber' as serial
    from devices where id = any(${sql.param(ids)}::uuid[])`);
  const byId = new Map((r.rows as Record<string, string | null>[]).map((d) => [d.id!, d]));
  const w = await dataScope(ctx.db, ctx.caller);
  const list = given.map((g, i) => {
    const d = byId.get(g.username);
    if (!d) throw problems.field(`body.credentials.${i}.username`, '设备不存在');
    if (!w.communityIds.includes(d.community_id!) || (w.gridIds && !w.gridIds.includes(d.grid_id ?? '')))
      throw problems.outOfScope('设备不在您的管辖范围内');
    if (sha256(g.password) !== d.secret_hash) throw problems.field(`body.credentials.${i}.password`, '密码与设备不符（可能已重置）');
    return credentialOf(d.id!, g.password, d.name!, d.type!, d.serial ?? null, d.address ?? null);
  });
  await auditedChange(
    ctx,
    {
      targetType: 'device',
      targetId: () => (ids.length === 1 ? ids[0]! : null),
      scopePath: () => ctx.caller.regionPath,
      detail: () => ({ devices: ids.length }),
    },
    async () => {},
  );
  const wb = new ExcelJS.Workbook();
  wb.creator = '家园 智慧社区平台';
  addSheet(
    wb,
    '设备凭据',
    [
      { header: '设备ID/用户名', key: 'username', width: 38 },
      { header: '密码', key: 'password', width: 36 },
      { header: '名称', key: 'name', width: 24 },
      { header: '设备类型', key: 'typeLabel', width: 16 },
      { header: '序列号', key: 'serialNumber', width: 20 },
      { header: '地址', key: 'address', width: 44 },
      { header: 'MQTT 主题', key: 'topic', width: 60 },
    ],
    list,
  );
  addSheet(
    wb,
    '接入方式',
    [
      { header: '项目', key: 'k', width: 16 },
      { header: '内容', key: 'v', width: 90 },
    ],
    [
      { k: 'MQTT 代理', v: connection.mqtt.url },
      { k: 'MQTT 用户名', v: connection.mqtt.username },
      { k: 'MQTT 密码', v: '本表“密码”列' },
      { k: 'MQTT 主题', v: `${connection.mqtt.topic}（QoS ${connection.mqtt.qos}）` },
      { k: '说明', v: connection.mqtt.note },
      { k: 'HTTP 上报', v: `${connection.http.method} ${connection.http.url}（${connection.http.auth}）` },
      { k: '报文示例', v: JSON.stringify(connection.payloadExample) },
      { k: '注意', v: '本表含设备密码，请妥善保管；平台不保存明文密码，遗失后只能重置。' },
    ],
  );
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A new random password for a device; the old one stops working at once (on this node's cache too). */
export async function rotateCredentials(ctx: Ctx, id: string) {
  const password = randomBytes(24).toString('base64url');
  const path = await devicePath(ctx.db, id);
  if (!path) throw problems.notFound('设备');
  await auditedChange(ctx, { targetType: 'device', targetId: () => id, scopePath: () => path }, async (tx) => {
    const r = await tx.execute(sql`update devices set secret_hash = ${sha256(password)} where id = ${id} returning id`);
    if (!r.rows[0]) throw problems.notFound('设备');
    await announceDeviceAuthChange(tx, id);
  });
  forgetDeviceAuth(id);
  const d = await deviceDetail(ctx.db, id);
  return { ...credentialOf(id, password, d.name, d.type, (d.attributes.serialNumber as string | undefined) ?? null, d.address) };
}

/** Disables or enables a device: a disabled one is refused on MQTT connect and on HTTP telemetry. */
export async function setDeviceStatus(ctx: Ctx, id: string, status: DeviceStatus) {
  const path = await devicePath(ctx.db, id);
  if (!path) throw problems.notFound('设备');
  await auditedChange(
    ctx,
    { targetType: 'device', targetId: () => id, scopePath: () => path, detail: (before) => ({ status, before }) },
    async (tx) => {
      const r = await tx.execute(sql`
        update devices d set status = ${status} from devices o
        where d.id = ${id} and o.community_id = d.community_id and o.id = d.id returning o.status as before`);
      const row = r.rows[0] as { before: string } | undefined;
      if (!row) throw problems.notFound('设备');
      await announceDeviceAuthChange(tx, id);
      return row.before;
    },
  );
  forgetDeviceAuth(id);
  return deviceDetail(ctx.db, id);
}
