import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeIdNumber } from '../../src/modules/registry/model.js';
import { plateUrl, qrSvg } from '../../src/modules/registry/plates.js';
import { setupTestApp, type TestApp } from '../helpers.js';

let t: TestApp;
let admin: string; // community_admin of 柳岸社区
let liuan: string;
let grid1: string;
beforeAll(async () => {
  t = await setupTestApp();
  admin = await t.login('liuan_admin');
  liuan = await t.region('柳岸社区');
  grid1 = await t.region('柳岸第一网格');
});
afterAll(() => t.close());

let seq = 1;
const person = (over: Record<string, unknown> = {}) => ({
  name: '林晓梅',
  idType: 'resident_id',
  idNumber: makeIdNumber('990102', '19450312', seq++),
  phone: '13812345678',
  ...over,
});

describe('the demo register', () => {
  it('holds a realistic community population: ≥2,000 households and ≥5,000 residents with the usual mix', async () => {
    const q = async (sql: string) => (await t.db.$client.query(sql)).rows[0];
    const { n: households } = await q('select count(distinct room_id)::int as n from residencies where moved_out_on is null');
    const { n: people } = await q('select count(*)::int as n from residents');
    expect(households).toBeGreaterThanOrEqual(2000);
    expect(people).toBeGreaterThanOrEqual(5000);
    const tag = async (t: string) => (await q(`select count(*)::int as n from residents where tags @> array['${t}']`)).n as number;
    expect(await tag('elderly_alone')).toBeGreaterThan(100);
    expect(await tag('empty_nest')).toBeGreaterThan(100);
    expect(await tag('party_member')).toBeGreaterThan(100);
    expect(await tag('disabled')).toBeGreaterThan(20);
    // Every community has people, and every person lives somewhere.
    const { n: empty } = await q(
      "select count(*)::int as n from regions c where c.level = 'community' and not exists (select 1 from residents r where r.community_id = c.id)",
    );
    expect(empty).toBe(0);
    const { n: homeless } = await q(
      'select count(*)::int as n from residents r where not exists (select 1 from residencies h where h.resident_id = r.id)',
    );
    expect(homeless).toBe(0);
  });

  it('demo residents are searchable and revealable like any other', async () => {
    const list = (await t.call('GET', '/api/residents', { token: admin, query: { tag: 'elderly_alone', pageSize: '5' } })).json();
    expect(list.total).toBeGreaterThan(3);
    const one = list.items[0];
    const revealed = (await t.call('POST', `/api/residents/${one.id}/reveal`, { token: admin })).json();
    expect(revealed.idNumber.slice(0, 4) + '**********' + revealed.idNumber.slice(-4)).toBe(one.idNumber);
    const found = (await t.call('GET', '/api/residents', { token: admin, query: { q: revealed.idNumber } })).json();
    expect(found.items.map((x: { id: string }) => x.id)).toEqual([one.id]);
  });
});

describe('residents: personal data protected by default', () => {
  it('registers a resident, deriving birth date and gender, and answers masked', async () => {
    const id = makeIdNumber('990102', '19500101', 12); // even sequence: female
    const res = await t.call('POST', '/api/residents', {
      token: admin,
      body: { regionId: grid1, ...person({ idNumber: id, phone: '139 0000 1234', tags: ['elderly_alone'] }) },
    });
    expect(res.statusCode, res.body).toBe(201);
    const r = res.json();
    expect(r).toMatchObject({
      name: '林晓梅',
      communityId: liuan,
      gridId: grid1,
      birthDate: '1950-01-01',
      gender: 'female',
      tags: ['elderly_alone'],
    });
    expect(r.idNumber).toBe(`${id.slice(0, 4)}**********${id.slice(-4)}`);
    expect(r.phone).toBe('139****1234');
    expect(res.body).not.toContain(id);
    expect(res.body).not.toContain('13900001234');
  });

  it('stores no plaintext ID number or phone in the database', async () => {
    const id = makeIdNumber('990102', '19600606', 21);
    await t.call('POST', '/api/residents', { token: admin, body: { regionId: liuan, ...person({ idNumber: id, phone: '13755556666' }) } });
    const { rows } = await t.db.$client.query(`select * from residents`);
    const dump = JSON.stringify(rows, (_k, v) => (v && v.type === 'Buffer' ? Buffer.from(v.data).toString('latin1') : v));
    expect(dump).not.toContain(id);
    expect(dump).not.toContain(id.slice(6, 14) + id.slice(14)); // not even the tail
    expect(dump).not.toContain('13755556666');
  });

  it('no table of the database holds a plaintext ID number or phone (what a dump would contain)', async () => {
    const id = makeIdNumber('990102', '19581010', 23);
    const created = (
      await t.call('POST', '/api/residents', { token: admin, body: { regionId: grid1, ...person({ idNumber: id, phone: '13344445555' }) } })
    ).json();
    await t.call('PATCH', `/api/residents/${created.id}`, { token: admin, body: { phone: '13344446666' } });
    await t.call('POST', `/api/residents/${created.id}/reveal`, { token: admin });
    await t.call('GET', '/api/residents', { token: admin, query: { q: id } });
    await t.call('GET', '/api/residents', { token: admin, query: { q: '13344446666' } });
    const { rows: tables } = await t.db.$client.query<{ name: string }>(
      "select quote_ident(table_schema) || '.' || quote_ident(table_name) as name from information_schema.tables where table_schema in ('public', 'drizzle') and table_type = 'BASE TABLE'",
    );
    expect(tables.length).toBeGreaterThan(10);
    for (const { name } of tables) {
      const { rows } = await t.db.$client.query<{ dump: string | null }>(`select string_agg(x::text, E'\\n') as dump from ${name} x`);
      const dump = rows[0]!.dump ?? '';
      for (const secret of [id, id.slice(0, 17), '13344445555', '13344446666'])
        expect(dump.includes(secret), `${name} contains ${secret}`).toBe(false);
    }
  });

  it('finds people by exact ID number and phone, by pinyin initials, by name fragment', async () => {
    const id = makeIdNumber('990102', '19720815', 31);
    const created = (
      await t.call('POST', '/api/residents', {
        token: admin,
        body: { regionId: liuan, ...person({ name: '欧阳振华', idNumber: id, phone: '13698765432' }) },
      })
    ).json();
    const find = async (q: string) =>
      (await t.call('GET', '/api/residents', { token: admin, query: { q } })).json().items.map((x: { id: string }) => x.id);
    expect(await find(id)).toEqual([created.id]);
    expect(await find(id.toLowerCase())).toEqual([created.id]);
    expect(await find('13698765432')).toEqual([created.id]);
    expect(await find('oyzh')).toContain(created.id);
    expect(await find('OUYANG')).toContain(created.id);
    expect(await find('振华')).toContain(created.id);
    expect(await find(makeIdNumber('990102', '19720815', 32))).toEqual([]);
  });

  it('records every search and list, with what it found and without what was searched for', async () => {
    const id = makeIdNumber('990102', '19720815', 51);
    await t.call('POST', '/api/residents', {
      token: admin,
      body: { regionId: liuan, ...person({ name: '司马记录', idNumber: id, phone: '13698760051' }) },
    });
    const before = (await t.db.$client.query("select coalesce(max(id::text), '') as last from audit_log where action = 'resident.list'"))
      .rows[0].last as string;
    const searches = [
      { q: id, kind: 'id' },
      { q: '13698760051', kind: 'phone' },
      { q: '司马记', kind: 'text' },
      { q: 'smjl', kind: 'pinyin' },
      { q: '不存在的人名', kind: 'text' },
      { q: '', kind: 'all' },
    ];
    const answers: { items: { homes: unknown[] }[]; total: number }[] = [];
    for (const { q } of searches) {
      const res = await t.call('GET', '/api/residents', { token: admin, query: { q, pageSize: '5' } });
      expect(res.statusCode).toBe(200);
      answers.push(res.json() as { items: { homes: unknown[] }[]; total: number });
    }
    const { rows } = await t.db.$client.query(
      "select actor_name, actor_roles, outcome, target_type, scope_path, detail from audit_log where action = 'resident.list' and id::text > $1 order by id",
      [before],
    );
    expect(rows).toHaveLength(searches.length);
    rows.forEach((r, i) => {
      expect(r).toMatchObject({ outcome: 'success', target_type: 'resident', actor_roles: ['community_admin'] });
      expect(r.detail).toEqual({ kind: searches[i]!.kind, returned: answers[i]!.items.length, total: answers[i]!.total });
    });
    expect(answers.map((a) => a.total).slice(0, 4)).toEqual([1, 1, 1, 1]);
    expect(answers[4]!.total).toBe(0);
    expect(answers[5]!.items).toHaveLength(5);
    expect(answers[5]!.total).toBeGreaterThan(5);
    expect(JSON.stringify(rows)).not.toContain(id);
    expect(JSON.stringify(rows)).not.toContain('13698760051');
    expect(JSON.stringify(rows)).not.toContain('司马');
  });

  it('reveals the full numbers only to roles allowed to, and records every reveal', async () => {
    const id = makeIdNumber('990102', '19801224', 41);
    const created = (
      await t.call('POST', '/api/residents', { token: admin, body: { regionId: grid1, ...person({ idNumber: id, phone: '13511112222' }) } })
    ).json();
    const revealed = await t.call('POST', `/api/residents/${created.id}/reveal`, { token: admin });
    expect(revealed.statusCode).toBe(200);
    expect(revealed.json()).toEqual({ idNumber: id, phone: '13511112222' });
    const gridWorker = await t.call('POST', `/api/residents/${created.id}/reveal`, { token: await t.login('liuan_grid1') });
    expect(gridWorker.statusCode).toBe(200);
    const street = await t.call('POST', `/api/residents/${created.id}/reveal`, { token: await t.login('binhe_admin') });
    expect(street.statusCode).toBe(403);
    const property = await t.call('POST', `/api/residents/${created.id}/reveal`, { token: await t.login('liuan_property') });
    expect(property.statusCode).toBe(403);
    const { rows } = await t.db.$client.query(
      "select outcome, actor_name, detail from audit_log where action = 'resident.reveal' and target_id = $1 order by id",
      [created.id],
    );
    expect(rows.map((r) => r.outcome)).toEqual(['success', 'success', 'denied', 'denied']);
    expect(JSON.stringify(rows)).not.toContain(id);
  });

  it('refuses invalid ID numbers, phones and duplicates, field by field, changing nothing', async () => {
    const before = (await t.db.$client.query('select count(*)::int as n from residents')).rows[0].n;
    const good = makeIdNumber('990102', '19900101', 51);
    const badCheck = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    const res = await t.call('POST', '/api/residents', {
      token: admin,
      body: { regionId: liuan, ...person({ idNumber: badCheck, phone: '12345' }) },
    });
    expect(res.statusCode).toBe(400);
    const fields = res
      .json()
      .errors.map((e: { field: string }) => e.field)
      .sort();
    expect(fields).toEqual(['body.idNumber', 'body.phone']);
    expect(res.json().errors.find((e: { field: string }) => e.field === 'body.idNumber').message).toBe('身份证号校验位不正确');
    await t.call('POST', '/api/residents', { token: admin, body: { regionId: liuan, ...person({ idNumber: good }) } });
    const dup = await t.call('POST', '/api/residents', {
      token: admin,
      body: { regionId: liuan, ...person({ idNumber: good, name: '另一人' }) },
    });
    expect(dup.statusCode).toBe(409);
    expect((await t.db.$client.query('select count(*)::int as n from residents')).rows[0].n).toBe(before + 1);
  });

  it('hides sensitive attributes from roles that may not see them', async () => {
    const created = (
      await t.call('POST', '/api/residents', {
        token: admin,
        body: { regionId: liuan, ...person({ tags: ['community_correction', 'volunteer'] }) },
      })
    ).json();
    expect(created.tags.sort()).toEqual(['community_correction', 'volunteer']);
    const asProperty = await t.call('GET', `/api/residents/${created.id}`, { token: await t.login('liuan_property') });
    expect(asProperty.json().tags).toEqual(['volunteer']);
    const byTag = await t.call('GET', '/api/residents', { token: await t.login('liuan_property'), query: { tag: 'community_correction' } });
    expect(byTag.statusCode).toBe(403);
  });
});

describe('editing a resident', () => {
  it('clears the disability grade with the tag in one change, and checks gender against the stored ID number', async () => {
    const r = (
      await t.call('POST', '/api/residents', {
        token: admin,
        body: { regionId: liuan, ...person({ idNumber: makeIdNumber('990102', '19700505', 91), tags: ['disabled'], disabilityGrade: 2 }) },
      })
    ).json();
    const cleared = await t.call('PATCH', `/api/residents/${r.id}`, { token: admin, body: { tags: [], disabilityGrade: null } });
    expect(cleared.statusCode, cleared.body).toBe(200);
    expect(cleared.json()).toMatchObject({ tags: [], disabilityGrade: null });
    // Sequence 91 is odd: a man (GB 11643).
    const wrong = await t.call('PATCH', `/api/residents/${r.id}`, { token: admin, body: { gender: 'female' } });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors[0]).toEqual({ field: 'body.gender', message: '与身份证号中的性别不一致' });
    expect((await t.call('PATCH', `/api/residents/${r.id}`, { token: admin, body: { birthDate: '1970-05-06' } })).statusCode).toBe(400);
  });
});

describe('scope: nobody finds a resident outside their area by any search', () => {
  it('a community worker of another community finds nothing, by ID, phone, name or listing', async () => {
    const id = makeIdNumber('990102', '19551111', 61);
    const created = (
      await t.call('POST', '/api/residents', {
        token: admin,
        body: { regionId: liuan, ...person({ name: '司马青云', idNumber: id, phone: '13366667777' }) },
      })
    ).json();
    const other = await t.login('jiangyue_admin');
    for (const q of [id, '13366667777', '司马', 'smqy', '']) {
      const res = await t.call('GET', '/api/residents', { token: other, query: q ? { q } : {} });
      expect(res.statusCode).toBe(200);
      expect(res.json().items.map((x: { id: string }) => x.id)).not.toContain(created.id);
    }
    expect((await t.call('GET', `/api/residents/${created.id}`, { token: other })).statusCode).toBe(403);
    expect((await t.call('GET', '/api/residents', { token: other, query: { communityId: liuan } })).statusCode).toBe(403);
    // Its street sees it.
    const street = await t.call('GET', '/api/residents', { token: await t.login('binhe_admin'), query: { q: id } });
    expect(street.json().items.map((x: { id: string }) => x.id)).toEqual([created.id]);
  });

  it('a grid worker sees the people of its own grid only', async () => {
    const inGrid = (
      await t.call('POST', '/api/residents', { token: admin, body: { regionId: grid1, ...person({ name: '网格内' }) } })
    ).json();
    const outside = (
      await t.call('POST', '/api/residents', {
        token: admin,
        body: { regionId: await t.region('柳岸第二网格'), ...person({ name: '网格外' }) },
      })
    ).json();
    const res = await t.call('GET', '/api/residents', { token: await t.login('liuan_grid1'), query: { pageSize: '500' } });
    const ids = res.json().items.map((x: { id: string }) => x.id);
    expect(ids).toContain(inGrid.id);
    expect(ids).not.toContain(outside.id);
    expect(res.json().items.every((x: { gridId: string }) => x.gridId === grid1)).toBe(true);
  });
});

describe('buildings, rooms and who lives where', () => {
  it('finds people by any one, two or more characters of their name, and by the new name after a rename', async () => {
    const made = (
      await t.call('POST', '/api/residents', { token: admin, body: { regionId: liuan, ...person({ name: '欧阳晓雯' }) } })
    ).json();
    const ids = async (q: string) =>
      ((await t.call('GET', '/api/residents', { token: admin, query: { q, pageSize: '100' } })).json().items as { id: string }[]).map(
        (x) => x.id,
      );
    for (const q of ['雯', '晓雯', '欧阳', '阳晓雯', '欧阳晓雯']) expect(await ids(q), q).toContain(made.id);
    for (const q of ['晓阳', '雯晓', '欧阳晓雯雯']) expect(await ids(q), q).not.toContain(made.id); // pieces out of order do not match
    const renamed = await t.call('PATCH', `/api/residents/${made.id}`, { token: admin, body: { name: '欧阳晓雪' } });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(await ids('晓雪')).toContain(made.id);
    expect(await ids('晓雯')).not.toContain(made.id);
  });

  it('lists the buildings of one grid', async () => {
    const { rows } = await t.db.$client.query<{ grid_id: string; n: number }>(
      'select grid_id, count(*)::int as n from buildings where community_id = $1 and grid_id is not null group by grid_id order by grid_id limit 1',
      [liuan],
    );
    const list = (await t.call('GET', '/api/buildings', { token: admin, query: { gridId: rows[0]!.grid_id } })).json();
    expect(list).toHaveLength(rows[0]!.n);
    expect(list.every((b: { gridId: string }) => b.gridId === rows[0]!.grid_id)).toBe(true);
    const all = (await t.call('GET', '/api/buildings', { token: admin })).json();
    expect(all.length).toBeGreaterThan(list.length);
  });

  it('registers a building with units and rooms with a standard address, and moves people in and out', async () => {
    const b = await t.call('POST', '/api/buildings', {
      token: admin,
      body: { regionId: grid1, compound: '柳岸花园', road: '滨河路18号', number: '30', floors: 6, units: 2 },
    });
    expect(b.statusCode, b.body).toBe(201);
    expect(b.json()).toMatchObject({ label: '柳岸花园30栋', gridId: grid1 });
    const room = await t.call('POST', '/api/rooms', {
      token: admin,
      body: { buildingId: b.json().id, unitNumber: '1', floor: 3, number: '301', area: 89.5 },
    });
    expect(room.statusCode, room.body).toBe(201);
    expect(room.json().address).toBe('青川市临江区滨河街道柳岸社区 滨河路18号 柳岸花园 30栋 1单元 301室');
    expect(
      (await t.call('POST', '/api/rooms', { token: admin, body: { buildingId: b.json().id, unitNumber: '1', floor: 3, number: '301' } }))
        .statusCode,
    ).toBe(409);
    expect(
      (await t.call('POST', '/api/rooms', { token: admin, body: { buildingId: b.json().id, unitNumber: '9', number: '101' } })).statusCode,
    ).toBe(400);

    const r = (await t.call('POST', '/api/residents', { token: admin, body: { regionId: liuan, ...person({ name: '迁入者' }) } })).json();
    const moveIn = await t.call('POST', '/api/residencies', {
      token: admin,
      body: { residentId: r.id, roomId: room.json().id, relation: 'owner', householdHead: true, movedInOn: '2020-05-01' },
    });
    expect(moveIn.statusCode, moveIn.body).toBe(201);
    const detail = (await t.call('GET', `/api/residents/${r.id}`, { token: admin })).json();
    expect(detail.gridId).toBe(grid1); // the grid follows the home
    expect(detail.homes[0]).toMatchObject({ address: room.json().address, relation: 'owner', householdHead: true });
    // Address fragments find the people living there.
    const byAddress = (await t.call('GET', '/api/residents', { token: admin, query: { q: '30栋 1单元 301' } })).json();
    expect(byAddress.items.map((x: { id: string }) => x.id)).toContain(r.id);
    // Lists say where each person lives now.
    const listed = byAddress.items.find((x: { id: string }) => x.id === r.id);
    expect(listed.homes).toEqual([{ address: room.json().address, relation: 'owner' }]);

    const building = (await t.call('GET', `/api/buildings/${b.json().id}`, { token: admin })).json();
    expect(building).toMatchObject({ rooms: 1, occupied: 1 });
    expect(building.roomList[0]).toMatchObject({ number: '301', unitNumber: '1', occupants: 1 });

    const out = await t.call('PATCH', `/api/residencies/${moveIn.json().id}`, { token: admin, body: { movedOutOn: '2019-01-01' } });
    expect(out.statusCode).toBe(400);
    expect(
      (await t.call('PATCH', `/api/residencies/${moveIn.json().id}`, { token: admin, body: { movedOutOn: '2024-06-30' } })).statusCode,
    ).toBe(200);
    expect((await t.call('GET', `/api/buildings/${b.json().id}`, { token: admin })).json().occupied).toBe(0);
    // Moved out: no longer listed as living there.
    const after = (await t.call('GET', '/api/residents', { token: admin, query: { q: '迁入者' } })).json();
    expect(after.items.find((x: { id: string }) => x.id === r.id).homes).toEqual([]);
  });
});

describe('finding a room by its address', () => {
  it('finds rooms by address fragment within scope, with their occupants', async () => {
    const { rows } = await t.db.$client.query<{ address: string; id: string }>(
      `select r.address, r.id from rooms r where r.community_id = $1
        and exists (select 1 from residencies h where h.room_id = r.id and h.moved_out_on is null) order by r.address limit 1`,
      [liuan],
    );
    const room = rows[0]!;
    const fragment = room.address.split(' ').slice(-3).join(' '); // e.g. 1栋 1单元 101室
    const found = (await t.call('GET', '/api/rooms', { token: admin, query: { q: fragment } })).json();
    expect(found.items.map((r: { id: string }) => r.id)).toContain(room.id);
    expect(found.items.every((r: { address: string }) => r.address.includes(fragment))).toBe(true);
    expect(found.items.find((r: { id: string }) => r.id === room.id).occupants).toBeGreaterThan(0);
    const other = (await t.call('GET', '/api/rooms', { token: await t.login('jiangyue_admin'), query: { q: fragment } })).json();
    expect(other.items.map((r: { id: string }) => r.id)).not.toContain(room.id);
    const grid = (await t.call('GET', '/api/rooms', { token: await t.login('liuan_grid1'), query: { pageSize: '500' } })).json();
    const { rows: inGrid } = await t.db.$client.query<{ n: number }>(
      'select count(*)::int as n from rooms r join buildings b on b.community_id = r.community_id and b.id = r.building_id where b.grid_id = $1',
      [grid1],
    );
    expect(grid.total).toBe(inGrid[0]!.n);
  });
});

describe('数字门牌 (digital house plates)', () => {
  it('a room plate opens a public page with the address, grid and grid workers, and nothing personal', async () => {
    const { rows } = await t.db.$client.query<{ community_id: string; plate_code: string; address: string; id: string }>(
      `select r.community_id, r.plate_code, r.address, r.id from rooms r
        where r.community_id = $1 and exists (select 1 from residencies h where h.room_id = r.id and h.moved_out_on is null) limit 1`,
      [liuan],
    );
    const room = rows[0]!;
    const res = await t.call('GET', `/api/plates/${room.community_id}/${room.plate_code}`);
    expect(res.statusCode).toBe(200);
    const p = res.json();
    expect(p).toMatchObject({ kind: 'room', address: room.address, community: '柳岸社区' });
    expect(p.grid).toMatch(/^柳岸第.网格$/);
    expect(p.gridWorkers.length).toBeGreaterThan(0);
    // None of the occupants' names appear.
    const { rows: people } = await t.db.$client.query<{ name: string }>(
      'select s.name from residencies h join residents s on s.id = h.resident_id where h.room_id = $1',
      [room.id],
    );
    for (const x of people) expect(res.body).not.toContain(x.name);
    const page = await t.call('GET', `/plate/${room.community_id}/${room.plate_code}`);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain(room.address.split(' ')[0]!);
    // 报事报修 is open: it leads to the resident report page with this plate.
    const report = p.services.find((x: { key: string }) => x.key === 'report');
    expect(report).toMatchObject({ available: true, href: `/m/report?community=${room.community_id}&plate=${room.plate_code}` });
    expect(page.body).toContain(`href="/m/report?community=${room.community_id}&#38;plate=${room.plate_code}"`);
    expect((await t.call('GET', `/api/plates/${room.community_id}/nosuchplate`)).statusCode).toBe(404);
  });

  it('prints a sheet of QR codes for a building and its rooms, each pointing at its plate page', async () => {
    const { rows } = await t.db.$client.query<{ id: string; community_id: string; plate_code: string }>(
      'select id, community_id, plate_code from buildings where community_id = $1 limit 1',
      [liuan],
    );
    const b = rows[0]!;
    const res = await t.call('GET', `/api/buildings/${b.id}/plates.html`, { token: admin });
    expect(res.statusCode).toBe(200);
    const svgCount = (res.body.match(/<svg/g) ?? []).length;
    const { rows: n } = await t.db.$client.query<{ n: number }>('select count(*)::int as n from rooms where building_id = $1', [b.id]);
    expect(svgCount).toBe(n[0]!.n + 1);
    // The building's own QR encodes the URL of its plate page.
    expect(res.body).toContain(await qrSvg(plateUrl('http://localhost:80', b.community_id, b.plate_code)));
    expect((await t.call('GET', `/api/buildings/${b.id}/plates.html`, { token: await t.login('jiangyue_admin') })).statusCode).toBe(403);
  });
});
