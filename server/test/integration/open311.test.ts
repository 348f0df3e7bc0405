// Open311 GeoReport v2 (issue 5 §7; `003` L2P7): another platform reports through the spec's calls and
// follows its requests; they are ordinary grid events in the console. The client below speaks the spec
// (form-encoded POST, `.json` resources, error arrays) and knows nothing of our own API.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTestApp, type TestApp } from '../helpers.js';

let t: TestApp;
let admin: string; // the city administrator (admin)
let liuanAdmin: string;
let partner: { id: string; name: string; apiKey: string };
let inside: { lat: number; long: number };

interface SpecError {
  code: number;
  description: string;
}
interface ServiceRequest {
  service_request_id: string;
  status: 'open' | 'closed';
  status_notes: string | null;
  service_name: string;
  service_code: string;
  description: string;
  agency_responsible: string | null;
  service_notice: string | null;
  requested_datetime: string;
  updated_datetime: string;
  expected_datetime: string | null;
  address: string | null;
  lat: number | null;
  long: number | null;
  media_url: string | null;
}

/** A minimal GeoReport v2 client: form-encoded POSTs, JSON answers, errors as `[{code, description}]`. */
const open311 = {
  async get<T>(path: string, query: Record<string, string> = {}): Promise<{ status: number; body: T; res: LightMyRequestResponse }> {
    const res = await t.app.inject({ method: 'GET', url: `/open311/v2/${path}`, query });
    return { status: res.statusCode, body: res.json() as T, res };
  },
  async post(fields: Record<string, string | number | undefined>) {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) form.append(k, String(v));
    const res = await t.app.inject({
      method: 'POST',
      url: '/open311/v2/requests.json',
      payload: form.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    return { status: res.statusCode, body: res.json() as unknown, res };
  },
};

function expectSpecError(r: { status: number; body: unknown; res: LightMyRequestResponse }, status: number, mentions?: string) {
  expect(r.status, r.res.body).toBe(status);
  expect(r.res.headers['content-type']).toContain('application/json');
  expect(r.res.headers['content-type']).not.toContain('problem');
  const errors = r.body as SpecError[];
  expect(Array.isArray(errors)).toBe(true);
  expect(errors.length).toBeGreaterThan(0);
  for (const e of errors) {
    expect(e.code).toBe(status);
    expect(typeof e.description).toBe('string');
  }
  if (mentions) expect(errors.map((e) => e.description).join(' ')).toContain(mentions);
}

async function eventIdOf(number: string): Promise<string> {
  const { rows } = await t.db.$client.query<{ id: string }>('select id from grid_events where number = $1', [number]);
  return rows[0]!.id;
}

beforeAll(async () => {
  t = await setupTestApp();
  admin = await t.login('admin');
  liuanAdmin = await t.login('liuan_admin');
  const p = await t.call('POST', '/api/grid/partners', { token: admin, body: { name: '随手拍平台' } });
  expect(p.statusCode, p.body).toBe(201);
  partner = p.json();
  expect(partner.apiKey).toBeTruthy();
  // The centre of a demo grid of 柳岸社区 (demo grids are rectangles).
  const { rows } = await t.db.$client.query<{ boundary: { type: 'Polygon'; coordinates: number[][][] } }>(
    `select g.boundary from regions g join regions c on c.id = g.parent_id
     where g.level = 'grid' and c.name = '柳岸社区' and g.boundary is not null order by g.code limit 1`,
  );
  const ring = rows[0]!.boundary.coordinates[0]!;
  const xs = ring.map((p) => p[0]!);
  const ys = ring.map((p) => p[1]!);
  inside = { long: (Math.min(...xs) + Math.max(...xs)) / 2, lat: (Math.min(...ys) + Math.max(...ys)) / 2 };
});
afterAll(() => t.close());

describe('Open311 GeoReport v2', () => {
  it('discovery names the v2 endpoint, JSON only', async () => {
    const r = await open311.get<{
      changeset: string;
      endpoints: { specification: string; url: string; formats: string[]; type: string }[];
    }>('discovery.json');
    expect(r.status).toBe(200);
    expect(r.body.endpoints).toEqual([
      expect.objectContaining({
        specification: 'http://wiki.open311.org/GeoReport_v2',
        url: expect.stringMatching(/\/open311\/v2$/),
        type: 'production',
        formats: ['application/json'],
      }),
    ]);
    expect(r.body.changeset).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('services are the active level-2 categories, grouped by level 1', async () => {
    const r = await open311.get<{ service_code: string; service_name: string; group: string; metadata: boolean; type: string }[]>(
      'services.json',
      { jurisdiction_id: 'qingchuan' },
    );
    expect(r.status).toBe(200);
    expect(r.body).toContainEqual(
      expect.objectContaining({
        service_code: 'property.repair',
        service_name: '报修',
        group: '物业服务',
        metadata: false,
        type: 'realtime',
      }),
    );
    expect(r.body.some((s) => !s.service_code.includes('.'))).toBe(false);
    const def = await open311.get<{ service_code: string; attributes: unknown[] }>('services/property.repair.json');
    expect(def.status).toBe(200);
    expect(def.body).toEqual({ service_code: 'property.repair', attributes: [] });
    expectSpecError(await open311.get('services/no.such.json'), 404);
  });

  it('a partner posts a request (form-encoded); it is an open grid event in the console', async () => {
    const r = await open311.post({
      api_key: partner.apiKey,
      service_code: 'property.repair',
      lat: inside.lat,
      long: inside.long,
      address_string: '柳岸社区 3 号楼东侧',
      description: '楼道灯不亮已经三天',
      first_name: '三',
      last_name: '张',
      phone: '13812345678',
      email: 'zhangsan@example.com',
      media_url: 'https://img.example.com/a.jpg',
      'attribute[WHISPER]': 'ignored',
    });
    expect(r.status, r.res.body).toBe(201);
    const [created] = r.body as { service_request_id: string; service_notice: string; account_id: null }[];
    expect(created!.service_request_id).toMatch(/^\d{8}-\d{6}$/);
    expect(created!.account_id).toBeNull();
    expect(created!.service_notice).toContain('处置时限');

    const id = await eventIdOf(created!.service_request_id);
    const ev = await t.call('GET', `/api/grid/events/${id}`, { token: admin });
    expect(ev.statusCode, ev.body).toBe(200);
    expect(ev.json()).toMatchObject({
      categoryCode: 'property.repair',
      channel: 'open311',
      reporterKind: 'platform',
      reporterName: '张三',
      status: 'reported',
      description: '楼道灯不亮已经三天',
      photos: ['https://img.example.com/a.jpg'],
      address: '柳岸社区 3 号楼东侧',
    });
    expect(ev.json().transitions[0]).toMatchObject({ action: 'report', actorName: '随手拍平台' });
    const { rows } = await t.db.$client.query('select partner_id from grid_events where id = $1', [id]);
    expect(rows[0]!.partner_id).toBe(partner.id);

    const one = await open311.get<ServiceRequest[]>(`requests/${created!.service_request_id}.json`);
    expect(one.status).toBe(200);
    expect(one.body).toHaveLength(1);
    expect(one.body[0]).toMatchObject({
      service_request_id: created!.service_request_id,
      status: 'open',
      service_code: 'property.repair',
      service_name: '报修',
      description: '楼道灯不亮已经三天',
      media_url: 'https://img.example.com/a.jpg',
      lat: inside.lat,
      long: inside.long,
      zipcode: null,
    });
    expect(one.body[0]!.expected_datetime).toMatch(/^\d{4}-\d{2}-\d{2}T.*Z$/);
    expect(one.body[0]!.status_notes).toContain('待受理');
    // No personal data on the public read: neither the phone (full or masked), nor the name, nor the email.
    for (const text of [one.res.body, (await open311.get('requests.json')).res.body]) {
      expect(text).not.toContain('13812345678');
      expect(text).not.toContain('138****5678');
      expect(text).not.toContain('张三');
      expect(text).not.toContain('zhangsan@example.com');
    }
  });

  it('a JSON body works too; a missing description takes the service name; data: photos are never served', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/open311/v2/requests.json',
      payload: { api_key: partner.apiKey, service_code: 'env.garbage', lat: inside.lat, long: inside.long },
    });
    expect(res.statusCode, res.body).toBe(201);
    const number = (res.json() as { service_request_id: string }[])[0]!.service_request_id;
    // A photo another channel stored inline stays inside the platform.
    await t.db.$client.query(`update grid_events set photos = '["data:image/png;base64,AAAA"]'::jsonb where number = $1`, [number]);
    const one = await open311.get<ServiceRequest[]>(`requests/${number}.json`);
    expect(one.body[0]).toMatchObject({ service_code: 'env.garbage', description: '垃圾堆放', media_url: null });
  });

  it('refuses bad keys, missing or unknown service codes, points outside every grid, bad input — in the spec error format', async () => {
    const base = { api_key: partner.apiKey, service_code: 'property.repair', lat: inside.lat, long: inside.long, description: '测试' };
    expectSpecError(await open311.post({ ...base, api_key: 'not-a-real-key-0000000000' }), 403, 'api_key');
    expectSpecError(await open311.post({ ...base, api_key: undefined }), 400, 'api_key');
    expectSpecError(await open311.post({ ...base, service_code: undefined }), 400, 'service_code');
    expectSpecError(await open311.post({ ...base, service_code: 'no.such' }), 400, 'service_code');
    expectSpecError(await open311.post({ ...base, service_code: 'property' }), 400, 'service_code');
    expectSpecError(await open311.post({ ...base, lat: 0, long: 0 }), 400, 'long');
    expectSpecError(await open311.post({ ...base, lat: undefined, long: undefined, address_string: '柳岸社区 3 号楼' }), 400, 'lat');
    expectSpecError(await open311.post({ ...base, long: undefined }), 400, 'long');
    expectSpecError(await open311.post({ ...base, lat: '95' }), 400, 'lat');
    expectSpecError(await open311.post({ ...base, lat: 'north' }), 400, 'lat');
    expectSpecError(await open311.post({ ...base, phone: '12345' }), 400, 'phone');
    expectSpecError(await open311.post({ ...base, media_url: 'ftp://x/y.jpg' }), 400, 'media_url');
    expectSpecError(await open311.post({ ...base, colour: 'red' }), 400, 'colour');
    // Malformed JSON, a content type the spec does not use, the XML forms.
    const bad = await t.app.inject({
      method: 'POST',
      url: '/open311/v2/requests.json',
      payload: '{"api_key":',
      headers: { 'content-type': 'application/json' },
    });
    expectSpecError({ status: bad.statusCode, body: bad.json(), res: bad }, 400);
    const text = await t.app.inject({
      method: 'POST',
      url: '/open311/v2/requests.json',
      payload: '<service_request/>',
      headers: { 'content-type': 'application/xml' },
    });
    expectSpecError({ status: text.statusCode, body: text.json(), res: text }, 415);
    expectSpecError(await open311.get('services.xml'), 400, 'JSON');
    expectSpecError(await open311.get('requests/1.xml'), 400, 'JSON');
    expectSpecError(await open311.get('nothing-here'), 404);
    expectSpecError(await open311.get('requests/19990101-000001.json'), 404);
    expectSpecError(await open311.get('requests.json', { status: 'pending' }), 400, 'status');
    expectSpecError(await open311.get('requests.json', { start_date: 'yesterday' }), 400, 'start_date');
    expectSpecError(await open311.get('requests.json', { start_date: '2026-01-01', end_date: '2026-06-01' }), 400, 'end_date');
    expectSpecError(await open311.get('services.json', { colour: 'red' }), 400, 'colour');
  });

  it('GET requests.json filters by status, service code, dates and ids', async () => {
    const make = async (description: string) => {
      const r = await open311.post({
        api_key: partner.apiKey,
        service_code: 'property.parking',
        lat: inside.lat,
        long: inside.long,
        description,
      });
      expect(r.status, r.res.body).toBe(201);
      return (r.body as { service_request_id: string }[])[0]!.service_request_id;
    };
    const a = await make('小区门口车辆乱停');
    const b = await make('消防通道被占用');
    // The community rejects b: it is closed, with the reason in its notes.
    const act = await t.call('POST', `/api/grid/events/${await eventIdOf(b)}/actions`, {
      token: liuanAdmin,
      body: { action: 'reject', reason: '已由交警处理' },
    });
    expect(act.statusCode, act.body).toBe(200);

    const closed = await open311.get<ServiceRequest[]>('requests.json', { status: 'closed', service_code: 'property.parking' });
    expect(closed.status).toBe(200);
    // (the demo city has events of its own)
    const closedIds = closed.body.map((r) => r.service_request_id);
    expect(closedIds).toContain(b);
    expect(closedIds).not.toContain(a);
    expect(closed.body.every((r) => r.status === 'closed' && r.service_code === 'property.parking')).toBe(true);
    expect(closed.body.find((r) => r.service_request_id === b)).toMatchObject({
      status: 'closed',
      status_notes: '不予受理：已由交警处理',
      service_notice: null,
    });

    const open = await open311.get<ServiceRequest[]>('requests.json', { status: 'open', service_code: 'property.parking,env.garbage' });
    const openIds = open.body.map((r) => r.service_request_id);
    expect(openIds).toContain(a);
    expect(openIds).not.toContain(b);
    expect(open.body.every((r) => r.status === 'open' && ['property.parking', 'env.garbage'].includes(r.service_code))).toBe(true);

    const both = await open311.get<ServiceRequest[]>('requests.json', { status: 'open,closed', service_code: 'property.parking' });
    expect(both.body.map((r) => r.service_request_id)).toEqual(expect.arrayContaining([a, b]));
    expect(both.body.length).toBe(closed.body.length + open.body.filter((r) => r.service_code === 'property.parking').length);

    // Ids override every other argument.
    const byId = await open311.get<ServiceRequest[]>('requests.json', { service_request_id: `${a}, ${b}`, status: 'closed' });
    expect(byId.body.map((r) => r.service_request_id).sort()).toEqual([a, b].sort());

    const future = await open311.get<ServiceRequest[]>('requests.json', { start_date: '2099-01-01T00:00:00Z' });
    expect(future.body).toEqual([]);
    const now = Date.now();
    const window = await open311.get<ServiceRequest[]>('requests.json', {
      start_date: new Date(now - 3600_000).toISOString(),
      end_date: new Date(now + 3600_000).toISOString(),
      service_code: 'property.parking',
    });
    expect(window.body.map((r) => r.service_request_id)).toEqual(expect.arrayContaining([a, b]));
    for (const r of window.body) expect(Math.abs(Date.parse(r.requested_datetime) - now)).toBeLessThan(3600_000);
    // Without a time zone, a date is read as Beijing time.
    const old = await open311.get<ServiceRequest[]>('requests.json', { end_date: '2000-01-01' });
    expect(old.status).toBe(200);
    expect(old.body).toEqual([]);
  });

  it('a revoked key is refused', async () => {
    const p = await t.call('POST', '/api/grid/partners', { token: admin, body: { name: '临时合作方' } });
    const key = p.json().apiKey as string;
    const ok = await open311.post({ api_key: key, service_code: 'property.repair', lat: inside.lat, long: inside.long });
    expect(ok.status, ok.res.body).toBe(201);
    const del = await t.call('DELETE', `/api/grid/partners/${p.json().id}`, { token: admin });
    expect(del.statusCode, del.body).toBe(204);
    expectSpecError(await open311.post({ api_key: key, service_code: 'property.repair', lat: inside.lat, long: inside.long }), 403);
    // Both the accepted and the refused write are in the audit log under the route's action.
    const { rows } = await t.db.$client.query<{ outcome: string; status_code: number }>(
      `select outcome, status_code from audit_log where action = 'open311.request-create' order by occurred_at desc limit 2`,
    );
    expect(rows).toEqual([
      { outcome: 'denied', status_code: 403 },
      { outcome: 'success', status_code: 201 },
    ]);
  });

  it('the rest of the API keeps problem+json and has no form parser', async () => {
    const v = await t.call('POST', '/api/regions', { token: admin, body: { name: 12 } });
    expect(v.statusCode).toBe(400);
    expect(v.headers['content-type']).toContain('application/problem+json');
    expect(v.json()).toMatchObject({ type: expect.stringContaining('validation'), status: 400 });
    const form = await t.app.inject({
      method: 'POST',
      url: '/api/regions',
      payload: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${admin}` },
    });
    expect(form.statusCode).toBe(415);
    expect(form.headers['content-type']).toContain('application/problem+json');
    const missing = await t.call('GET', '/api/no-such-route');
    expect(missing.headers['content-type']).toContain('application/problem+json');
  });
});
