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
});
