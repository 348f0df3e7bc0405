// External-broker ingest (issue 7 §2, MQTT_URL): ten publishers send QoS 1 telemetry of 50 meters to
// a broker the platform reads as an ordinary client; the figure is messages stored per second, from
// the first publish until every message is in PostgreSQL, against raw batched INSERTs of the same
// telemetry rows. Runs only when BENCH_MQTT_URL names a broker (`mqtt://127.0.0.1:1883` here): the
// bench assumes no server of its own.
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../server/src/db/pool.js';
import { startExternalIngest } from '../server/src/modules/devices/mqtt.js';

type Print = (name: string, value: number, unit: string, baseline: number, lowerIsBetter?: boolean) => void;

export async function externalBrokerBench(opts: { db: Db; app: FastifyInstance; print: Print; url: string; messages: number }) {
  const { db, app, print, url } = opts;
  const pg = db.$client;
  const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'liuan_admin', password: 'Demo@2026' } });
  const token = (login.json() as { token: string }).token;
  const community = (await pg.query<{ id: string }>("select id from regions where name = '柳岸社区'")).rows[0]!.id;
  const building = (await pg.query<{ id: string }>('select id from buildings where community_id = $1 order by id limit 1', [community]))
    .rows[0]!.id;
  const meters: string[] = [];
  for (let i = 0; i < 50; i++) {
    const r = await app.inject({
      method: 'POST',
      url: '/api/devices',
      headers: { authorization: `Bearer ${token}` },
      payload: { buildingId: building, type: 'electricity_meter', name: `外部代理电表 ${i + 1}` },
    });
    if (r.statusCode !== 201) throw new Error(`device: ${r.statusCode} ${r.body}`);
    meters.push((r.json() as { id: string }).id);
  }
  const n = opts.messages;
  const t0 = Date.now() - 24 * 3_600_000;
  const message = (i: number) => ({
    topic: `jiayuan/devices/${meters[i % meters.length]}/telemetry`,
    ts: new Date(t0 + Math.floor(i / meters.length) * 1000),
    kwh: 1000 + i / 100,
  });
  const stored = async () =>
    Number((await pg.query("select count(*) as n from telemetry where key = 'kwh' and device_id = any($1::uuid[])", [meters])).rows[0].n);

  const clientId = `jiayuan-bench-${randomUUID().slice(0, 8)}`;
  const log = { info: () => {}, warn: (o: object) => process.stderr.write(`external ingest: ${JSON.stringify(o)}\n`) };
  const ingest = await startExternalIngest(db, url, log, clientId);
  const publishers = await Promise.all(Array.from({ length: 10 }, () => mqtt.connectAsync(url, { reconnectPeriod: 0 })));
  let seconds = 0;
  let got = 0;
  try {
    const a = performance.now();
    await Promise.all(
      publishers.map(async (p, k) => {
        for (let i = k; i < n; i += publishers.length) {
          const m = message(i);
          await p.publishAsync(m.topic, JSON.stringify({ ts: m.ts.toISOString(), values: { kwh: m.kwh } }), { qos: 1 });
        }
      }),
    );
    for (const end = Date.now() + 120_000; (got = await stored()) < n && Date.now() < end;) await new Promise((r) => setTimeout(r, 20));
    seconds = (performance.now() - a) / 1000;
  } finally {
    await Promise.all(publishers.map((p) => p.endAsync()));
    await ingest.stop();
    // The bench's session must not outlive it: the broker would queue later messages for it.
    await (await mqtt.connectAsync(url, { clientId, clean: true, reconnectPeriod: 0 })).endAsync();
  }
  if (got !== n) throw new Error(`external broker: ${got} of ${n} messages stored (the broker drops what queues past max_queued_messages)`);

  // Baseline: the same rows, raw, in batches of 1,000, into a copy of the table.
  await pg.query('create table bench_telemetry_external (like telemetry including defaults)');
  const b = performance.now();
  for (let i = 0; i < n; i += 1000) {
    const rows = Array.from({ length: Math.min(1000, n - i) }, (_, k) => message(i + k));
    await pg.query(
      `insert into bench_telemetry_external (community_id, device_id, ts, key, value)
       select $1::uuid, d, t, 'kwh', v from unnest($2::uuid[], $3::timestamptz[], $4::float8[]) as x(d, t, v)`,
      [community, rows.map((r) => r.topic.split('/')[2]), rows.map((r) => r.ts.toISOString()), rows.map((r) => r.kwh)],
    );
  }
  const rawSeconds = (performance.now() - b) / 1000;
  await pg.query('drop table bench_telemetry_external');
  print(
    `MQTT telemetry through an external broker (${url}; 10 publishers, ${n} QoS 1 messages; PUBACK after commit, in order) vs raw batched INSERT of the same rows`,
    n / seconds,
    'msg/s',
    n / rawSeconds,
  );
}
