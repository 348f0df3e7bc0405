// Request fuzzing: malformed bodies, parameters and queries sent to every operation of the OpenAPI
// document, as an administrator (so requests get past authentication to validation and services).
// Any 5xx fails the test; every answer must be problem+json when it is an error (Open311: the spec's error array).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTestApp, type TestApp } from '../helpers.js';

interface Operation {
  method: string;
  path: string;
  params: string[];
  query: string[];
  bodyProps: string[];
  hasBody: boolean;
}

let t: TestApp;
let token: string;
const ops: Operation[] = [];
let someRegion: string;

beforeAll(async () => {
  t = await setupTestApp({ loginMaxFailures: 1000 });
  token = await t.login('admin');
  someRegion = await t.region('柳岸社区');
  const doc = (await t.call('GET', '/api/openapi.json')).json() as {
    paths: Record<
      string,
      Record<
        string,
        {
          parameters?: { in: string; name: string }[];
          requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> };
        }
      >
    >;
  };
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const schema = op.requestBody?.content['application/json']?.schema;
      ops.push({
        method: method.toUpperCase(),
        path,
        params: (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
        query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        bodyProps: Object.keys(schema?.properties ?? {}),
        hasBody: !!op.requestBody,
      });
    }
  }
});
afterAll(() => t.close());

const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.constantFrom(
    '',
    ' ',
    '%',
    '%zz',
    '../../etc/passwd',
    '\u0000',
    'null',
    '-1',
    '1e309',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    '00000000-0000-0000-0000-000000000000',
    "'; drop table users; --",
    'a'.repeat(5000),
    '𠀀𠀁𠀂',
  ),
  fc.integer().map(String),
  fc.uuid().map(String),
);

const jsonish = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.constantFrom(null, 0, -1, 2 ** 53, 1e308, -1e308, 0.5, true, '', '\u0000', 'a'.repeat(3000), [], {}, [[[]]], { __proto__: { x: 1 } }),
  nasty,
);

function fill(path: string, value: (name: string) => string): string {
  return path.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(value(k)));
}

async function expectNo5xx(op: Operation, res: { statusCode: number; headers: Record<string, unknown>; body: string }, what: string) {
  expect(res.statusCode, `${op.method} ${op.path} ${what} → ${res.statusCode} ${res.body.slice(0, 300)}`).toBeLessThan(500);
  if (res.statusCode < 400) return;
  const why = `${op.method} ${op.path} ${what} → ${res.statusCode} ${res.body.slice(0, 300)}`;
  // Open311 answers errors in its own format, [{ code, description }] (GeoReport v2); everything else is problem+json.
  if (op.path.startsWith('/open311/')) {
    const body = JSON.parse(res.body) as { code: number; description: string }[];
    expect(body[0]?.code, why).toBe(res.statusCode);
    expect(body[0]?.description, why).toBeTruthy();
  } else expect(String(res.headers['content-type']), why).toContain('application/problem+json');
}

// Each sweep sends dozens of requests to every operation, so its time grows with the API (about 300
// operations: well past the default 30 s on a loaded 2-core machine); the timeout is for the sweep, not a request.
describe('request fuzzing finds no 5xx', { timeout: 300_000 }, () => {
  it('malformed raw bodies', async () => {
    const bodies = [
      '{',
      '[',
      '{"a":',
      'null',
      '"text"',
      '123',
      'true',
      '{"a":1}garbage',
      '\u0000',
      '['.repeat(5000) + ']'.repeat(5000),
      '{"a":' + '1'.repeat(400) + '}',
      JSON.stringify({ __proto__: { admin: true } }),
      '{"constructor":{"prototype":{"x":1}}}',
    ];
    for (const op of ops.filter((o) => o.hasBody)) {
      for (const body of bodies) {
        const res = await t.app.inject({
          method: op.method as 'POST',
          url: fill(op.path, () => someRegion),
          payload: body,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        });
        await expectNo5xx(op, res, `body ${JSON.stringify(body.slice(0, 40))}`);
      }
    }
  });

  it('random values for every documented body field', async () => {
    for (const op of ops.filter((o) => o.hasBody)) {
      await fc.assert(
        fc.asyncProperty(
          fc.dictionary(fc.constantFrom(...op.bodyProps, 'extra'), jsonish, { maxKeys: op.bodyProps.length + 1 }),
          async (body) => {
            const res = await t.call(
              op.method,
              fill(op.path, () => someRegion),
              { token, body },
            );
            await expectNo5xx(op, res, `body ${JSON.stringify(body).slice(0, 200)}`);
          },
        ),
        { numRuns: 40 },
      );
    }
  });

  it('random path parameters and query strings', async () => {
    for (const op of ops) {
      if (op.method === 'POST' && op.path === '/api/auth/logout') continue; // would end the session under test
      await fc.assert(
        fc.asyncProperty(nasty, fc.dictionary(fc.constantFrom(...op.query, 'unknown'), nasty, { maxKeys: 3 }), async (param, query) => {
          const url = fill(op.path, () => param);
          const res = await t.call(op.method, url, { token, query, ...(op.hasBody ? { body: {} } : {}) });
          await expectNo5xx(op, res, `url ${url.slice(0, 100)} query ${JSON.stringify(query).slice(0, 200)}`);
        }),
        { numRuns: 30 },
      );
    }
  });

  it('uploaded ledgers: random bytes and truncated xlsx files are refused as 4xx', async () => {
    // A community worker, who may import into 柳岸社区: the files reach the parser.
    const importer = await t.login('liuan_admin');
    const template = (await t.call('GET', '/api/registry/templates/residents.xlsx', { token: importer })).rawPayload;
    expect(template.length).toBeGreaterThan(1000);
    const imports = ops.filter((o) => o.path.startsWith('/api/registry/imports/') && o.method === 'POST');
    expect(imports.length).toBeGreaterThanOrEqual(3);
    for (const op of imports) {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.uint8Array({ maxLength: 4096 }).map((a) => Buffer.from(a)),
            fc.integer({ min: 0, max: template.length - 1 }).map((n) => template.subarray(0, n)),
            fc.tuple(fc.integer({ min: 0, max: template.length - 1 }), fc.integer({ min: 0, max: 255 })).map(([i, b]) => {
              const copy = Buffer.from(template);
              copy[i] = b;
              return copy;
            }),
          ),
          async (payload) => {
            const res = await t.app.inject({
              method: 'POST',
              url: `${op.path}?regionId=${someRegion}&mode=validate`,
              payload,
              headers: {
                authorization: `Bearer ${importer}`,
                'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
              },
            });
            await expectNo5xx(op, res, `xlsx of ${payload.length} bytes`);
            expect(res.statusCode).not.toBe(403);
          },
        ),
        { numRuns: 25 },
      );
    }
  });

  it('the same requests without a token are 4xx', async () => {
    for (const op of ops) {
      const res = await t.call(
        op.method,
        fill(op.path, () => 'x'),
        { body: op.hasBody ? { a: 1 } : undefined },
      );
      await expectNo5xx(op, res, 'anonymous');
    }
  });
});
