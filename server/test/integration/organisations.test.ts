import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditCheckChar } from '../../src/modules/organisations/model.js';
import { setupTestApp, type TestApp } from '../helpers.js';

let t: TestApp;
let token: string;
let liuan: string;
beforeAll(async () => {
  t = await setupTestApp();
  token = await t.login('liuan_admin');
  liuan = await t.region('柳岸社区');
});
afterAll(() => t.close());

describe('community organisations (组织)', () => {
  it('the demo community has its Party branch, committees, property company and volunteer team with members', async () => {
    const list = (await t.call('GET', '/api/organisations', { token })).json() as {
      kind: string;
      name: string;
      members: number;
      communityId: string;
    }[];
    expect(list.every((o) => o.communityId === liuan)).toBe(true);
    const kinds = new Set(list.map((o) => o.kind));
    for (const k of ['party', 'residents_committee', 'supervisory_committee', 'property_company', 'social_org', 'volunteer_team'])
      expect(kinds).toContain(k);
    const party = list.find((o) => o.kind === 'party')!;
    expect(party.name).toBe('中共柳岸社区委员会');
    expect(party.members).toBeGreaterThan(5);
    // Every Party member of the branch is tagged party_member in the register: one fact, kept once.
    const detail = (
      await t.call('GET', `/api/organisations/${(list as unknown as { id: string }[])[list.indexOf(party)]!.id}`, { token })
    ).json();
    const ids = detail.memberList.map((m: { residentId: string }) => m.residentId);
    const { rows } = await t.db.$client.query(
      "select count(*)::int as n from residents where id = any($1) and not tags @> array['party_member']",
      [ids],
    );
    expect(rows[0].n).toBe(0);
  });

  it('registers an organisation, checking its credit code and phone, and refuses a duplicate name', async () => {
    const body17 = '5299010251234567A';
    const good = body17 + creditCheckChar(body17);
    const bad = body17 + (creditCheckChar(body17) === '0' ? '1' : '0');
    const wrong = await t.call('POST', '/api/organisations', {
      token,
      body: { regionId: liuan, kind: 'social_org', name: '柳岸书画社', creditCode: bad, contactPhone: '123' },
    });
    expect(wrong.statusCode).toBe(400);
    expect(
      wrong
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['body.contactPhone', 'body.creditCode']);
    const ok = await t.call('POST', '/api/organisations', {
      token,
      body: { regionId: liuan, kind: 'social_org', name: '柳岸书画社', creditCode: good.toLowerCase(), contactPhone: '0571-87654321' },
    });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ kindLabel: '社会组织', creditCode: good, members: 0 });
    expect(
      (await t.call('POST', '/api/organisations', { token, body: { regionId: liuan, kind: 'other', name: '柳岸书画社' } })).statusCode,
    ).toBe(409);
  });

  it('members are residents of the community or named non-residents; a resident of another community is refused', async () => {
    const org = (
      await t.call('POST', '/api/organisations', { token, body: { regionId: liuan, kind: 'volunteer_team', name: '柳岸夜巡队' } })
    ).json();
    const someone = (await t.call('GET', '/api/residents', { token, query: { pageSize: '1' } })).json().items[0];
    const add = await t.call('POST', `/api/organisations/${org.id}/members`, {
      token,
      body: { residentId: someone.id, position: '队长', joinedOn: '2024-01-01' },
    });
    expect(add.statusCode, add.body).toBe(201);
    expect(add.json()).toMatchObject({ name: someone.name, position: '队长' });
    expect((await t.call('POST', `/api/organisations/${org.id}/members`, { token, body: { residentId: someone.id } })).statusCode).toBe(
      409,
    );
    expect((await t.call('POST', `/api/organisations/${org.id}/members`, { token, body: { name: '外聘教练' } })).statusCode).toBe(201);
    expect((await t.call('POST', `/api/organisations/${org.id}/members`, { token, body: {} })).statusCode).toBe(400);
    const foreign = (await t.call('GET', '/api/residents', { token: await t.login('jiangyue_admin'), query: { pageSize: '1' } })).json()
      .items[0];
    expect((await t.call('POST', `/api/organisations/${org.id}/members`, { token, body: { residentId: foreign.id } })).statusCode).toBe(
      403,
    );
    const leave = await t.call('PATCH', `/api/organisation-members/${add.json().id}`, { token, body: { leftOn: '2023-01-01' } });
    expect(leave.statusCode).toBe(400);
    expect(
      (await t.call('PATCH', `/api/organisation-members/${add.json().id}`, { token, body: { leftOn: '2025-06-30' } })).json().leftOn,
    ).toBe('2025-06-30');
    const detail = (await t.call('GET', `/api/organisations/${org.id}`, { token })).json();
    expect(detail.members).toBe(1);
    expect(detail.memberList).toHaveLength(2);
  });

  it('another community cannot see or change them', async () => {
    const other = await t.login('jiangyue_admin');
    const mine = (await t.call('GET', '/api/organisations', { token })).json()[0];
    expect((await t.call('GET', `/api/organisations/${mine.id}`, { token: other })).statusCode).toBe(403);
    expect((await t.call('PATCH', `/api/organisations/${mine.id}`, { token: other, body: { note: 'x' } })).statusCode).toBe(403);
    const theirs = (await t.call('GET', '/api/organisations', { token: other })).json() as { communityId: string }[];
    expect(theirs.some((o) => o.communityId === liuan)).toBe(false);
  });
});
