import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESIDENT_COLUMNS } from '../../src/modules/registry/ledger.js';
import { makeIdNumber } from '../../src/modules/registry/model.js';
import { setupTestApp, type TestApp } from '../helpers.js';

let t: TestApp;
let token: string;
let community: string;
let building: string;
beforeAll(async () => {
  t = await setupTestApp();
  token = await t.login('jiangyue_admin');
  community = await t.region('江月社区');
  // A building of our own with 20 floors × 2 units × 4 rooms, so the big file has homes.
  const b = await t.call('POST', '/api/buildings', {
    token,
    body: { regionId: community, compound: '导入苑', road: '测试路1号', number: '1', units: 2 },
  });
  building = b.json().id;
  for (const unit of ['1', '2'])
    for (let floor = 1; floor <= 20; floor++)
      for (let k = 1; k <= 4; k++)
        await t.db.$client.query(
          `insert into rooms (community_id, id, building_id, unit_id, floor, number, address, plate_code)
           select $1, gen_random_uuid(), $2, u.id, $3, $4, '导入苑 1栋 ' || $5 || '单元 ' || $4 || '室', md5(random()::text)
             from building_units u where u.community_id = $1 and u.building_id = $2 and u.number = $5`,
          [community, building, floor, `${floor}0${k}`, unit],
        );
});
afterAll(() => t.close());

type Row = Partial<Record<(typeof RESIDENT_COLUMNS)[number]['key'], string | number>>;

async function workbook(rows: Row[], headers = RESIDENT_COLUMNS): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('居民');
  ws.addRow(headers.map((c) => (c.required ? `${c.header}*` : c.header)));
  for (const r of rows) ws.addRow(headers.map((c) => r[c.key] ?? null));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

let seq = 100;
const good = (over: Row = {}): Row => ({
  name: '导入测试',
  idNumber: makeIdNumber('990102', '19800101', seq++ % 500),
  phone: '13800138000',
  compound: '导入苑',
  building: '1',
  unit: '1',
  room: '101',
  relation: '业主',
  head: '是',
  ...over,
});

const upload = (buf: Buffer, mode = 'commit', regionId = community) =>
  t.app.inject({
    method: 'POST',
    url: `/api/registry/imports/residents?regionId=${regionId}&mode=${mode}`,
    payload: buf,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
  });

const count = async () =>
  (await t.db.$client.query('select count(*)::int as n from residents where community_id = $1', [community])).rows[0].n as number;

describe('resident ledger import', () => {
  it('the template downloads as xlsx with every column and a help sheet', async () => {
    const res = await t.call('GET', '/api/registry/templates/residents.xlsx', { token });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const headers = (wb.worksheets[0]!.getRow(1).values as string[]).filter(Boolean);
    expect(headers).toContain('姓名*');
    expect(headers).toContain('证件号码*');
    expect(wb.worksheets[1]!.name).toBe('填写说明');
  });

  it('imports a good file, homes included, and re-importing it changes nothing', async () => {
    const before = await count();
    const file = await workbook([
      good({ name: '甲', room: '101' }),
      good({ name: '乙', room: '101', relation: '家庭成员', head: '否' }),
      good({ name: '丙', room: '102', tags: '党员、志愿者' }),
    ]);
    const r1 = (await upload(file)).json();
    expect(r1).toMatchObject({ total: 3, valid: 3, inserted: 3, unchanged: 0, invalid: 0, committed: true, errors: [] });
    expect(await count()).toBe(before + 3);
    const r2 = (await upload(file)).json();
    expect(r2).toMatchObject({ total: 3, inserted: 0, unchanged: 3, committed: true });
    expect(await count()).toBe(before + 3);
    const found = (await t.call('GET', '/api/residents', { token, query: { q: '丙' } }))
      .json()
      .items.find((x: { name: string }) => x.name === '丙');
    expect(found.tags.sort()).toEqual(['party_member', 'volunteer']);
    const detail = (await t.call('GET', `/api/residents/${found.id}`, { token })).json();
    expect(detail.homes[0].address).toContain('102室');
  });

  it('reports every bad row with its reason and commits nothing', async () => {
    const before = await count();
    const valid = makeIdNumber('990102', '19900202', 401);
    const badCheck = valid.slice(0, 17) + (valid[17] === '1' ? '2' : '1');
    const file = await workbook([
      good({ name: '好人' }),
      good({ idNumber: badCheck }),
      good({ phone: '12345' }),
      good({ room: '9999' }),
      good({ name: '', tags: '外星人' }),
      good({ idNumber: valid }),
      good({ idNumber: valid }),
    ]);
    const r = (await upload(file)).json();
    expect(r.committed).toBe(false);
    expect(r.inserted).toBe(0);
    const by = (row: number) =>
      r.errors.filter((e: { row: number }) => e.row === row).map((e: { column: string; message: string }) => `${e.column}:${e.message}`);
    expect(by(3)).toEqual(['证件号码:身份证号校验位不正确']);
    expect(by(4)[0]).toMatch(/^联系电话:/);
    expect(by(5)[0]).toBe('房号:本社区没有这个房屋：导入苑 1栋 1单元 9999室');
    expect(by(6)).toContain('姓名:姓名不能为空');
    expect(by(6)).toContain('人员标签:未知的人员标签：外星人');
    expect(by(8)).toEqual(['证件号码:与第 7 行证件号码重复']);
    expect(by(2)).toEqual([]);
    expect(await count()).toBe(before);
  });

  it('commit-valid writes only the good rows; validate writes nothing', async () => {
    const before = await count();
    const file = await workbook([good({ name: '可导入' }), good({ phone: 'abc' })]);
    expect((await upload(file, 'validate')).json()).toMatchObject({ total: 2, valid: 1, invalid: 1, committed: false });
    expect(await count()).toBe(before);
    expect((await upload(file, 'commit-valid')).json()).toMatchObject({ inserted: 1, invalid: 1, committed: true });
    expect(await count()).toBe(before + 1);
  });

  it('refuses a file that is not xlsx, one without the required columns, and a community out of scope', async () => {
    expect((await upload(Buffer.from('not a spreadsheet'))).json().errors[0].message).toContain('.xlsx');
    const noColumns = await workbook(
      [good()],
      RESIDENT_COLUMNS.filter((c) => c.key !== 'idNumber'),
    );
    const r = await upload(noColumns);
    expect(r.statusCode).toBe(400);
    expect(r.json().errors[0].message).toBe('缺少必填列：证件号码（请使用下载的模板）');
    expect((await upload(await workbook([good()]), 'commit', await t.region('柳岸社区'))).statusCode).toBe(403);
    const json = await t.call('POST', '/api/registry/imports/residents', { token, query: { regionId: community }, body: { a: 1 } });
    expect(json.statusCode).toBe(415);
  });

  it('imports a 10,000-row file in one transaction', async () => {
    const before = await count();
    const rows: Row[] = [];
    for (let i = 0; i < 10_000; i++) {
      const unit = String(1 + (i % 2));
      const floor = 1 + (Math.floor(i / 2) % 20);
      const k = 1 + (Math.floor(i / 40) % 4);
      rows.push(
        good({
          name: `批量${i}`,
          idNumber: makeIdNumber('990103', new Date(Date.UTC(1950, 0, 1) + i * 86_400_000), i % 1000),
          unit,
          room: `${floor}0${k}`,
          phone: `139${String(i).padStart(8, '0')}`,
        }),
      );
    }
    const r = (await upload(await workbook(rows))).json();
    expect(r).toMatchObject({ total: 10_000, inserted: 10_000, invalid: 0, committed: true });
    expect(await count()).toBe(before + 10_000);
    const found = (await t.call('GET', '/api/residents', { token, query: { q: '13900009999' } })).json();
    expect(found.items.map((x: { name: string }) => x.name)).toEqual(['批量9999']);
  }, 120_000);
});

describe('resident ledger export', () => {
  it('exports the filtered list as xlsx, masked, and records the export', async () => {
    const res = await t.call('GET', '/api/residents/export.xlsx', { token, query: { q: '批量999' } });
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    const names = ws.getColumn(1).values.filter(Boolean).slice(1);
    expect(names.sort()).toEqual(
      [
        '批量999',
        '批量9990',
        '批量9991',
        '批量9992',
        '批量9993',
        '批量9994',
        '批量9995',
        '批量9996',
        '批量9997',
        '批量9998',
        '批量9999',
      ].sort(),
    );
    const ids = ws.getColumn(5).values.filter(Boolean).slice(1) as string[];
    expect(ids.every((x) => x.includes('**********'))).toBe(true);
    const { rowCount } = await t.db.$client.query("select 1 from audit_log where action = 'resident.export'");
    expect(rowCount).toBe(1);
  });
});

async function sheet(
  columns: { key: string; header: string; required?: boolean }[],
  rows: Record<string, string | number | undefined>[],
): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('台账');
  ws.addRow(columns.map((c) => (c.required ? `${c.header}*` : c.header)));
  for (const r of rows) ws.addRow(columns.map((c) => r[c.key] ?? null));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const post = (kind: string, buf: Buffer, mode = 'commit') =>
  t.app.inject({
    method: 'POST',
    url: `/api/registry/imports/${kind}?regionId=${community}&mode=${mode}`,
    payload: buf,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
  });

describe('buildings and rooms ledger', () => {
  it('creates buildings, units and rooms with standard addresses; re-import changes nothing; bad rows are named', async () => {
    const { ROOM_COLUMNS } = await import('../../src/modules/registry/ledger-places.js');
    const rows = [
      {
        compound: '新园',
        road: '江月路2号',
        building: '5',
        unit: '1',
        floor: 1,
        room: '101',
        area: 88.5,
        use: '住宅',
        grid: '江月第一网格',
      },
      { compound: '新园', road: '江月路2号', building: '5', unit: '1', floor: 1, room: '102', area: 90, use: '住宅', grid: '江月第一网格' },
      { compound: '新园', road: '江月路2号', building: '5', unit: '2', floor: 1, room: '101', use: '商业' },
    ];
    const r1 = (await post('rooms', await sheet(ROOM_COLUMNS, rows))).json();
    expect(r1).toMatchObject({ total: 3, inserted: 3, invalid: 0, committed: true });
    const { rows: b } = await t.db.$client.query(
      "select id, grid_id from buildings where community_id = $1 and compound = '新园' and number = '5'",
      [community],
    );
    expect(b).toHaveLength(1);
    expect(b[0].grid_id).toBe(await t.region('江月第一网格'));
    const detail = (await t.call('GET', `/api/buildings/${b[0].id}`, { token })).json();
    expect(detail.units.map((u: { number: string }) => u.number)).toEqual(['1', '2']);
    expect(detail.roomList.map((r: { address: string }) => r.address)).toContain(
      '青川市临江区滨河街道江月社区 江月路2号 新园 5栋 2单元 101室',
    );
    expect((await post('rooms', await sheet(ROOM_COLUMNS, rows))).json()).toMatchObject({ inserted: 0, unchanged: 3 });
    const bad = (
      await post(
        'rooms',
        await sheet(ROOM_COLUMNS, [
          { building: '6', room: '101', floor: 'x', grid: '不存在网格' },
          { building: '6', room: '102' },
          { building: '6', room: '102' },
        ]),
      )
    ).json();
    expect(bad.committed).toBe(false);
    expect(bad.errors.map((e: { row: number; column: string }) => `${e.row}:${e.column}`)).toEqual(['2:楼层', '2:所属网格', '4:房号']);
  });
});

describe('organisations ledger', () => {
  it('imports organisations, checking type, credit code and phone; re-import changes nothing', async () => {
    const { ORGANISATION_COLUMNS } = await import('../../src/modules/organisations/ledger.js');
    const good = [
      { kind: '社会组织', name: '江月棋牌协会', contactPhone: '13900001111' },
      { kind: '驻区单位', name: '江月小学', address: '江月路9号' },
    ];
    expect((await post('organisations', await sheet(ORGANISATION_COLUMNS, good))).json()).toMatchObject({ inserted: 2, committed: true });
    expect((await post('organisations', await sheet(ORGANISATION_COLUMNS, good))).json()).toMatchObject({ inserted: 0, unchanged: 2 });
    const bad = (
      await post(
        'organisations',
        await sheet(ORGANISATION_COLUMNS, [
          { kind: '外星组织', name: 'x' },
          { kind: '社会组织', name: 'y', creditCode: '123' },
        ]),
      )
    ).json();
    expect(bad.errors.map((e: { column: string }) => e.column)).toEqual(['组织类型', '统一社会信用代码']);
    const list = (await t.call('GET', '/api/organisations', { token, query: { kind: 'local_unit' } })).json();
    expect(list.map((o: { name: string }) => o.name)).toContain('江月小学');
  });
});

describe('import jobs (progress for large files)', () => {
  it('runs an import in the background and reports its progress and result', async () => {
    const { ROOM_COLUMNS } = await import('../../src/modules/registry/ledger-places.js');
    const rows = Array.from({ length: 3000 }, (_, i) => ({
      compound: '进度园',
      building: String(1 + Math.floor(i / 300)),
      unit: '1',
      room: String(1000 + i),
    }));
    const start = await post('rooms', await sheet(ROOM_COLUMNS, rows), 'commit&async=true');
    expect(start.statusCode, start.body).toBe(202);
    const { jobId, total } = start.json();
    expect(total).toBe(3000);
    let job: { status: string; processed: number; report: { inserted: number } | null } | undefined;
    for (let i = 0; i < 200; i++) {
      job = (await t.call('GET', `/api/registry/imports/jobs/${jobId}`, { token })).json();
      if (job!.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(job).toMatchObject({ status: 'done', processed: 3000, report: { inserted: 3000 } });
    expect((await t.call('GET', `/api/registry/imports/jobs/${jobId}`, { token: await t.login('liuan_admin') })).statusCode).toBe(403);
  });

  it('a job whose node stopped shows as interrupted', async () => {
    const { rows } = await t.db.$client.query<{ id: string }>(
      `insert into import_jobs (community_id, id, kind, mode, status, total, created_by, updated_at)
       select $1, gen_random_uuid(), 'residents', 'commit', 'running', 10, id, now() - interval '5 minutes' from users where username = 'jiangyue_admin' returning id`,
      [community],
    );
    expect((await t.call('GET', `/api/registry/imports/jobs/${rows[0]!.id}`, { token })).json().status).toBe('interrupted');
  });
});
