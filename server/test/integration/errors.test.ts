import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTestApp, type TestApp } from '../helpers.js';

let t: TestApp;
let admin: string;
let street: string;
beforeAll(async () => {
  t = await setupTestApp();
  admin = await t.login('admin');
  street = await t.region('滨河街道');
});
afterAll(() => t.close());

const raw = (payload: string, contentType = 'application/json', token?: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/regions',
    payload,
    headers: { 'content-type': contentType, authorization: `Bearer ${token ?? admin}` },
  });

async function regionCount() {
  const { rows } = await t.db.$client.query<{ n: number }>('select count(*)::int as n from regions');
  return rows[0]!.n;
}

describe('bad input gets a clear problem and changes nothing', () => {
  it('malformed JSON → 400 problem+json in Chinese', async () => {
    const before = await regionCount();
    const res = await raw('{"parentId": ');
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ type: expect.stringContaining('malformed-body'), title: '请求体格式错误', status: 400 });
    expect(await regionCount()).toBe(before);
  });

  it('wrong types and unknown fields → 400 naming each field', async () => {
    const res = await t.call('POST', '/api/regions', {
      token: admin,
      body: { parentId: street, name: 12, code: '990102001009', colour: 'red' },
    });
    expect(res.statusCode).toBe(400);
    const fields = (res.json().errors as { field: string; message: string }[]).map((e) => `${e.field}:${e.message}`);
    expect(fields).toContain('body.name:类型应为字符串');
    expect(fields).toContain('body.colour:不允许的字段');
    // The summary names fields as people know them.
    expect(res.json().detail).toContain('name：类型应为字符串');
    expect(res.json().detail).not.toContain('body.');
  });

  it('numbers are not coerced from strings in JSON bodies', async () => {
    const res = await t.call('POST', '/api/regions', {
      token: admin,
      body: { parentId: street, name: '新社区', code: '990102001009', sortOrder: '3' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ field: 'body.sortOrder', message: '类型应为整数' }]);
  });

  it('missing required fields are named', async () => {
    const res = await t.call('POST', '/api/users', { token: admin, body: { username: 'abc' } });
    expect(res.statusCode).toBe(400);
    const fields = (res.json().errors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(['body.displayName', 'body.password', 'body.regionId', 'body.roles']);
  });

  it('oversize body → 413', async () => {
    const before = await regionCount();
    const res = await raw(JSON.stringify({ parentId: street, name: 'x'.repeat(2 * 1024 * 1024), code: '990102001009' }));
    expect(res.statusCode).toBe(413);
    expect(res.json().type).toContain('body-too-large');
    expect(await regionCount()).toBe(before);
  });

  it('unsupported content type → 415', async () => {
    const res = await raw('parentId=1', 'text/csv');
    expect(res.statusCode).toBe(415);
    expect(res.json().title).toBe('不支持的内容类型');
  });

  it('bad path parameter → 400 naming params.id', async () => {
    const res = await t.call('GET', '/api/regions/not-a-uuid', { token: admin });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('params.id');
  });

  it('bad query parameter → 400 naming query field', async () => {
    const res = await t.call('GET', '/api/users', { token: admin, query: { pageSize: '100000' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toEqual({ field: 'query.pageSize', message: '不能大于 500' });
  });

  it('domain rule violations are 400 with the field named, and change nothing', async () => {
    const before = await regionCount();
    const res = await t.call('POST', '/api/regions', { token: admin, body: { parentId: street, name: '错码社区', code: '123456789012' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toEqual({ field: 'body.code', message: '社区代码应以所属街道代码开头' });
    expect(await regionCount()).toBe(before);
  });
});
