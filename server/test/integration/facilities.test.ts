import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTestApp, type TestApp } from '../helpers.js';

let t: TestApp;
let token: string;
beforeAll(async () => {
  t = await setupTestApp();
  token = await t.login('liuan_admin');
});
afterAll(() => t.close());

describe('places and facilities (地、物)', () => {
  it('registers a shelter and a charging point, lists them by kind, and takes one out of service', async () => {
    const liuan = await t.region('柳岸社区');
    const grid = await t.region('柳岸第一网格');
    const shelter = await t.call('POST', '/api/facilities', {
      token,
      body: {
        regionId: liuan,
        kind: 'shelter',
        name: '柳岸公园应急避难场所',
        location: '柳岸公园',
        lng: 118.15,
        lat: 30.12,
        capacity: 800,
        attributes: { 面积: '6000㎡', 物资储备: true },
      },
    });
    expect(shelter.statusCode, shelter.body).toBe(201);
    expect(shelter.json()).toMatchObject({ kindLabel: '应急避难场所', group: 'place', capacity: 800, gridId: null });
    const charger = (
      await t.call('POST', '/api/facilities', { token, body: { regionId: grid, kind: 'ev_charger', name: '3栋南侧充电桩', capacity: 6 } })
    ).json();
    expect(charger).toMatchObject({ group: 'thing', gridId: grid });
    expect(
      (await t.call('POST', '/api/facilities', { token, body: { regionId: liuan, kind: 'shelter', name: '柳岸公园应急避难场所' } }))
        .statusCode,
    ).toBe(409);
    const shelters = (await t.call('GET', '/api/facilities', { token, query: { kind: 'shelter' } })).json();
    expect(shelters.map((f: { name: string }) => f.name)).toEqual(['柳岸公园应急避难场所']);
    const off = await t.call('PATCH', `/api/facilities/${charger.id}`, { token, body: { status: 'out_of_service' } });
    expect(off.json().status).toBe('out_of_service');
    // A grid worker of another grid sees community-wide places but not the other grid's things.
    const other = (await t.call('GET', '/api/facilities', { token: await t.login('liuan_grid2') }))
      .json()
      .map((f: { name: string }) => f.name);
    expect(other).toContain('柳岸公园应急避难场所');
    expect(other).not.toContain('3栋南侧充电桩');
    expect((await t.call('GET', `/api/facilities/${charger.id}`, { token: await t.login('jiangyue_admin') })).statusCode).toBe(403);
  });

  it('moves a facility to another grid of its community, and no further', async () => {
    const grid1 = await t.region('柳岸第一网格');
    const grid2 = await t.region('柳岸第二网格');
    const liuan = await t.region('柳岸社区');
    const box = (
      await t.call('POST', '/api/facilities', { token, body: { regionId: grid1, kind: 'ev_charger', name: '5栋北侧充电桩', capacity: 4 } })
    ).json();
    const grid2Worker = await t.login('liuan_grid2');
    const seenBy2 = async () =>
      (await t.call('GET', '/api/facilities', { token: grid2Worker })).json().map((f: { name: string }) => f.name) as string[];
    expect(await seenBy2()).not.toContain('5栋北侧充电桩');
    const moved = await t.call('PATCH', `/api/facilities/${box.id}`, { token, body: { regionId: grid2, capacity: 6 } });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ gridId: grid2, capacity: 6 });
    expect(await seenBy2()).toContain('5栋北侧充电桩');
    const audit = await t.db.$client.query(
      "select detail from audit_log where target_type = 'facility' and target_id = $1 and action = 'facility.update' order by occurred_at desc limit 1",
      [box.id],
    );
    expect(audit.rows[0].detail).toMatchObject({ changed: ['capacity', 'gridId'], fromGridId: grid1, toGridId: grid2 });
    // To the community itself (no grid); not to another community; not out of a grid worker's scope.
    expect((await t.call('PATCH', `/api/facilities/${box.id}`, { token, body: { regionId: liuan } })).json().gridId).toBeNull();
    // (Only community administrators and grid workers write the register, so another community is
    // always out of the caller's scope; the service also refuses it, with 400 on body.regionId.)
    const elsewhere = await t.call('PATCH', `/api/facilities/${box.id}`, { token, body: { regionId: await t.region('江月社区') } });
    expect(elsewhere.statusCode).toBe(403);
    const outOfScope = await t.call('PATCH', `/api/facilities/${box.id}`, { token: grid2Worker, body: { regionId: grid1 } });
    expect(outOfScope.statusCode).toBe(403);
    expect((await t.call('GET', `/api/facilities/${box.id}`, { token })).json().gridId).toBeNull();
  });
});
