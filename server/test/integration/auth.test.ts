import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, setupTestApp, TEST_ADMIN_PASSWORD, type TestApp } from '../helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await setupTestApp({ loginMaxFailures: 3, loginLockSeconds: 60 });
});
afterAll(() => t.close());

const login = (username: string, password: string) => t.call('POST', '/api/auth/login', { body: { username, password } });

describe('login, tokens and logout', () => {
  it('returns a token and the user; the token opens the API', async () => {
    const res = await login('admin', TEST_ADMIN_PASSWORD);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.user).toMatchObject({ username: 'admin', roles: ['city_admin'], regionLevel: 'city', regionName: '青川市' });
    expect(new Date(body.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const me = await t.call('GET', '/api/auth/me', { token: body.token });
    expect(me.statusCode).toBe(200);
    expect(me.json().permissions).toContain('users.write');
  });

  it('stores neither the password nor the token in plain text', async () => {
    const res = await login('binhe_admin', DEMO_PASSWORD);
    const token = res.json().token as string;
    const { rows } = await t.db.$client.query<{ password_hash: string }>("select password_hash from users where username = 'binhe_admin'");
    expect(rows[0]!.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(rows[0]!.password_hash).not.toContain(DEMO_PASSWORD);
    const { rowCount } = await t.db.$client.query('select 1 from sessions where token_hash = $1', [token]);
    expect(rowCount).toBe(0);
  });

  it('refuses requests without a token, with a malformed or an unknown one', async () => {
    expect((await t.call('GET', '/api/regions')).statusCode).toBe(401);
    const bad = await t.app.inject({ method: 'GET', url: '/api/regions', headers: { authorization: 'Basic abc' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().title).toBe('未登录或登录已过期');
    expect((await t.call('GET', '/api/regions', { token: 'x'.repeat(43) })).statusCode).toBe(401);
  });

  it('logout ends the session', async () => {
    const token = (await login('jiangyue_admin', DEMO_PASSWORD)).json().token as string;
    expect((await t.call('GET', '/api/auth/me', { token })).statusCode).toBe(200);
    expect((await t.call('POST', '/api/auth/logout', { token })).statusCode).toBe(204);
    expect((await t.call('GET', '/api/auth/me', { token })).statusCode).toBe(401);
  });

  it('an expired session is refused', async () => {
    const token = (await login('xiaofeng_admin', DEMO_PASSWORD)).json().token as string;
    await t.db.$client.query(
      "update sessions set expires_at = now() - interval '1 second' where user_id = (select id from users where username = 'xiaofeng_admin')",
    );
    const res = await t.call('GET', '/api/auth/me', { token });
    expect(res.statusCode).toBe(401);
  });

  it('wrong password and unknown user give the same answer', async () => {
    const a = await login('admin', 'wrong-password');
    const b = await login('nobody_here', 'wrong-password');
    expect(a.statusCode).toBe(401);
    expect(b.statusCode).toBe(401);
    expect(a.json()).toEqual(b.json());
  });

  it('slows repeated failures and then locks the account; an administrator can unlock it', async () => {
    const user = 'jinxiu_admin';
    const t0 = Date.now();
    expect((await login(user, 'bad-1')).statusCode).toBe(401);
    expect((await login(user, 'bad-2')).statusCode).toBe(401);
    // Failure n waits 250 ms × n: at least 750 ms for the first two.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
    const third = await login(user, 'bad-3');
    expect(third.statusCode).toBe(423);
    expect(third.json().type).toContain('account-locked');
    // Locked: even the right password is refused.
    expect((await login(user, DEMO_PASSWORD)).statusCode).toBe(423);

    const admin = (await login('admin', TEST_ADMIN_PASSWORD)).json().token as string;
    const { rows } = await t.db.$client.query<{ id: string }>('select id from users where username = $1', [user]);
    const listed = await t.call('GET', `/api/users/${rows[0]!.id}`, { token: admin });
    expect(new Date(listed.json().lockedUntil).getTime()).toBeGreaterThan(Date.now());
    const unlock = await t.call('PATCH', `/api/users/${rows[0]!.id}`, { token: admin, body: { unlock: true } });
    expect(unlock.statusCode).toBe(200);
    expect(unlock.json().lockedUntil).toBeNull();
    const { rowCount } = await t.db.$client.query('select 1 from login_throttle where username_key = $1', [user]);
    expect(rowCount).toBe(0);
    expect((await login(user, DEMO_PASSWORD)).statusCode).toBe(200);
  });

  it('a made-up username is slowed and locked exactly like a real one', async () => {
    const real = [await login('huaiyin_admin', 'x1'), await login('huaiyin_admin', 'x2'), await login('huaiyin_admin', 'x3')];
    const fake = [await login('no_such_person', 'x1'), await login('no_such_person', 'x2'), await login('no_such_person', 'x3')];
    expect(real.map((r) => r.statusCode)).toEqual([401, 401, 423]);
    expect(fake.map((r) => r.statusCode)).toEqual([401, 401, 423]);
    expect(real[2]!.json().title).toBe(fake[2]!.json().title);
    // The lock is shown in China Standard Time, as people read it.
    expect(fake[2]!.json().detail).toMatch(/^登录失败次数过多，请于 \d{4}\/\d{2}\/\d{2} \d{2}:\d{2} 后再试$/);
  });

  it('a disabled account cannot log in and its sessions end', async () => {
    const token = (await login('guiyuan_admin', DEMO_PASSWORD)).json().token as string;
    const admin = (await login('admin', TEST_ADMIN_PASSWORD)).json().token as string;
    const { rows } = await t.db.$client.query<{ id: string }>("select id from users where username = 'guiyuan_admin'");
    expect((await t.call('PATCH', `/api/users/${rows[0]!.id}`, { token: admin, body: { status: 'disabled' } })).statusCode).toBe(200);
    expect((await t.call('GET', '/api/auth/me', { token })).statusCode).toBe(401);
    const res = await login('guiyuan_admin', DEMO_PASSWORD);
    expect(res.statusCode).toBe(403);
    expect(res.json().title).toBe('账号已停用');
  });

  it("changing one's password checks the old one and ends other sessions", async () => {
    const a = (await login('zhuxi_admin', DEMO_PASSWORD)).json().token as string;
    const b = (await login('zhuxi_admin', DEMO_PASSWORD)).json().token as string;
    const wrong = await t.call('POST', '/api/auth/password', { token: a, body: { currentPassword: 'nope', newPassword: 'New@Pass2026' } });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors[0].field).toBe('body.currentPassword');
    const weak = await t.call('POST', '/api/auth/password', { token: a, body: { currentPassword: DEMO_PASSWORD, newPassword: 'short' } });
    expect(weak.statusCode).toBe(400);
    expect(
      (await t.call('POST', '/api/auth/password', { token: a, body: { currentPassword: DEMO_PASSWORD, newPassword: 'New@Pass2026' } }))
        .statusCode,
    ).toBe(204);
    expect((await t.call('GET', '/api/auth/me', { token: a })).statusCode).toBe(200);
    expect((await t.call('GET', '/api/auth/me', { token: b })).statusCode).toBe(401);
    expect((await login('zhuxi_admin', 'New@Pass2026')).statusCode).toBe(200);
  });
});
