import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTestApp, type TestApp } from '../helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await setupTestApp();
});
afterAll(() => t.close());

interface Node {
  id: string;
  name: string;
  level: string;
  code: string;
  children: Node[];
}
const flatten = (nodes: Node[]): Node[] => nodes.flatMap((n) => [n, ...flatten(n.children)]);

const square = (w: number, s: number, d = 0.001) => ({
  type: 'Polygon',
  coordinates: [
    [
      [w, s],
      [w + d, s],
      [w + d, s + d],
      [w, s + d],
      [w, s],
    ],
  ],
});

describe('region tree by scope', () => {
  it('the city administrator sees the whole demo city', async () => {
    const tree = (await t.call('GET', '/api/regions', { token: await t.login('admin') })).json() as Node[];
    expect(tree).toHaveLength(1);
    expect(tree[0]).toMatchObject({ name: '青川市', level: 'city', code: '990100' });
    const all = flatten(tree);
    const count = (l: string) => all.filter((n) => n.level === l).length;
    expect(count('district')).toBeGreaterThanOrEqual(2);
    expect(count('street')).toBeGreaterThanOrEqual(4);
    expect(count('community')).toBeGreaterThanOrEqual(8);
    expect(count('grid')).toBeGreaterThanOrEqual(16);
  });

  it('a community worker sees only that community and its grids', async () => {
    const tree = (await t.call('GET', '/api/regions', { token: await t.login('liuan_admin') })).json() as Node[];
    expect(tree).toHaveLength(1);
    expect(tree[0]!.name).toBe('柳岸社区');
    expect(flatten(tree).every((n) => n === tree[0] || (n.level === 'grid' && n.code.startsWith(tree[0]!.code)))).toBe(true);
    expect(tree[0]!.children.length).toBeGreaterThanOrEqual(3);
  });

  it('a grid worker sees only the grid', async () => {
    const tree = (await t.call('GET', '/api/regions', { token: await t.login('liuan_grid1') })).json() as Node[];
    expect(flatten(tree).map((n) => n.name)).toEqual(['柳岸第一网格']);
  });

  it('detail returns the boundary; a region outside the scope is 403', async () => {
    const token = await t.login('binhe_admin');
    const inside = await t.call('GET', `/api/regions/${await t.region('柳岸社区')}`, { token });
    expect(inside.statusCode).toBe(200);
    expect(inside.json().boundary.type).toBe('Polygon');
    expect(inside.json().ancestors.map((a: { name: string }) => a.name)).toEqual(['青川市', '临江区', '滨河街道']);
    const outside = await t.call('GET', `/api/regions/${await t.region('桂园社区')}`, { token });
    expect(outside.statusCode).toBe(403);
    expect(outside.json().type).toContain('out-of-scope');
    const missing = await t.call('GET', '/api/regions/01a2009e-0000-7000-8000-000000000000', { token });
    expect(missing.statusCode).toBe(404);
  });
});

describe('region maintenance', () => {
  it('a street administrator creates, edits and deletes a community under its street', async () => {
    const token = await t.login('binhe_admin');
    const street = await t.region('滨河街道');
    const created = await t.call('POST', '/api/regions', {
      token,
      body: { parentId: street, name: '新桥社区', code: '990102001003', boundary: square(118.12, 30.11) },
    });
    expect(created.statusCode).toBe(201);
    const c = created.json();
    expect(c).toMatchObject({ level: 'community', name: '新桥社区', parentId: street, childCount: 0 });
    expect(c.sortOrder).toBe(2); // after 柳岸社区 (0) and 江月社区 (1)

    const grid = await t.call('POST', '/api/regions', { token, body: { parentId: c.id, name: '新桥第一网格', code: '990102001003001' } });
    expect(grid.statusCode).toBe(201);
    expect(grid.json().level).toBe('grid');

    const renamed = await t.call('PATCH', `/api/regions/${c.id}`, { token, body: { name: '新桥村社区' } });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json().name).toBe('新桥村社区');

    const recode = await t.call('PATCH', `/api/regions/${c.id}`, { token, body: { code: '990102001004' } });
    expect(recode.statusCode).toBe(400);
    expect(recode.json().errors[0].message).toContain('已有下级');

    expect((await t.call('DELETE', `/api/regions/${c.id}`, { token })).statusCode).toBe(409);
    expect((await t.call('DELETE', `/api/regions/${grid.json().id}`, { token })).statusCode).toBe(204);
    expect((await t.call('DELETE', `/api/regions/${c.id}`, { token })).statusCode).toBe(204);
    expect((await t.call('GET', `/api/regions/${c.id}`, { token })).statusCode).toBe(404);
  });

  it('codes must follow the level rules and be unique', async () => {
    const token = await t.login('admin');
    const street = await t.region('滨河街道');
    const bad = await t.call('POST', '/api/regions', { token, body: { parentId: street, name: 'x社区', code: '990102001' } });
    expect(bad.json().errors[0]).toEqual({ field: 'body.code', message: '社区代码应为 12 位（所属街道代码 + 3 位）' });
    const dup = await t.call('POST', '/api/regions', { token, body: { parentId: street, name: 'y社区', code: '990102001001' } });
    expect(dup.statusCode).toBe(409);
    const gridChild = await t.call('POST', '/api/regions', {
      token,
      body: { parentId: await t.region('柳岸第一网格'), name: 'z', code: '990102001001001001' },
    });
    expect(gridChild.statusCode).toBe(400);
  });

  it('boundaries must be valid GeoJSON polygons', async () => {
    const token = await t.login('admin');
    const id = await t.region('柳岸第二网格');
    const open = await t.call('PATCH', `/api/regions/${id}`, {
      token,
      body: {
        boundary: {
          type: 'Polygon',
          coordinates: [
            [
              [118, 30],
              [118.1, 30],
              [118.1, 30.1],
              [118, 30.1],
            ],
          ],
        },
      },
    });
    expect(open.statusCode).toBe(400);
    expect(open.json().errors[0]).toEqual({ field: 'body.boundary', message: '多边形的环应首尾闭合' });
    const point = await t.call('PATCH', `/api/regions/${id}`, { token, body: { boundary: { type: 'Point', coordinates: [118, 30] } } });
    expect(point.json().errors[0].message).toBe('边界类型应为 Polygon 或 MultiPolygon');
    const ok = await t.call('PATCH', `/api/regions/${id}`, { token, body: { boundary: square(118.2, 30.2) } });
    expect(ok.statusCode).toBe(200);
    const cleared = await t.call('PATCH', `/api/regions/${id}`, { token, body: { boundary: null } });
    expect(cleared.json().boundary).toBeNull();
  });

  it('nobody changes their own node or anything outside their scope', async () => {
    const token = await t.login('binhe_admin');
    const own = await t.call('PATCH', `/api/regions/${await t.region('滨河街道')}`, { token, body: { name: '改名' } });
    expect(own.statusCode).toBe(403);
    const other = await t.call('PATCH', `/api/regions/${await t.region('桂园社区')}`, { token, body: { name: '改名' } });
    expect(other.statusCode).toBe(403);
    const underOther = await t.call('POST', '/api/regions', {
      token,
      body: { parentId: await t.region('翠屏街道'), name: '越界社区', code: '990103001009' },
    });
    expect(underOther.statusCode).toBe(403);
    const gw = await t.call('POST', '/api/regions', {
      token: await t.login('liuan_grid1'),
      body: { parentId: await t.region('柳岸社区'), name: 'x', code: '990102001001009' },
    });
    expect(gw.statusCode).toBe(403);
    expect(gw.json().type).toContain('forbidden');
  });
});
