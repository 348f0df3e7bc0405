import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDispatcher } from '../../src/modules/events/service.js';
import { makeIdNumber } from '../../src/modules/registry/model.js';
import { startTimeline } from '../../src/modules/timeline/service.js';
import { setupTestApp, type TestApp } from '../helpers.js';

let t: TestApp;
let token: string;
let stop: () => Promise<void>;
let drain: () => Promise<void>;
beforeAll(async () => {
  t = await setupTestApp();
  token = await t.login('liuan_admin');
  const off = startTimeline(t.db);
  const d = startDispatcher(
    t.db,
    (e) => {
      throw e;
    },
    200,
  );
  drain = () => d.drain();
  stop = async () => {
    await d.stop();
    off();
  };
});
afterAll(async () => {
  await stop();
  await t.close();
});

describe('timelines of people and households', () => {
  it("a person's registration, move-in, change, joining an organisation and move-out appear on their timeline and the room's", async () => {
    const liuan = await t.region('柳岸社区');
    const r = (
      await t.call('POST', '/api/residents', {
        token,
        body: { regionId: liuan, name: '时间线', idType: 'resident_id', idNumber: makeIdNumber('990102', '19660606', 77) },
      })
    ).json();
    const room = (
      await t.db.$client.query<{ id: string; address: string }>(
        'select id, address from rooms where community_id = $1 order by address limit 1',
        [liuan],
      )
    ).rows[0]!;
    const home = (
      await t.call('POST', '/api/residencies', {
        token,
        body: { residentId: r.id, roomId: room.id, relation: 'tenant', movedInOn: '2024-01-01' },
      })
    ).json();
    await t.call('PATCH', `/api/residents/${r.id}`, { token, body: { phone: '13912345678', tags: ['volunteer'] } });
    const team = (await t.call('GET', '/api/organisations', { token, query: { kind: 'volunteer_team' } })).json()[0];
    await t.call('POST', `/api/organisations/${team.id}/members`, { token, body: { residentId: r.id } });
    await t.call('PATCH', `/api/residencies/${home.id}`, { token, body: { movedOutOn: '2026-10-31' } });
    await drain();

    const mine = (await t.call('GET', `/api/residents/${r.id}/timeline`, { token })).json() as { summary: string }[];
    expect(mine.map((e) => e.summary)).toEqual([
      `迁出 ${room.address}`,
      `加入${team.name}（成员）`,
      '信息变更：联系电话、人员标签',
      `以租户身份迁入 ${room.address}`,
      '登记入居民信息库',
    ]);
    const household = (await t.call('GET', `/api/rooms/${room.id}/timeline`, { token })).json() as { summary: string }[];
    expect(household.slice(0, 2).map((e) => e.summary)).toEqual(['时间线 迁出', '时间线（租户）迁入']);
    // Nothing personal beyond what the register shows: no phone number in the timeline.
    expect(JSON.stringify(mine)).not.toContain('13912345678');
  });

  it("a problem reported at a room appears on the room's timeline, and its closure too", async () => {
    const { rows } = await t.db.$client.query<{ id: string }>(
      'select r.id from rooms r join buildings b on b.id = r.building_id where r.community_id = (select id from regions where name = $1) order by r.id limit 1',
      ['柳岸社区'],
    );
    const roomId = rows[0]!.id;
    const ev = (
      await t.call('POST', '/api/grid/events', { token, body: { categoryCode: 'property.repair', description: '卫生间漏水', roomId } })
    ).json();
    await drain();
    const entries = (await t.call('GET', `/api/rooms/${roomId}/timeline`, { token })).json() as { summary: string }[];
    expect(entries[0]!.summary).toBe(`报事：物业服务/报修（${ev.number}）`);
  });

  it('an event delivered twice is written once', async () => {
    const { rows } = await t.db.$client.query("select id from outbox where topic = 'resident.registered' order by id desc limit 1");
    await t.db.$client.query('update outbox set dispatched_at = null where id = $1', [rows[0].id]);
    await drain();
    const { rows: n } = await t.db.$client.query('select count(*)::int as n from timeline_entries where event_id = $1', [rows[0].id]);
    expect(n[0].n).toBe(1);
  });

  it('pages through entries of the same instant without skipping or repeating any', async () => {
    const liuan = await t.region('柳岸社区');
    const r = (
      await t.call('POST', '/api/residents', {
        token,
        body: { regionId: liuan, name: '同刻', idType: 'resident_id', idNumber: makeIdNumber('990102', '19660707', 78) },
      })
    ).json();
    await drain();
    // Seven entries written in one millisecond, as one event touching many subjects can produce.
    await t.db.$client.query(
      `insert into timeline_entries (community_id, id, subject_type, subject_id, occurred_at, topic, summary, event_id, data)
       select $1, gen_random_uuid(), 'resident', $2, '2026-06-01T08:00:00.123Z', 'test.same-instant', '同一时刻 ' || g, gen_random_uuid(), '{}'
         from generate_series(1, 7) g`,
      [liuan, r.id],
    );
    const all = (await t.call('GET', `/api/residents/${r.id}/timeline`, { token, query: { limit: '200' } })).json() as { id: string }[];
    const seen: string[] = [];
    let page: { id: string; occurredAt: string }[] = [];
    let query: Record<string, string> = { limit: '2' };
    do {
      page = (await t.call('GET', `/api/residents/${r.id}/timeline`, { token, query })).json();
      seen.push(...page.map((e) => e.id));
      const last = page[page.length - 1];
      if (last) query = { limit: '2', before: last.occurredAt, beforeId: last.id };
    } while (page.length === 2);
    expect(seen).toEqual(all.map((e) => e.id));
    expect(new Set(seen).size).toBe(all.length);
    expect(all.length).toBeGreaterThanOrEqual(8); // the registration and the seven
    const bad = await t.call('GET', `/api/residents/${r.id}/timeline`, { token, query: { beforeId: all[0]!.id } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('query.before');
  });

  it('another community cannot read the timeline', async () => {
    const someone = (await t.call('GET', '/api/residents', { token, query: { pageSize: '1' } })).json().items[0];
    expect((await t.call('GET', `/api/residents/${someone.id}/timeline`, { token: await t.login('jiangyue_admin') })).statusCode).toBe(403);
  });
});
