// Provisioning devices (issue 7 §1): the xlsx template and bulk import (all or nothing, only the good
// rows, idempotent by serial number), the credentials sheet, rotating credentials, disabling and
// enabling devices (HTTP and MQTT refuse a disabled device), how devices connect, and scope.
import ExcelJS from 'exceljs';
import mqtt from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/db/embedded.js';
import { deviceTypeOf, mqttEndpoint, parseDeviceRow } from '../../src/modules/devices/model.js';
import { startEmbeddedBroker, type MqttIngest } from '../../src/modules/devices/mqtt.js';
import { makeIdNumber } from '../../src/modules/registry/model.js';
import * as registry from '../../src/modules/registry/service.js';
import { setupTestApp, systemCtx, testKeys, type TestApp } from '../helpers.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

let t: TestApp;
let admin: string;
let liuan: string;
let roomAddress: string;
let buildingAddress: string;
let buildingId: string;
let elderIdNumber: string;
let elderId: string;
let templateBuf: Buffer;
/** What the onlyValid import answered (its credentials are used by later tests). */
let imported: Report;

type Row = Partial<
  Record<'设备类型' | '名称' | '楼栋或房屋地址' | '经度' | '纬度' | '序列号' | '厂商' | '型号' | '共享车位' | '服务对象身份证号', string>
>;

/** A ledger filled in on the downloaded template (first sheet, columns found by their headers). */
async function ledger(rows: Row[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(templateBuf as unknown as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  const cols = new Map<string, number>();
  ws.getRow(1).eachCell((c, n) => cols.set(String(c.value).replace(/\*$/, ''), n));
  rows.forEach((r, i) => {
    for (const [h, v] of Object.entries(r)) ws.getCell(i + 2, cols.get(h)!).value = v;
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function upload(buf: Buffer, query: Record<string, string>, token = admin) {
  return t.app.inject({
    method: 'POST',
    url: '/api/devices/import',
    query,
    payload: buf,
    headers: { authorization: `Bearer ${token}`, 'content-type': XLSX },
  });
}

function telemetry(id: string, password: string) {
  return t.app.inject({
    method: 'POST',
    url: `/api/devices/${id}/telemetry`,
    headers: { authorization: `Basic ${Buffer.from(`${id}:${password}`).toString('base64')}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ values: { battery: 90 } }),
  });
}

interface Report {
  total: number;
  created: number;
  skipped: number;
  invalid: number;
  committed: boolean;
  errors: { row: number; column: string; message: string }[];
  skippedRows: { row: number; column: string; message: string; deviceId: string }[];
  credentials: { id: string; username: string; password: string; name: string; row: number; topic: string; address: string | null }[];
}

const serial = (s: string) => `PROV-${s}`;
const countSerials = async (prefix: string) =>
  Number(
    (await t.db.$client.query("select count(*) from devices where attributes->>'serialNumber' like $1", [`${prefix}%`])).rows[0].count,
  );

/** Four good rows (room, building, parking with 共享车位, fall detector serving a resident) and five bad ones. */
const mixed = (): Row[] => [
  { 设备类型: '烟感探测器', 名称: '101室烟感', 楼栋或房屋地址: roomAddress, 序列号: serial('A1'), 厂商: '海康', 型号: 'S-1' },
  { 设备类型: 'gas_detector', 名称: '楼栋燃气', 楼栋或房屋地址: buildingAddress, 序列号: serial('A2') },
  { 设备类型: '外星探测器', 名称: '未知类型', 序列号: serial('B1') },
  { 设备类型: '车位检测器', 名称: 'P-001 车位', 经度: '117.1', 纬度: '36.6', 序列号: serial('A3'), 共享车位: '是' },
  { 设备类型: '智能水表', 名称: '', 序列号: serial('B2') },
  { 设备类型: '跌倒检测器', 名称: '独居老人跌倒', 楼栋或房屋地址: roomAddress, 序列号: serial('A4'), 服务对象身份证号: elderIdNumber },
  { 设备类型: '智能电表', 名称: '不存在的房屋', 楼栋或房屋地址: '不存在路1号 9999栋 1单元 101室', 序列号: serial('B3') },
  { 设备类型: '智慧路灯', 名称: '纬度超界', 经度: '117', 纬度: '95', 序列号: serial('B4') },
  { 设备类型: '门禁', 名称: '序列号重复', 序列号: serial('A1') },
];

beforeAll(async () => {
  t = await setupTestApp();
  admin = await t.login('liuan_admin');
  liuan = await t.region('柳岸社区');
  const { rows } = await t.db.$client.query<{
    id: string;
    address: string;
    building_id: string;
    compound: string;
    number: string;
    road: string;
  }>(
    `select r.id, r.address, r.building_id, b.compound, b.number, b.road from rooms r
       join buildings b on b.community_id = r.community_id and b.id = r.building_id
      where r.community_id = $1 order by r.address limit 1`,
    [liuan],
  );
  // The room without its region names, with odd spacing; the building as road + compound + number.
  roomAddress = `  ${rows[0]!.address.split(' ').slice(1).join('  ')}`;
  buildingAddress = `${rows[0]!.road}${rows[0]!.compound}${rows[0]!.number}栋`;
  buildingId = rows[0]!.building_id;
  elderIdNumber = makeIdNumber('990102', '19400101', 731);
  const r = await registry.createResident(await systemCtx(t), testKeys(), liuan, {
    name: '测试老人',
    idType: 'resident_id',
    idNumber: elderIdNumber,
  });
  elderId = r.id;
  const res = await t.app.inject({ method: 'GET', url: '/api/devices/template.xlsx', headers: { authorization: `Bearer ${admin}` } });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toContain(XLSX);
  templateBuf = res.rawPayload;
});
afterAll(() => t.close());

describe('pure rules', () => {
  it('device types are read from labels (with or without the note) and keys; rows are checked on their own', () => {
    expect(deviceTypeOf('烟感探测器')).toBe('smoke_detector');
    expect(deviceTypeOf(' 摄像机 ')).toBe('camera');
    expect(deviceTypeOf('摄像机(仅元数据与流地址)')).toBe('camera');
    expect(deviceTypeOf('parking_sensor')).toBe('parking_sensor');
    expect(deviceTypeOf('冰箱')).toBeNull();
    const bad = parseDeviceRow({ type: '智能水表', name: ' ', lng: '200', serialNumber: '', shared: '是' });
    expect(bad.row).toBeNull();
    expect(bad.problems.map((p) => p.column).sort()).toEqual(['lat', 'lng', 'name', 'serialNumber', 'shared'].sort());
    const ok = parseDeviceRow({ type: '车位检测器', name: 'P1', serialNumber: 'X', shared: '否', lng: '117', lat: '36' });
    expect(ok.row).toMatchObject({ type: 'parking_sensor', lng: 117, lat: 36, attributes: { serialNumber: 'X', shared: false } });
  });

  it('the MQTT endpoint is the embedded port, or the external broker without its credentials', () => {
    expect(mqttEndpoint(undefined, 1884)).toEqual({ external: false, protocol: 'mqtt', host: null, port: 1884 });
    expect(mqttEndpoint('mqtt://ingest:s3cret@broker.example.cn:1999', 1884)).toEqual({
      external: true,
      protocol: 'mqtt',
      host: 'broker.example.cn',
      port: 1999,
    });
    expect(mqttEndpoint('mqtts://broker.example.cn', 1884).port).toBe(8883);
  });
});

describe('template and import', () => {
  it('the template downloads and parses: the ledger sheet with Chinese headers, instructions, the device types', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(templateBuf as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['设备', '填写说明', '设备类型']);
    const headers: string[] = [];
    wb.worksheets[0]!.getRow(1).eachCell((c) => headers.push(String(c.value)));
    expect(headers).toEqual([
      '设备类型*',
      '名称*',
      '楼栋或房屋地址',
      '经度',
      '纬度',
      '序列号*',
      '厂商',
      '型号',
      '共享车位',
      '服务对象身份证号',
    ]);
    expect(wb.getWorksheet('设备类型')!.rowCount).toBe(16);
    // An empty template imports as nothing.
    const r = await upload(templateBuf, { communityId: liuan });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ total: 0, created: 0, committed: true });
  });

  it('a file with a bad row commits nothing and names every bad row and column', async () => {
    const r = await upload(await ledger(mixed()), { communityId: liuan });
    expect(r.statusCode, r.body).toBe(200);
    const rep = r.json() as Report;
    expect(rep).toMatchObject({ total: 9, created: 0, invalid: 5, committed: false, credentials: [] });
    expect(rep.errors).toEqual(
      expect.arrayContaining([
        { row: 4, column: '设备类型', message: '未知的设备类型“外星探测器”' },
        { row: 6, column: '名称', message: '名称不能为空' },
        { row: 8, column: '楼栋或房屋地址', message: '本社区未找到该楼栋或房屋' },
        { row: 9, column: '纬度', message: '纬度应在 -90 到 90 之间' },
        { row: 10, column: '序列号', message: '与第 2 行的序列号重复' },
      ]),
    );
    expect(rep.errors).toHaveLength(5);
    expect(await countSerials('PROV-')).toBe(0);
  });

  it('onlyValid imports the good rows in one go, with their credentials shown once and stored as hashes', async () => {
    const r = await upload(await ledger(mixed()), { communityId: liuan, onlyValid: 'true' });
    expect(r.statusCode, r.body).toBe(200);
    imported = r.json() as Report;
    expect(imported).toMatchObject({ total: 9, created: 4, skipped: 0, invalid: 5, committed: true });
    expect(imported.credentials.map((c) => c.row)).toEqual([2, 3, 5, 7]);
    for (const c of imported.credentials) {
      expect(c.username).toBe(c.id);
      expect(c.topic).toBe(`jiayuan/devices/${c.id}/telemetry`);
    }
    const { rows } = await t.db.$client.query(
      `select id, type, room_id, building_id, address, lng, lat, attributes, resident_id, secret_hash, status from devices
        where attributes->>'serialNumber' like 'PROV-%' order by attributes->>'serialNumber'`,
    );
    expect(rows.map((d) => d.attributes.serialNumber)).toEqual([serial('A1'), serial('A2'), serial('A3'), serial('A4')]);
    const [room, building, parking, fall] = rows;
    expect(room.room_id).not.toBeNull();
    expect(room.attributes).toEqual({ serialNumber: serial('A1'), manufacturerName: '海康', modelName: 'S-1' });
    expect(building).toMatchObject({ building_id: buildingId, room_id: null, type: 'gas_detector' });
    expect(parking).toMatchObject({ building_id: null, lng: 117.1, lat: 36.6, attributes: { serialNumber: serial('A3'), shared: true } });
    expect(fall.resident_id).toBe(elderId);
    for (const d of rows) {
      expect(d.status).toBe('active');
      const c = imported.credentials.find((x) => x.id === d.id)!;
      expect(d.secret_hash).not.toContain(c.password);
    }
    // One audit entry per device, none holding a password.
    const audit = await t.db.$client.query(
      "select target_id, detail::text from audit_log where action = 'device.import' and target_type = 'device'",
    );
    expect(audit.rows.map((a) => a.target_id).sort()).toEqual(imported.credentials.map((c) => c.id).sort());
    for (const a of audit.rows) for (const c of imported.credentials) expect(a.detail).not.toContain(c.password);
  });

  it('re-importing the same file creates nothing: registered serial numbers are reported 已存在，跳过', async () => {
    const r = await upload(await ledger(mixed()), { communityId: liuan, onlyValid: 'true' });
    const rep = r.json() as Report;
    // Row 10 repeated row 2's serial number, which is now registered: skipped as well.
    expect(rep).toMatchObject({ created: 0, skipped: 5, invalid: 4, committed: true, credentials: [] });
    expect(rep.skippedRows.map((s) => [s.row, s.column, s.message])).toEqual([
      [2, '序列号', '已存在，跳过'],
      [3, '序列号', '已存在，跳过'],
      [5, '序列号', '已存在，跳过'],
      [7, '序列号', '已存在，跳过'],
      [10, '序列号', '已存在，跳过'],
    ]);
    expect(await countSerials('PROV-')).toBe(4);
  });

  it('imported credentials work for HTTP telemetry, and can be downloaded as xlsx only with the right passwords', async () => {
    for (const c of imported.credentials) expect((await telemetry(c.id, c.password)).statusCode).toBe(202);
    const sheet = await t.call('POST', '/api/devices/credentials.xlsx', {
      token: admin,
      body: { credentials: imported.credentials.map((c) => ({ username: c.username, password: c.password })) },
    });
    expect(sheet.statusCode, sheet.body).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(sheet.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('设备凭据')!;
    expect(ws.getRow(1).values).toEqual([undefined, '设备ID/用户名', '密码', '名称', '设备类型', '序列号', '地址', 'MQTT 主题']);
    expect(ws.getRow(2).getCell(2).value).toBe(imported.credentials[0]!.password);
    expect(ws.getRow(2).getCell(3).value).toBe('101室烟感');
    expect(wb.getWorksheet('接入方式')).toBeDefined();
    const wrong = await t.call('POST', '/api/devices/credentials.xlsx', {
      token: admin,
      body: { credentials: [{ username: imported.credentials[0]!.id, password: 'guessed' }] },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors[0].field).toBe('body.credentials.0.password');
  });

  it('refuses what is not a ledger, and a region that is not a community', async () => {
    const notXlsx = await t.call('POST', '/api/devices/import', { token: admin, query: { communityId: liuan }, body: { rows: [] } });
    expect(notXlsx.statusCode).toBe(415);
    for (const junk of [Buffer.from('not a workbook'), templateBuf.subarray(0, 2000)]) {
      const r = await upload(junk, { communityId: liuan });
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json().errors[0].field).toBe('body');
    }
    const grid = (await t.db.$client.query("select id from regions where parent_id = $1 and level = 'grid' limit 1", [liuan])).rows[0].id;
    const r = await upload(templateBuf, { communityId: grid });
    expect(r.statusCode).toBe(400);
    expect(r.json().errors[0]).toEqual({ field: 'query.communityId', message: '应为社区' });
  });
});

describe('credentials lifecycle', () => {
  let broker: MqttIngest;
  beforeAll(async () => {
    broker = await startEmbeddedBroker(t.db, await freePort(), { info: () => {}, warn: () => {} }, '127.0.0.1');
  });
  afterAll(() => broker.stop());

  const register = async () => {
    const r = await t.call('POST', '/api/devices', { token: admin, body: { buildingId, type: 'smoke_detector', name: '生命周期烟感' } });
    expect(r.statusCode, r.body).toBe(201);
    return r.json() as { id: string; credentials: { password: string } };
  };
  const connect = (id: string, password: string) =>
    mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { username: id, password, reconnectPeriod: 0, connectTimeout: 3000 });

  it('rotating gives a new password once; the old one stops working at once (HTTP and MQTT)', async () => {
    const d = await register();
    expect((await telemetry(d.id, d.credentials.password)).statusCode).toBe(202); // fills the auth cache
    const r = await t.call('POST', `/api/devices/${d.id}/credentials`, { token: admin });
    expect(r.statusCode, r.body).toBe(200);
    const fresh = r.json() as { username: string; password: string };
    expect(fresh.username).toBe(d.id);
    expect(fresh.password).not.toBe(d.credentials.password);
    expect((await telemetry(d.id, d.credentials.password)).statusCode).toBe(401);
    expect((await telemetry(d.id, fresh.password)).statusCode).toBe(202);
    await expect(connect(d.id, d.credentials.password)).rejects.toThrow();
    const c = await connect(d.id, fresh.password);
    await c.endAsync();
    const audit = await t.db.$client.query(
      "select detail::text from audit_log where action = 'device.rotate-credentials' and target_id = $1",
      [d.id],
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0].detail).not.toContain(fresh.password);
  });

  it('a disabled device is refused on HTTP (counted as unauthorised) and on MQTT connect; enabled, it works again', async () => {
    const d = await register();
    expect((await telemetry(d.id, d.credentials.password)).statusCode).toBe(202);
    const off = await t.call('POST', `/api/devices/${d.id}/disable`, { token: admin });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json().status).toBe('disabled');
    const before = (await t.call('GET', '/api/devices/ingest-stats', { token: admin })).json().rejected.unauthorised as number;
    expect((await telemetry(d.id, d.credentials.password)).statusCode).toBe(401);
    const after = (await t.call('GET', '/api/devices/ingest-stats', { token: admin })).json().rejected.unauthorised as number;
    expect(after).toBe(before + 1);
    await expect(connect(d.id, d.credentials.password)).rejects.toThrow();
    const on = await t.call('POST', `/api/devices/${d.id}/enable`, { token: admin });
    expect(on.json().status).toBe('active');
    expect((await telemetry(d.id, d.credentials.password)).statusCode).toBe(202);
    const c = await connect(d.id, d.credentials.password);
    await c.endAsync();
    const audit = await t.db.$client.query(
      "select action, detail from audit_log where target_id = $1 and action in ('device.disable', 'device.enable') order by occurred_at",
      [d.id],
    );
    expect(audit.rows).toEqual([
      { action: 'device.disable', detail: { status: 'disabled', before: 'active' } },
      { action: 'device.enable', detail: { status: 'active', before: 'disabled' } },
    ]);
  });

  it('a device already connected is disconnected when it is disabled or its password changes, also when another node made the change', async () => {
    const d = await register();
    const closed = (c: mqtt.MqttClient) => new Promise<void>((resolve) => c.once('close', () => resolve()));
    // Disabled through the API of this node: the open connection is dropped.
    const c1 = await connect(d.id, d.credentials.password);
    const gone1 = closed(c1);
    expect((await t.call('POST', `/api/devices/${d.id}/disable`, { token: admin })).statusCode).toBe(200);
    await gone1;
    expect((await t.call('POST', `/api/devices/${d.id}/enable`, { token: admin })).statusCode).toBe(200);
    // Changed by another node: what that node's transaction announces (NOTIFY at commit) reaches this broker.
    const c2 = await connect(d.id, d.credentials.password);
    const gone2 = closed(c2);
    const other = new pg.Client({ connectionString: t.url });
    await other.connect();
    try {
      await other.query('begin');
      await other.query("update devices set secret_hash = 'x' where id = $1", [d.id]);
      await other.query("select pg_notify('jiayuan_device_auth', $1)", [d.id]);
      await other.query('commit');
    } finally {
      await other.end();
    }
    await gone2;
    await expect(connect(d.id, d.credentials.password)).rejects.toThrow();
  });
});

describe('connection and scope', () => {
  it('tells how devices connect: the configured broker port, the topic, the HTTP address', async () => {
    const r = await t.call('GET', '/api/devices/connection', { token: await t.login('liuan_grid1') });
    expect(r.statusCode, r.body).toBe(200);
    const c = r.json();
    expect(c.mqtt).toMatchObject({ external: false, port: t.config.mqttPort, topic: 'jiayuan/devices/{id}/telemetry', qos: 1 });
    expect(c.http.url).toMatch(/\/api\/devices\/\{id\}\/telemetry$/);
    expect(c.payloadExample.values).toBeTypeOf('object');
  });

  it('another community’s administrator cannot import into, rotate, disable or download credentials of this community’s devices', async () => {
    const d = imported.credentials[0]!;
    const other = await t.login('jiangyue_admin');
    const street = await t.login('binhe_admin'); // 滨河街道 holds 柳岸社区 but manages no devices
    for (const token of [other, street]) {
      const imp = await upload(await ledger([{ 设备类型: '门禁', 名称: '越权', 序列号: serial('X1') }]), { communityId: liuan }, token);
      expect(imp.statusCode).toBe(403);
      for (const action of ['credentials', 'disable', 'enable'])
        expect((await t.call('POST', `/api/devices/${d.id}/${action}`, { token })).statusCode, action).toBe(403);
    }
    expect((await upload(templateBuf, { communityId: liuan }, other)).json().type).toContain('out-of-scope');
    const sheet = await t.call('POST', '/api/devices/credentials.xlsx', {
      token: other,
      body: { credentials: [{ username: d.id, password: d.password }] },
    });
    expect(sheet.statusCode).toBe(403);
    expect(sheet.json().type).toContain('out-of-scope');
    // Nothing changed: the device still works with its password.
    expect((await telemetry(d.id, d.password)).statusCode).toBe(202);
    expect(await countSerials(serial('X'))).toBe(0);
  });
});
