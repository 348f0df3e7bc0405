// Accounts' own mobile phones against a real PostgreSQL: stored only encrypted (blind index, masked copy),
// masked in every answer, revealed only by an audited call, set by the person themselves; and the elderly
// SOS escalation sends a text message to the recipients who have one (and only to them).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decrypt } from '../../src/crypto/personal-data.js';
import { fireDue } from '../../src/modules/deadlines/service.js';
import { setupTestApp, testKeys, type TestApp } from '../helpers.js';

let t: TestApp;
let admin: string;
let liuan: string;
const keys = testKeys();

const userId = async (username: string) =>
  (await t.db.$client.query<{ id: string }>('select id from users where username = $1', [username])).rows[0]!.id;

/** Every row of `table` as text (bytea as latin1), as a dump would hold it. */
async function dump(table: string): Promise<string> {
  const { rows } = await t.db.$client.query<{ d: string | null }>(`select string_agg(x::text, E'\\n') as d from ${table} x`);
  return rows[0]!.d ?? '';
}

beforeAll(async () => {
  t = await setupTestApp();
  admin = await t.login('liuan_admin');
  liuan = await t.region('柳岸社区');
});
afterAll(() => t.close());

describe('account phones', () => {
  it('are stored encrypted, answered masked, and revealed only by an audited call', async () => {
    const created = await t.call('POST', '/api/users', {
      token: admin,
      body: {
        username: 'phone_gw',
        password: 'Phone@2026',
        displayName: '手机网格员',
        roles: ['grid_worker'],
        regionId: liuan,
        phone: '+86 139-1111-2222',
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    expect(created.json().phone).toBe('139****2222');
    expect((await t.call('GET', `/api/users/${id}`, { token: admin })).json().phone).toBe('139****2222');
    const list = (await t.call('GET', '/api/users', { token: admin, query: { q: 'phone_gw' } })).json();
    expect(list.items[0].phone).toBe('139****2222');

    const changed = await t.call('PATCH', `/api/users/${id}`, { token: admin, body: { phone: '13911113333' } });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json().phone).toBe('139****3333');

    const { rows } = await t.db.$client.query<{ phone_enc: Buffer; phone_hash: string; phone_masked: string }>(
      'select phone_enc, phone_hash, phone_masked from users where id = $1',
      [id],
    );
    expect(decrypt(keys, rows[0]!.phone_enc, 'users.phone')).toBe('13911113333');
    expect(rows[0]!.phone_hash).toMatch(/\S/);
    expect(rows[0]!.phone_masked).toBe('139****3333');

    const reveal = await t.call('POST', `/api/users/${id}/reveal-phone`, { token: admin });
    expect(reveal.statusCode, reveal.body).toBe(200);
    expect(reveal.json()).toEqual({ phone: '13911113333' });
    const audit = await t.db.$client.query<{ outcome: string; detail: unknown }>(
      "select outcome, detail from audit_log where action = 'user.reveal-phone' and target_id = $1",
      [id],
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0]!.outcome).toBe('success');

    // Not for someone without user management, not for an account out of scope.
    const grid = await t.login('liuan_grid1');
    expect((await t.call('POST', `/api/users/${id}/reveal-phone`, { token: grid })).statusCode).toBe(403);

    // Nothing in the database holds the number in plain text (users, audit log, events, …).
    const { rows: tables } = await t.db.$client.query<{ name: string }>(
      "select quote_ident(table_schema) || '.' || quote_ident(table_name) as name from information_schema.tables where table_schema in ('public', 'drizzle') and table_type = 'BASE TABLE'",
    );
    for (const { name } of tables) {
      const d = await dump(name);
      for (const secret of ['13911112222', '13911113333', '139-1111-2222'])
        expect(d.includes(secret), `${name} contains ${secret}`).toBe(false);
    }

    // Cleared with null.
    const cleared = await t.call('PATCH', `/api/users/${id}`, { token: admin, body: { phone: null } });
    expect(cleared.json().phone).toBeNull();
    expect((await t.call('POST', `/api/users/${id}/reveal-phone`, { token: admin })).json()).toEqual({ phone: null });
  });

  it('refuses a number that is not a mobile, naming body.phone', async () => {
    for (const [phone, message] of [
      ['1381234567', '手机号码应为 11 位'],
      ['0571-87654321', '请填写 11 位手机号码（短信只能发送到手机）'],
      ['abc', '联系电话只能包含数字、空格、短横线和 +86 前缀'],
    ] as const) {
      const r = await t.call('POST', '/api/users', {
        token: admin,
        body: { username: 'bad_phone', password: 'Phone@2026', displayName: '坏号码', roles: ['grid_worker'], regionId: liuan, phone },
      });
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json().errors).toContainEqual({ field: 'body.phone', message });
    }
    const id = await userId('liuan_grid1');
    const p = await t.call('PATCH', `/api/users/${id}`, { token: admin, body: { phone: '12345' } });
    expect(p.statusCode).toBe(400);
    expect(p.json().errors[0].field).toBe('body.phone');
    const own = await t.call('PATCH', '/api/auth/me', { token: await t.login('liuan_resident'), body: { phone: '010-12345678' } });
    expect(own.statusCode).toBe(400);
    expect(own.json().errors[0].field).toBe('body.phone');
  });

  it('lets anyone set and clear their own phone', async () => {
    const resident = await t.login('liuan_resident');
    const set = await t.call('PATCH', '/api/auth/me', { token: resident, body: { phone: '13722223333' } });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ username: 'liuan_resident', phone: '137****3333' });
    expect((await t.call('GET', '/api/auth/me', { token: resident })).json().phone).toBe('137****3333');
    expect(await dump('users')).not.toContain('13722223333');
    const audit = await t.db.$client.query(
      "select 1 from audit_log where action = 'auth.update-profile' and target_id = $1 and outcome = 'success'",
      [await userId('liuan_resident')],
    );
    expect(audit.rows).toHaveLength(1);
    const cleared = await t.call('PATCH', '/api/auth/me', { token: resident, body: { phone: '' } });
    expect(cleared.json().phone).toBeNull();
  });
});

describe('SOS escalation by text message', () => {
  it('queues a text message for each recipient with a phone, none for those without, and no plaintext in sms_outbox', async () => {
    const resident = await t.login('liuan_resident');
    expect((await t.call('PATCH', '/api/auth/me', { token: resident, body: { phone: '13755550001' } })).statusCode).toBe(200);
    // The device serves someone living with liuan_resident (as in notifications.test.ts).
    const { rows } = await t.db.$client.query<{ resident_id: string; room_id: string }>(
      `select h.resident_id, h.room_id from users u
       join residencies m on m.resident_id = u.resident_id and m.moved_out_on is null
       join residencies h on h.community_id = m.community_id and h.room_id = m.room_id and h.moved_out_on is null and h.resident_id <> u.resident_id
       where u.username = 'liuan_resident' order by h.resident_id limit 1`,
    );
    const elder = rows[0]!;
    const reg = await t.call('POST', '/api/devices', {
      token: admin,
      body: { type: 'sos_button', name: '一键呼救（短信测试）', roomId: elder.room_id, residentId: elder.resident_id },
    });
    expect(reg.statusCode, reg.body).toBe(201);
    const d = reg.json() as { id: string; gridId: string; credentials: { password: string } };
    const { rows: workers } = await t.db.$client.query<{ id: string }>(
      "select id from users where 'grid_worker' = any(roles) and region_id = $1 and status = 'active' order by username",
      [d.gridId],
    );
    expect(workers.length).toBeGreaterThan(0);
    // One grid worker has a phone, the others none.
    await t.db.$client.query('update users set phone_enc = null, phone_hash = null, phone_masked = null where id = any($1::uuid[])', [
      workers.map((w) => w.id),
    ]);
    const gw = workers[0]!.id;
    expect((await t.call('PATCH', `/api/users/${gw}`, { token: admin, body: { phone: '13755550002' } })).statusCode).toBe(200);

    const tel = await t.app.inject({
      method: 'POST',
      url: `/api/devices/${d.id}/telemetry`,
      headers: {
        authorization: `Basic ${Buffer.from(`${d.id}:${d.credentials.password}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      payload: JSON.stringify({ values: { pressed: true } }),
    });
    expect(tel.statusCode, tel.body).toBeLessThan(300);
    const alarmId = (await t.db.$client.query<{ id: string }>('select id from alarms where device_id = $1', [d.id])).rows[0]!.id;
    await fireDue(t.db, new Date());

    const sms = await t.db.$client.query<{ phone_enc: Buffer; phone_masked: string; text: string; subject_id: string }>(
      'select phone_enc, phone_masked, text, subject_id from sms_outbox where subject_id = $1 order by phone_masked',
      [alarmId],
    );
    const phones = sms.rows.map((m) => decrypt(keys, m.phone_enc, 'sms_outbox.phone')).sort();
    expect(phones).toEqual(['13755550001', '13755550002']);
    expect(sms.rows.map((m) => m.phone_masked)).toEqual(['137****0001', '137****0002']);
    const { rows: served } = await t.db.$client.query<{ name: string }>('select name from residents where id = $1', [elder.resident_id]);
    for (const m of sms.rows) {
      expect(m.text).toMatch(/^【家园】紧急：.+的一键呼救告警尚未确认，请立即处置。$/);
      expect(m.text).not.toContain(served[0]!.name); // the name masked
      expect(m.text).toContain(Array.from(served[0]!.name)[0]!);
    }
    const out = await dump('sms_outbox');
    expect(out).not.toContain('13755550001');
    expect(out).not.toContain('13755550002');

    const { rows: comments } = await t.db.$client.query<{ text: string }>(
      "select text from alarm_comments where alarm_id = $1 and kind = 'notify'",
      [alarmId],
    );
    expect(comments[0]!.text).toMatch(/^已通知家属与网格员 \d+ 人（第 1 级），其中 2 人同时发送短信$/);

    // Firing again (an at-least-once worker) queues nothing more.
    await fireDue(t.db, new Date());
    expect((await t.db.$client.query('select 1 from sms_outbox where subject_id = $1', [alarmId])).rows).toHaveLength(2);
  });
});
