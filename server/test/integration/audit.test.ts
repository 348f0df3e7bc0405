import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/modules/audit/service.js';
import { setupTestApp, type TestApp } from '../helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await setupTestApp();
});
afterAll(() => t.close());

interface Entry {
  seq: number;
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

  it('the database refuses UPDATE, DELETE and TRUNCATE', async () => {
    await expect(t.db.$client.query("update audit_log set action = 'x' where seq = 1")).rejects.toThrow(/append-only/);
    await expect(t.db.$client.query('delete from audit_log where seq = 1')).rejects.toThrow(/append-only/);
    await expect(t.db.$client.query('truncate audit_log')).rejects.toThrow(/append-only/);
  });

  it('refuses an insert that does not link to the last entry', async () => {
    await expect(
      t.db.$client.query(
        `insert into audit_log (seq, id, occurred_at, actor_roles, action, scope_path, outcome, status_code, detail, prev_hash, hash)
         values (999999, gen_random_uuid(), now(), '{}', 'forged', '/', 'success', 200, '{}', 'x', 'y')`,
      ),
    ).rejects.toThrow(/does not link/);
  });

  it('the hash chain verifies, and detects an entry altered behind the triggers', async () => {
    const ok = await verifyChain(t.db);
    expect(ok.ok).toBe(true);
    expect(ok.checked).toBeGreaterThan(5);
    const api = await t.call('GET', '/api/audit/verify', { token: await t.login('city_auditor') });
    expect(api.json().ok).toBe(true);
    // A superuser can switch triggers off; the chain still shows the edit.
    await t.db.$client.query('alter table audit_log disable trigger user');
    await t.db.$client.query('update audit_log set detail = \'{"name":"篡改"}\' where seq = 2');
    await t.db.$client.query('alter table audit_log enable trigger user');
    const broken = await verifyChain(t.db);
    expect(broken).toMatchObject({ ok: false, break: { seq: 2, reason: 'hash' } });
  });
});
