// Rotating the data key (crypto/rotate.ts) against a real PostgreSQL: the demo city and a few rows of
// our own are written under key A (the test key); the server switches to key B with A as previous
// key. Before the job runs, people are still found by phone and ID number (search, duplicate checks,
// imports, report tracking); the job rewrites every blob and index under B, resumably and without
// overwriting what users change meanwhile; a second run changes nothing; afterwards B alone reads and
// finds everything.
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blindIndex, blobKeyId, decrypt, encrypt, loadDataKeys, type DataKeys } from '../../src/crypto/personal-data.js';
import { PERSONAL_DATA_TABLES, rotateDataKeys, type RotationReport } from '../../src/crypto/rotate.js';
import { buildApp } from '../../src/http/app.js';
import { queueSms } from '../../src/modules/notifications/service.js';
import { RESIDENT_COLUMNS } from '../../src/modules/registry/ledger.js';
import { makeIdNumber } from '../../src/modules/registry/model.js';
import { documentIndex, phoneIndex } from '../../src/modules/registry/service.js';
import { setupTestApp, testKeys, type TestApp } from '../helpers.js';
import { TEST_DATA_KEY } from '../keys.js';

const KEY_B = 'b7'.repeat(32);
const KEY_C = Buffer.alloc(32, 0xc3).toString('base64');
const keysOf = (current: string, ...previous: string[]): DataKeys =>
  loadDataKeys({
    env: { JIAYUAN_DATA_KEY: current, JIAYUAN_DATA_KEY_PREVIOUS: previous.join(',') },
    dataDir: '/nonexistent',
    allowGenerated: false,
  });
const keysA = testKeys(); // the demo template's key
const keysBA = keysOf(KEY_B, TEST_DATA_KEY);
const keysB = keysOf(KEY_B);

let t: TestApp;
let liuan: string;
const apps: FastifyInstance[] = [];

/** The same server (database, config) restarted with other keys; calls as `t.call` does. */
async function serverWith(keys: DataKeys) {
  const app = await buildApp({ db: t.db, config: t.config, keys });
  await app.ready();
  apps.push(app);
  return (method: string, url: string, opts: { token?: string; body?: unknown; query?: Record<string, string>; type?: string } = {}) =>
    app.inject({
      method: method as 'GET',
      url,
      ...(opts.query ? { query: opts.query } : {}),
      headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...(opts.type ? { 'content-type': opts.type } : {}) },
      ...(opts.body !== undefined ? { payload: opts.body as object } : {}),
    });
}
type Call = Awaited<ReturnType<typeof serverWith>>;

const sql = async <R extends Record<string, unknown>>(text: string, params: unknown[] = []) =>
  (await t.db.$client.query<R>(text, params)).rows;

/** Rows of every personal-data table with a blob not under `keyId`. */
async function rowsNotUnder(keyId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const spec of PERSONAL_DATA_TABLES) {
    const stale = spec.columns.map((c) => `(${c.enc} is not null and substring(${c.enc} from 2 for 4) <> decode($1, 'hex'))`).join(' or ');
    out[spec.table] = (await sql<{ n: number }>(`select count(*)::int as n from ${spec.table} where ${stale}`, [keyId]))[0]!.n;
  }
  return out;
}

/**
 * Every blob of every table decrypts under `keys` and carries `keys`' current key id, and every index
 * is the current key's index of the plaintext (computed here as each module computes it). Returns the
 * number of blobs checked.
 */
async function expectAllUnder(keys: DataKeys): Promise<number> {
  let blobs = 0;
  const residents = await sql<{
    id_type: string;
    id_number_enc: Buffer;
    id_number_index: string;
    phone_enc: Buffer | null;
    phone_index: string | null;
  }>('select id_type, id_number_enc, id_number_index, phone_enc, phone_index from residents');
  for (const r of residents) {
    expect(blobKeyId(r.id_number_enc)).toBe(keys.keyId);
    expect(r.id_number_index).toBe(documentIndex(keys, r.id_type, decrypt(keys, r.id_number_enc, 'resident.id_number')));
    blobs++;
    if (r.phone_enc) {
      expect(blobKeyId(r.phone_enc)).toBe(keys.keyId);
      expect(r.phone_index).toBe(phoneIndex(keys, decrypt(keys, r.phone_enc, 'resident.phone')));
      blobs++;
    } else expect(r.phone_index).toBeNull();
  }
  for (const [table, enc, hash, context] of [
    ['users', 'phone_enc', 'phone_hash', 'users.phone'],
    ['grid_events', 'reporter_phone_enc', 'reporter_phone_hash', 'grid_events.reporter_phone'],
    ['sms_outbox', 'phone_enc', 'phone_hash', 'sms_outbox.phone'],
  ] as const) {
    const rows = await sql<{ enc: Buffer; hash: string }>(`select ${enc} as enc, ${hash} as hash from ${table} where ${enc} is not null`);
    for (const r of rows) {
      expect(blobKeyId(r.enc)).toBe(keys.keyId);
      expect(r.hash).toBe(blindIndex(keys, 'phone', decrypt(keys, r.enc, context)));
      blobs++;
    }
  }
  return blobs;
}

/** What a rotation must never change: masked copies and the rows' own timestamps. */
const untouched = async () =>
  (
    await sql<{ h: string }>(
      `select md5(string_agg(concat_ws('|', id, id_number_masked, phone_masked, updated_at), ',' order by id)) as h from residents`,
    )
  )[0]!.h + (await sql<{ h: string }>(`select md5(string_agg(concat_ws('|', id, phone_masked), ',' order by id)) as h from users`))[0]!.h;

const total = (r: RotationReport, k: 'scanned' | 'rewritten' | 'changedMeanwhile' | 'conflicts' | 'unreadable' | 'skipped') =>
  r.tables.reduce((n, x) => n + x[k], 0);

// Our own people and messages, written under key A.
const idP = makeIdNumber('990102', '19660606', 771);
const phoneP = '13677770001';
const idQ = makeIdNumber('990102', '19700707', 772);
const reporterPhone = '13677770003';
const userPhone = '13677770004';
const smsPhone = '13677770005';
let personP: string;
let personQ: string;
let trackingCode: string;
let adminA: string; // liuan_admin
let cityAdmin: string;
let room: { compound: string; building: string; unit: string | null; room: string };

beforeAll(async () => {
  t = await setupTestApp(); // key A
  liuan = await t.region('柳岸社区');
  adminA = await t.login('liuan_admin');
  cityAdmin = await t.login('admin');
  const create = async (idNumber: string, phone: string) => {
    const r = await t.call('POST', '/api/residents', {
      token: adminA,
      body: { regionId: liuan, name: '轮换测试', idType: 'resident_id', idNumber, phone },
    });
    expect(r.statusCode, r.body).toBe(201);
    return r.json().id as string;
  };
  personP = await create(idP, phoneP);
  personQ = await create(idQ, '13677770002');
  const [plate] = await sql<{ plate_code: string }>('select plate_code from buildings where community_id = $1 order by id limit 1', [
    liuan,
  ]);
  const report = await t.call('POST', '/api/public/grid/reports', {
    body: {
      categoryCode: 'property.repair',
      description: '楼道灯不亮',
      plate: { communityId: liuan, code: plate!.plate_code },
      reporterPhone,
    },
  });
  expect(report.statusCode, report.body).toBe(201);
  trackingCode = report.json().trackingCode;
  const [gw] = await sql<{ id: string }>("select id from users where username = 'liuan_grid1'");
  const phoned = await t.call('PATCH', `/api/users/${gw!.id}`, { token: cityAdmin, body: { phone: userPhone } });
  expect(phoned.statusCode, phoned.body).toBe(200);
  expect(await queueSms(t.db, keysA, [{ communityId: liuan, phone: smsPhone, text: '测试短信', dedupeKey: 'rotation-test' }])).toBe(1);
  const rooms = await sql<typeof room>(
    `select b.compound, b.number as building, u.number as unit, r.number as room
       from rooms r join buildings b on b.community_id = r.community_id and b.id = r.building_id
       left join building_units u on u.community_id = r.community_id and u.id = r.unit_id
      where r.community_id = $1 order by r.id limit 1`,
    [liuan],
  );
  room = rooms[0]!;
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await t.close();
});

const idsOf = async (call: Call, token: string, q: string) =>
  ((await call('GET', '/api/residents', { token, query: { q } })).json().items as { id: string }[]).map((x) => x.id);

async function importFile(call: Call, token: string, idNumber: string): Promise<Record<string, unknown>> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('居民');
  ws.addRow(RESIDENT_COLUMNS.map((c) => (c.required ? `${c.header}*` : c.header)));
  const values: Partial<Record<(typeof RESIDENT_COLUMNS)[number]['key'], string>> = {
    name: '轮换测试',
    idNumber,
    compound: room.compound,
    building: room.building,
    unit: room.unit ?? '',
    room: room.room,
    relation: '家庭成员',
  };
  ws.addRow(RESIDENT_COLUMNS.map((c) => values[c.key] ?? null));
  const res = await call('POST', `/api/registry/imports/residents?regionId=${liuan}&mode=commit`, {
    token,
    body: Buffer.from(await wb.xlsx.writeBuffer()),
    type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

describe('key rotation', () => {
  let callB: Call; // the server restarted with B, A as previous key
  let stale: Record<string, number>;
  const before = { untouched: '' };

  it('before the job runs, a server on key B (A previous) still finds, de-duplicates and tracks what A wrote', async () => {
    callB = await serverWith(keysBA);
    stale = await rowsNotUnder(keysB.keyId);
    expect(stale.residents).toBeGreaterThan(5000);
    expect(stale.users).toBeGreaterThanOrEqual(1);
    expect(stale.grid_events).toBeGreaterThan(1);
    expect(stale.sms_outbox).toBe(1);

    // Searches by phone and by ID number (the indexes are still A's).
    expect(await idsOf(callB, adminA, phoneP)).toEqual([personP]);
    expect(await idsOf(callB, adminA, idP)).toEqual([personP]);
    // A demo resident too.
    const [demo] = await sql<{ id: string; id_number_enc: Buffer }>(
      'select id, id_number_enc from residents where community_id = $1 and id <> all($2::uuid[]) order by id limit 1',
      [liuan, [personP, personQ]],
    );
    expect(await idsOf(callB, adminA, decrypt(keysA, demo!.id_number_enc, 'resident.id_number'))).toEqual([demo!.id]);

    // The same ID number again: refused, on create and in an import (unchanged, nothing inserted).
    const dup = await callB('POST', '/api/residents', {
      token: adminA,
      body: { regionId: liuan, name: '重复的人', idType: 'resident_id', idNumber: idP },
    });
    expect(dup.statusCode, dup.body).toBe(409);
    expect(await importFile(callB, adminA, idP)).toMatchObject({ total: 1, inserted: 0, unchanged: 1, committed: true });
    expect(await idsOf(callB, adminA, idP)).toEqual([personP]);
    // Re-entering a person's own (unchanged) number is not a conflict with themselves.
    const same = await callB('PATCH', `/api/residents/${personQ}`, {
      token: adminA,
      body: { idType: 'resident_id', idNumber: idQ, note: '核对' },
    });
    expect(same.statusCode, same.body).toBe(200);
    expect(await idsOf(callB, adminA, idQ)).toEqual([personQ]);
    // Changing someone's number to another person's (written under A) is refused.
    const taken = await callB('PATCH', `/api/residents/${personQ}`, { token: adminA, body: { idNumber: idP } });
    expect(taken.statusCode, taken.body).toBe(409);

    // The reporter follows the report with code + phone; the phone was indexed under A.
    const track = await callB('POST', '/api/public/grid/track', { body: { code: trackingCode, phone: reporterPhone } });
    expect(track.statusCode, track.body).toBe(200);
    expect((await callB('POST', '/api/public/grid/track', { body: { code: trackingCode, phone: '13677770009' } })).statusCode).toBe(404);

    // A text message with the same dedupe key to the same phone is not queued twice.
    expect(await queueSms(t.db, keysBA, [{ communityId: liuan, phone: smsPhone, text: '测试短信', dedupeKey: 'rotation-test' }])).toBe(0);
    expect(await queueSms(t.db, keysBA, [{ communityId: liuan, phone: smsPhone, text: '另一条', dedupeKey: 'rotation-test-2' }])).toBe(1);
  });

  it('an interrupted run (one batch) leaves a consistent mix that is still searchable; a second run finishes it', async () => {
    before.untouched = await untouched();
    const needed = await rowsNotUnder(keysB.keyId);
    const first = await rotateDataKeys(t.db, keysBA, { maxBatches: 1, batchSize: 1000 });
    expect(first.complete).toBe(false);
    expect(first.done).toBe(false);
    expect(first.tables.map((x) => x.table)).toEqual(['residents']);
    expect(first.tables[0]!.scanned).toBe(1000);
    expect(first.rewritten).toBeGreaterThan(990); // the rows of the batch (a few were rewritten under B already)
    const mixed = await rowsNotUnder(keysB.keyId);
    expect(mixed.residents).toBe(needed.residents! - first.rewritten);
    expect(await idsOf(callB, adminA, phoneP)).toEqual([personP]);
    expect(await idsOf(callB, adminA, idP)).toEqual([personP]);

    const started = Date.now();
    const rest = await rotateDataKeys(t.db, keysBA);
    console.log(
      `rotation of the demo city (${total(rest, 'scanned')} rows read, ${rest.rewritten} rewritten) in ${Date.now() - started} ms: ` +
        rest.tables.map((x) => `${x.table} ${x.rewritten}/${x.scanned}`).join(', '),
    );
    expect(rest.complete).toBe(true);
    expect(rest.done).toBe(true);
    expect(rest.problems).toEqual([]);
    for (const table of Object.keys(needed)) {
      const rewritten = rest.tables.find((x) => x.table === table)!.rewritten + (table === 'residents' ? first.rewritten : 0);
      expect(rewritten, table).toBe(needed[table]);
    }
    expect(await rowsNotUnder(keysB.keyId)).toEqual({ residents: 0, users: 0, grid_events: 0, sms_outbox: 0 });
    expect(await expectAllUnder(keysB)).toBeGreaterThan(10_000);
    expect(await untouched()).toBe(before.untouched);
  });

  it('a second run changes nothing and says so', async () => {
    const again = await rotateDataKeys(t.db, keysBA);
    expect(again).toMatchObject({ complete: true, done: true, rewritten: 0 });
    for (const x of again.tables)
      expect(x, x.table).toMatchObject({ rewritten: 0, changedMeanwhile: 0, conflicts: 0, unreadable: 0, skipped: 0 });
    expect(total(again, 'scanned')).toBeGreaterThan(5000);
  });

  it('every run is in the audit log, by the system, with its counts and no personal data', async () => {
    const rows = await sql<{ actor_id: string | null; outcome: string; target_id: string; detail: Record<string, unknown> }>(
      "select actor_id, outcome, target_id, detail from audit_log where action = 'personal-data.rotate-keys' order by id",
    );
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => r.actor_id)).toEqual([null, null, null]);
    expect(rows.map((r) => r.target_id)).toEqual([keysB.keyId, keysB.keyId, keysB.keyId]);
    expect(rows.map((r) => r.detail.complete)).toEqual([false, true, true]);
    expect(rows[2]!.detail).toMatchObject({ actor: 'system', keyId: keysB.keyId, previousKeyIds: [keysA.keyId], rewritten: 0 });
    expect((rows[1]!.detail.tables as Record<string, { rewritten: number }>).residents!.rewritten).toBeGreaterThan(4000);
    const text = JSON.stringify(rows);
    for (const secret of [idP, phoneP, reporterPhone, userPhone, smsPhone, TEST_DATA_KEY, KEY_B]) expect(text).not.toContain(secret);
  });

  it('afterwards key B alone (no previous key) finds, reveals and tracks everything', async () => {
    const callB0 = await serverWith(keysB);
    expect(await idsOf(callB0, adminA, phoneP)).toEqual([personP]);
    expect(await idsOf(callB0, adminA, idP)).toEqual([personP]);
    const revealed = await callB0('POST', `/api/residents/${personP}/reveal`, { token: adminA });
    expect(revealed.json()).toEqual({ idNumber: idP, phone: phoneP });
    const track = await callB0('POST', '/api/public/grid/track', { body: { code: trackingCode, phone: reporterPhone } });
    expect(track.statusCode, track.body).toBe(200);
    expect(await importFile(callB0, adminA, idP)).toMatchObject({ inserted: 0, unchanged: 1 });
    const [gw] = await sql<{ id: string }>("select id from users where username = 'liuan_grid1'");
    expect((await callB0('POST', `/api/users/${gw!.id}/reveal-phone`, { token: cityAdmin })).json()).toEqual({ phone: userPhone });
  });

  it('a row a user changes between the read and the write is not overwritten, and is finished on a re-read', async () => {
    // The next rotation: C current, B (and A) previous.
    const keysCB = keysOf(KEY_C, KEY_B, TEST_DATA_KEY);
    const callC = await serverWith(keysCB);
    const newPhone = '13677770099';
    let changed: string | null = null;
    const r = await rotateDataKeys(t.db, keysCB, {
      batchSize: 500,
      beforeWrite: async (table, keys) => {
        if (table !== 'residents' || changed) return;
        // A user edits a row of this batch after the job read it.
        changed = keys[3]![1]!;
        const res = await callC('PATCH', `/api/residents/${changed}`, { token: adminA, body: { phone: newPhone, note: '轮换期间修改' } });
        expect(res.statusCode, res.body).toBe(200);
      },
    });
    expect(changed).not.toBeNull();
    expect(r).toMatchObject({ complete: true, done: true });
    expect(r.tables.find((x) => x.table === 'residents')!.changedMeanwhile).toBe(1);
    // The user's phone stands (not the one the job read), and the whole row is under C.
    const [row] = await sql<{ phone_enc: Buffer; id_number_enc: Buffer; note: string; phone_masked: string }>(
      'select phone_enc, id_number_enc, note, phone_masked from residents where id = $1',
      [changed],
    );
    const keysC = keysOf(KEY_C);
    expect(decrypt(keysC, row!.phone_enc, 'resident.phone')).toBe(newPhone);
    expect(row!.phone_masked).toBe('136****0099');
    expect(row!.note).toBe('轮换期间修改');
    expect(blobKeyId(row!.id_number_enc)).toBe(keysC.keyId);
    expect(await idsOf(await serverWith(keysC), adminA, newPhone)).toEqual([changed]);
    expect(await expectAllUnder(keysC)).toBeGreaterThan(10_000);
    expect((await rotateDataKeys(t.db, keysCB)).rewritten).toBe(0);
  });

  it('leaves a duplicate that slipped in, and a blob under a key not loaded, as they are, and says so', async () => {
    const KEY_D = 'd4'.repeat(32);
    const keysDC = keysOf(KEY_D, KEY_C);
    // A second row with P's ID number already under D (written past the checks), and a user's phone
    // under a key nobody loaded.
    const [dup] = await sql<{ id: string }>(
      `insert into residents (community_id, id, name, name_pinyin, name_initials, id_type, id_number_enc, id_number_index, id_number_masked)
       select community_id, gen_random_uuid(), name, name_pinyin, name_initials, id_type, $1, $2, id_number_masked from residents where id = $3
       returning id`,
      [encrypt(keysDC, idP, 'resident.id_number'), documentIndex(keysDC, 'resident_id', idP), personP],
    );
    const [gw] = await sql<{ id: string; phone_enc: Buffer }>("select id, phone_enc from users where username = 'liuan_grid1'");
    await sql('update users set phone_enc = $1 where id = $2', [encrypt(keysOf('e5'.repeat(32)), userPhone, 'users.phone'), gw!.id]);

    const r = await rotateDataKeys(t.db, keysDC, { tables: ['residents', 'users'] });
    expect(r).toMatchObject({ complete: true, done: false });
    const by = Object.fromEntries(r.tables.map((x) => [x.table, x]));
    expect(by.residents).toMatchObject({ conflicts: 1, unreadable: 0 });
    expect(by.users).toMatchObject({ conflicts: 0, unreadable: 1 });
    expect(by.residents!.rewritten).toBe(by.residents!.scanned - 2); // all but P and its duplicate
    expect(r.problems).toHaveLength(2);
    expect(r.problems[0]).toContain(personP);
    expect(r.problems[1]).toMatch(/^users .*not loaded/);
    for (const secret of [idP, userPhone]) expect(r.problems.join('\n')).not.toContain(secret);
    const [p] = await sql<{ id_number_enc: Buffer }>('select id_number_enc from residents where id = $1', [personP]);
    expect(blobKeyId(p!.id_number_enc)).toBe(keysOf(KEY_C).keyId);

    // Resolved (the duplicate removed, the phone restored): the next run finishes.
    await sql('delete from residents where id = $1', [dup!.id]);
    await sql('update users set phone_enc = $1 where id = $2', [gw!.phone_enc, gw!.id]);
    const again = await rotateDataKeys(t.db, keysDC, { tables: ['residents', 'users'] });
    expect(again).toMatchObject({ done: true, rewritten: 2 });
  });

  it('leaves no plaintext anywhere in the database', async () => {
    const tables = await sql<{ name: string }>(
      "select quote_ident(table_schema) || '.' || quote_ident(table_name) as name from information_schema.tables where table_schema in ('public', 'drizzle') and table_type = 'BASE TABLE'",
    );
    for (const { name } of tables) {
      const [d] = await sql<{ dump: string | null }>(`select string_agg(x::text, E'\\n') as dump from ${name} x`);
      for (const secret of [idP, idQ, phoneP, '13677770099', reporterPhone, userPhone, smsPhone])
        expect((d!.dump ?? '').includes(secret), `${name} contains ${secret}`).toBe(false);
    }
  });

  it('knows every encrypted column of the database', async () => {
    const cols = await sql<{ c: string }>(
      "select table_name || '.' || column_name as c from information_schema.columns where table_schema = 'public' and data_type = 'bytea' order by 1",
    );
    const known = PERSONAL_DATA_TABLES.flatMap((s) => s.columns.map((c) => `${s.table}.${c.enc}`)).sort();
    expect(cols.map((x) => x.c)).toEqual(known);
  });
});
