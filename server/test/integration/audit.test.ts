import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealPending, verifyChain } from '../../src/modules/audit/service.js';
import { setupTestApp, type TestApp } from '../helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await setupTestApp();
});
afterAll(() => t.close());

interface Entry {
  seq: number | null;
  targetType: string | null;
  action: string;
  actorName: string | null;
  outcome: string;
  statusCode: number;
  ip: string | null;
  targetId: string | null;
  detail: Record<string, unknown>;
}

async function entries(token: string, query: Record<string, string> = {}) {
  const res = await t.call('GET', '/api/audit', { token, query });
  expect(res.statusCode).toBe(200);
  return res.json().items as Entry[];
}

describe('audit log', () => {
  it('records a successful write with who, what, where from and the outcome', async () => {
    const token = await t.login('binhe_admin');
    const created = await t.call('POST', '/api/regions', {
      token,
      body: { parentId: await t.region('滨河街道'), name: '审计社区', code: '990102001007' },
    });
    expect(created.statusCode).toBe(201);
    const list = await entries(await t.login('city_auditor'), { action: 'region.create' });
    const e = list.find((x) => x.targetId === created.json().id)!;
    expect(e).toMatchObject({ action: 'region.create', outcome: 'success', statusCode: 201, ip: '127.0.0.1' });
    expect(e.actorName).toBeTruthy();
    expect(e.detail).toMatchObject({ name: '审计社区', code: '990102001007' });
  });

  it('records refused writes and failed logins too', async () => {
    const token = await t.login('liuan_grid1');
    expect(
      (await t.call('POST', '/api/regions', { token, body: { parentId: await t.region('柳岸社区'), name: 'x', code: '990102001001009' } }))
        .statusCode,
    ).toBe(403);
    expect((await t.call('POST', '/api/auth/login', { body: { username: 'admin', password: 'guess' } })).statusCode).toBe(401);
    const list = await entries(await t.login('city_auditor'), { outcome: 'denied' });
    expect(list.some((e) => e.action === 'region.create' && e.statusCode === 403)).toBe(true);
    const patch = await t.call('PATCH', `/api/regions/${await t.region('江月社区')}`, { token, body: { name: 'x' } });
    expect(patch.statusCode).toBe(403);
    const refused = (await entries(await t.login('city_auditor'), { action: 'region.update', outcome: 'denied' }))[0]!;
    expect(refused).toMatchObject({ targetType: 'region', targetId: await t.region('江月社区') });
    expect(list.some((e) => e.action === 'auth.login' && e.statusCode === 401 && e.detail.username === 'admin')).toBe(true);
  });

  it('an auditor sees only the entries of its own area', async () => {
    const qs = await t.login('qingshan_admin');
    await t.call('POST', '/api/regions', {
      token: qs,
      body: { parentId: await t.region('翠屏街道'), name: '青山审计社区', code: '990103001008' },
    });
    const street = await entries(await t.login('binhe_auditor'), { limit: '500' });
    expect(street.length).toBeGreaterThan(0);
    expect(street.some((e) => e.detail.name === '青山审计社区')).toBe(false);
    const city = await entries(await t.login('city_auditor'), { limit: '500' });
    expect(city.some((e) => e.detail.name === '青山审计社区')).toBe(true);
  });

  it('only auditors read it, and every read is itself recorded', async () => {
    expect((await t.call('GET', '/api/audit', { token: await t.login('admin') })).statusCode).toBe(403);
    const auditor = await t.login('city_auditor');
    await entries(auditor);
    const reads = await entries(auditor, { action: 'audit.read' });
    expect(reads.length).toBeGreaterThan(0);
  });

  it('the database refuses DELETE and TRUNCATE, and any UPDATE but sealing', async () => {
    await sealPending(t.db);
    await expect(t.db.$client.query("update audit_log set action = 'x' where seq = 1")).rejects.toThrow(/append-only/);
    await expect(t.db.$client.query('delete from audit_log where seq = 1')).rejects.toThrow(/append-only/);
    await expect(t.db.$client.query('truncate audit_log')).rejects.toThrow(/append-only/);
    // An entry not yet sealed cannot be edited either, only sealed.
    await t.call('POST', '/api/auth/login', { body: { username: 'admin', password: 'guess-again' } });
    const { rows } = await t.db.$client.query<{ id: string }>('select id from audit_log where seq is null limit 1');
    expect(rows).toHaveLength(1);
    await expect(t.db.$client.query("update audit_log set outcome = 'success' where id = $1", [rows[0]!.id])).rejects.toThrow(
      /append-only/,
    );
  });

  it('refuses entries inserted already sealed, and seals that do not link', async () => {
    await expect(
      t.db.$client.query(
        `insert into audit_log (id, seq, occurred_at, actor_roles, action, scope_path, outcome, status_code, detail, prev_hash, hash)
         values (gen_random_uuid(), 999999, now(), '{}', 'forged', '/', 'success', 200, '{}', 'x', 'y')`,
      ),
    ).rejects.toThrow(/inserted unsealed/);
    await t.call('POST', '/api/auth/login', { body: { username: 'admin', password: 'guess-once-more' } });
    const { rows } = await t.db.$client.query<{ id: string }>('select id from audit_log where seq is null limit 1');
    await expect(
      t.db.$client.query("update audit_log set seq = 999999, prev_hash = 'x', hash = 'y' where id = $1", [rows[0]!.id]),
    ).rejects.toThrow(/does not link/);
  });

  it('concurrent writes are all sealed into one unbroken chain', async () => {
    const token = await t.login('admin');
    const grids = (await t.db.$client.query<{ id: string }>("select id from regions where level = 'grid' limit 20")).rows;
    const results = await Promise.all(grids.map((g, i) => t.call('PATCH', `/api/regions/${g.id}`, { token, body: { sortOrder: 50 + i } })));
    expect(results.every((r) => r.statusCode === 200)).toBe(true);
    while ((await sealPending(t.db, 7)) > 0);
    const r = await verifyChain(t.db);
    expect(r).toMatchObject({ ok: true, pending: 0 });
    const { rows } = await t.db.$client.query<{ n: number; max: number }>('select count(*)::int as n, max(seq)::int as max from audit_log');
    expect(rows[0]!.max).toBe(rows[0]!.n); // seq 1..n, no gaps
  });

  it('the hash chain verifies, and detects an entry altered behind the triggers', async () => {
    while ((await sealPending(t.db)) > 0);
    const ok = await verifyChain(t.db);
    expect(ok.ok).toBe(true);
    expect(ok.checked).toBeGreaterThan(5);
    const api = await t.call('GET', '/api/audit/verify', { token: await t.login('city_auditor') });
    expect(api.json()).toMatchObject({ ok: true, pending: 0 });
    // A superuser can switch triggers off; the chain still shows the edit.
    await t.db.$client.query('alter table audit_log disable trigger user');
    await t.db.$client.query('update audit_log set detail = \'{"name":"篡改"}\' where seq = 2');
    await t.db.$client.query('alter table audit_log enable trigger user');
    const broken = await verifyChain(t.db);
    expect(broken).toMatchObject({ ok: false, break: { seq: 2, reason: 'hash' } });
  });
});
