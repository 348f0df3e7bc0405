import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, setupTestApp, type TestApp } from '../helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await setupTestApp();
});
afterAll(() => t.close());

const newUser = (over: Record<string, unknown>) => ({
  username: `u${Math.random().toString(36).slice(2, 9)}`,
  password: 'Good@Pass1',
  displayName: '测试用户',
  roles: ['grid_worker'],
  ...over,
});

describe("creating accounts inside one's scope", () => {
  it('a community administrator creates a grid worker in its grid, who can then log in', async () => {
    const token = await t.login('liuan_admin');
    const grid = await t.region('柳岸第二网格');
    const res = await t.call('POST', '/api/users', {
      token,
      body: newUser({ username: 'wg_liuan_new', displayName: '周晓岚', regionId: grid }),
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      username: 'wg_liuan_new',
      roles: ['grid_worker'],
      regionName: '柳岸第二网格',
      regionLevel: 'grid',
      status: 'active',
    });
    expect((await t.call('POST', '/api/auth/login', { body: { username: 'WG_LIUAN_NEW', password: 'Good@Pass1' } })).statusCode).toBe(200);
  });

  it("refuses a region outside the creator's scope", async () => {
    const token = await t.login('liuan_admin');
    const res = await t.call('POST', '/api/users', { token, body: newUser({ regionId: await t.region('江月第一网格') }) });
    expect(res.statusCode).toBe(403);
    expect(res.json().type).toContain('out-of-scope');
  });

  it("refuses a role wider than the creator's own", async () => {
    const token = await t.login('binhe_admin');
    const res = await t.call('POST', '/api/users', {
      token,
      body: newUser({ roles: ['district_admin'], regionId: await t.region('滨河街道') }),
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().errors[0].message).toBe('无权授予角色「区级管理员」');
    const auditor = await t.call('POST', '/api/users', {
      token,
      body: newUser({ roles: ['auditor'], regionId: await t.region('滨河街道') }),
    });
    expect(auditor.statusCode).toBe(403);
  });

  it('refuses a role bound to the wrong level', async () => {
    const token = await t.login('admin');
    const res = await t.call('POST', '/api/users', {
      token,
      body: newUser({ roles: ['community_admin'], regionId: await t.region('滨河街道') }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].message).toContain('只能绑定到社区级区划');
  });

  it('refuses a weak password, an unknown role and a taken username', async () => {
    const token = await t.login('admin');
    const c = await t.region('柳岸社区');
    expect(
      (await t.call('POST', '/api/users', { token, body: newUser({ password: 'abcdefgh', regionId: c }) })).json().errors[0].field,
    ).toBe('body.password');
    expect((await t.call('POST', '/api/users', { token, body: newUser({ roles: ['superuser'], regionId: c }) })).statusCode).toBe(400);
    const dup = await t.call('POST', '/api/users', {
      token,
      body: newUser({ username: 'Liuan_Admin', roles: ['community_admin'], regionId: c }),
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().errors[0].field).toBe('body.username');
  });
});

describe('listing and changing accounts', () => {
  it('lists only accounts in scope, with search and paging', async () => {
    const token = await t.login('binhe_admin');
    const res = (await t.call('GET', '/api/users', { token, query: { pageSize: '500' } })).json() as {
      items: { username: string; regionName: string }[];
      total: number;
    };
    expect(res.total).toBe(res.items.length);
    const names = res.items.map((u) => u.username);
    expect(names).toContain('liuan_admin');
    expect(names).not.toContain('guiyuan_admin');
    expect(names).not.toContain('admin');
    const searched = (await t.call('GET', '/api/users', { token, query: { q: 'jiangyue' } })).json();
    expect(searched.items.every((u: { username: string }) => u.username.includes('jiangyue'))).toBe(true);
    expect(searched.total).toBeGreaterThan(0);
    const page = (await t.call('GET', '/api/users', { token, query: { pageSize: '2', page: '2' } })).json();
    expect(page.items).toHaveLength(2);
    expect(page.total).toBe(res.total);
    const foreign = await t.call('GET', '/api/users', { token, query: { regionId: await t.region('桂园社区') } });
    expect(foreign.statusCode).toBe(403);
  });

  it("changing roles takes effect and ends the user's sessions", async () => {
    const admin = await t.login('binhe_admin');
    const created = (
      await t.call('POST', '/api/users', {
        token: admin,
        body: newUser({ username: 'role_change', roles: ['handler'], regionId: await t.region('柳岸社区') }),
      })
    ).json();
    const userToken = (await t.call('POST', '/api/auth/login', { body: { username: 'role_change', password: 'Good@Pass1' } })).json().token;
    const res = await t.call('PATCH', `/api/users/${created.id}`, { token: admin, body: { roles: ['community_admin'] } });
    expect(res.statusCode).toBe(200);
    expect(res.json().roles).toEqual(['community_admin']);
    expect((await t.call('GET', '/api/auth/me', { token: userToken })).statusCode).toBe(401);
  });

  it('nobody changes their own roles, and nobody manages a user holding roles they cannot grant', async () => {
    const token = await t.login('binhe_admin');
    const me = (await t.call('GET', '/api/auth/me', { token })).json();
    expect((await t.call('PATCH', `/api/users/${me.id}`, { token, body: { roles: ['district_admin'] } })).statusCode).toBe(403);
    // One's own password changes only through /api/auth/password, which checks the current one.
    const ownPassword = await t.call('PATCH', `/api/users/${me.id}`, { token, body: { password: 'Other@Pass1' } });
    expect(ownPassword.statusCode).toBe(400);
    expect(ownPassword.json().errors[0].field).toBe('body.password');
    const { rows } = await t.db.$client.query<{ id: string }>("select id from users where username = 'binhe_auditor'");
    const res = await t.call('PATCH', `/api/users/${rows[0]!.id}`, { token, body: { password: 'Taken@Over1' } });
    expect(res.statusCode).toBe(403);
    expect((await t.call('POST', '/api/auth/login', { body: { username: 'binhe_auditor', password: DEMO_PASSWORD } })).statusCode).toBe(
      200,
    );
  });

  it('a user outside the scope is 403 to read and to change', async () => {
    const token = await t.login('binhe_admin');
    const { rows } = await t.db.$client.query<{ id: string }>("select id from users where username = 'guiyuan_admin'");
    expect((await t.call('GET', `/api/users/${rows[0]!.id}`, { token })).statusCode).toBe(403);
    expect((await t.call('PATCH', `/api/users/${rows[0]!.id}`, { token, body: { displayName: 'x' } })).statusCode).toBe(403);
  });

  it('moving a user to a region outside the scope is refused', async () => {
    const token = await t.login('binhe_admin');
    const { rows } = await t.db.$client.query<{ id: string }>("select id from users where username = 'liuan_property'");
    const res = await t.call('PATCH', `/api/users/${rows[0]!.id}`, { token, body: { regionId: await t.region('桂园社区') } });
    expect(res.statusCode).toBe(403);
  });
});
