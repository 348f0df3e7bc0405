// Device figures (issue 7 "Performance"): end-to-end MQTT telemetry (broker → rules → storage → latest
// values, PUBACK after the commit) against raw batched INSERTs of the same telemetry rows; alarm
// publish → browser (SSE) latency, idle and under that load; how many concurrent device connections the
// embedded broker holds.
//
// The devices are simulated in a child process (a minimal MQTT 3.1.1 client over node:net: CONNECT,
// PUBLISH QoS 1, PUBACK), so that their sockets do not share the parent's file-descriptor limit and
// their encoding does not run on the broker's event loop. The child and the parent use the same
// monotonic clock (process.hrtime) for the alarm latencies.
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../server/src/db/pool.js';
import { uuidv7 } from '../server/src/db/ids.js';
import { DEMO_PASSWORD } from '../server/src/demo/seed.js';
import { startDispatcher } from '../server/src/modules/events/service.js';
import { startEmbeddedBroker } from '../server/src/modules/devices/mqtt.js';
import { ingestStats } from '../server/src/modules/devices/service.js';

type Print = (name: string, value: number, unit: string, baseline: number, lowerIsBetter?: boolean) => void;

const CHILD_ENV = 'JIAYUAN_BENCH_DEVICE_CLIENTS';
const PASSWORD = 'bench-device-secret-2026';
const ROWS_PER_MESSAGE = 2;

// ---- the simulated devices' telemetry (the same function feeds the load and the raw baseline) ------------

const TYPES = ['water_meter', 'electricity_meter', 'parking_sensor', 'temperature_humidity', 'street_light', 'smoke_detector'] as const;
const typeOf = (j: number) => TYPES[j % TYPES.length]!;

/** Two values per message, realistic for the type; device j's s-th message. */
function valuesOf(j: number, s: number): Record<string, number | boolean> {
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  switch (typeOf(j)) {
    case 'water_meter':
      return { reading: r3(120 + (j % 97) + s * 0.004), flow: r3(((j + s) % 13) * 0.02) };
    case 'electricity_meter':
      return { energy: r3(3000 + (j % 211) + s * 0.01), power: r3(0.3 + ((j * 7 + s) % 40) / 10) };
    case 'parking_sensor':
      return { occupied: (j + Math.floor(s / 5)) % 3 !== 0, battery: 97 - (j % 5) };
    case 'temperature_humidity':
      return { temperature: r3(22 + (j % 9) / 2 + Math.sin(s / 20)), humidity: r3(45 + (j % 15) + Math.cos(s / 20) * 3) };
    case 'street_light':
      return { on: j % 2 === 0, power: j % 2 === 0 ? 60 + (s % 5) : 0 };
    case 'smoke_detector':
      return { battery: 95 - (j % 7), smoke: false };
  }
}

// ---- the child: a minimal MQTT client per device -------------------------------------------------------

function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}
const str = (s: string) => {
  const b = Buffer.from(s);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
};

class RawMqtt {
  private sock!: net.Socket;
  private buf: Buffer = Buffer.alloc(0);
  private nextId = 1;
  private pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private connack: { resolve: () => void; reject: (e: Error) => void } | null = null;
  open = false;

  connect(port: number, id: string, password: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.connack = { resolve, reject };
      this.sock = net.connect({ port, host: '127.0.0.1', noDelay: true });
      this.sock.on('connect', () => {
        // MQTT 3.1.1, username + password + clean session, no keep-alive (the test is short).
        const vh = Buffer.concat([str('MQTT'), Buffer.from([4, 0xc2, 0, 0])]);
        const body = Buffer.concat([vh, str(id), str(id), str(password)]);
        this.sock.write(Buffer.concat([Buffer.from([0x10]), varint(body.length), body]));
      });
      this.sock.on('data', (d) => this.onData(d));
      this.sock.on('error', () => {});
      this.sock.on('close', () => {
        this.open = false;
        const e = new Error('connection closed');
        this.connack?.reject(e);
        this.connack = null;
        for (const p of this.pending.values()) p.reject(e);
        this.pending.clear();
      });
    });
  }

  publish(topic: string, payload: string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.open) return reject(new Error('not connected'));
      const id = this.nextId;
      this.nextId = this.nextId === 65535 ? 1 : this.nextId + 1;
      this.pending.set(id, { resolve, reject });
      const pid = Buffer.from([id >> 8, id & 0xff]);
      const body = Buffer.concat([str(topic), pid, Buffer.from(payload)]);
      this.sock.write(Buffer.concat([Buffer.from([0x32]), varint(body.length), body]));
    });
  }

  close() {
    this.sock?.destroy();
  }

  private onData(d: Buffer) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    for (;;) {
      if (this.buf.length < 2) return;
      let len = 0;
      let mul = 1;
      let i = 1;
      for (; i < 5; i++) {
        if (i >= this.buf.length) return;
        const b = this.buf[i]!;
        len += (b & 0x7f) * mul;
        mul *= 128;
        if (!(b & 0x80)) break;
      }
      const start = i + 1;
      if (this.buf.length < start + len) return;
      const type = this.buf[0]! >> 4;
      const body = this.buf.subarray(start, start + len);
      this.buf = this.buf.subarray(start + len);
      if (type === 2) {
        const rc = body[1];
        if (rc === 0) {
          this.open = true;
          this.connack?.resolve();
        } else this.connack?.reject(new Error(`CONNACK ${rc}`));
        this.connack = null;
      } else if (type === 4) {
        const id = body.readUInt16BE(0);
        const p = this.pending.get(id);
        this.pending.delete(id);
        p?.resolve();
      }
    }
  }
}

type ToChild =
  | { cmd: 'connect'; port: number; from: number; ids: string[]; wave: number }
  | {
      cmd: 'load';
      perDevice: number;
      seqStart: number;
      inflight: number;
      /** Open loop at this many messages a second (0: closed loop, `inflight` per connection). */
      rate: number;
      base: number;
      loadDevices: number;
      alarms: number[];
      alarmEveryMs: number;
    }
  | { cmd: 'alarm'; index: number }
  | { cmd: 'status' }
  | { cmd: 'close' };
type FromChild =
  | { kind: 'connected'; ok: number; failed: number; ms: number; error?: string }
  | { kind: 'loaded'; acked: number; errors: number; seconds: number; cpuMs: number; alarmsSent: number }
  | { kind: 'alarm'; deviceId: string; t: string; acked?: boolean }
  | { kind: 'status'; open: number }
  | { kind: 'closed' };

function childMain() {
  const conns: (RawMqtt | null)[] = [];
  const ids: string[] = [];
  const send = (m: FromChild) => process.send!(m);
  const alarm = (index: number) => {
    const c = conns[index];
    const t = process.hrtime.bigint();
    send({ kind: 'alarm', deviceId: ids[index]!, t: t.toString() });
    return c
      ? c
          .publish(`jiayuan/devices/${ids[index]!}/telemetry`, JSON.stringify({ ts: Date.now(), values: { smoke: true, battery: 88 } }))
          .then(
            () => true,
            () => false,
          )
      : Promise.resolve(false);
  };
  process.on('message', (m: ToChild) => {
    void (async () => {
      if (m.cmd === 'connect') {
        const t0 = performance.now();
        let ok = 0;
        let failed = 0;
        let error: string | undefined;
        for (let k = 0; k < m.ids.length; k += m.wave)
          await Promise.all(
            m.ids.slice(k, k + m.wave).map(async (id, x) => {
              const c = new RawMqtt();
              const at = m.from + k + x;
              ids[at] = id;
              try {
                await c.connect(m.port, id, PASSWORD);
                conns[at] = c;
                ok++;
              } catch (e) {
                c.close();
                conns[at] = null;
                failed++;
                error ??= String(e);
              }
            }),
          );
        send({ kind: 'connected', ok, failed, ms: performance.now() - t0, error });
      } else if (m.cmd === 'load') {
        let acked = 0;
        let errors = 0;
        let alarmsSent = 0;
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        let done = false;
        const alarmLoop = (async () => {
          for (const index of m.alarms) {
            await new Promise((r) => setTimeout(r, m.alarmEveryMs));
            if (done) break;
            void alarm(index);
            alarmsSent++;
          }
        })();
        if (m.rate > 0) {
          // Open loop: `rate` messages a second across the devices, whatever the acknowledgements do.
          const n = m.loadDevices * m.perDevice;
          const acks: Promise<void>[] = [];
          let sent = 0;
          while (sent < n) {
            const due = Math.min(n, Math.floor(((performance.now() - t0) / 1000) * m.rate));
            for (; sent < due; sent++) {
              const j = sent % m.loadDevices;
              const s = m.seqStart + Math.floor(sent / m.loadDevices);
              const c = conns[j];
              if (!c) continue;
              acks.push(
                c.publish(`jiayuan/devices/${ids[j]!}/telemetry`, JSON.stringify({ ts: m.base + s, values: valuesOf(j, s) })).then(
                  () => void acked++,
                  () => void errors++,
                ),
              );
            }
            await new Promise((r) => setTimeout(r, 2));
          }
          await Promise.all(acks);
        } else
          await Promise.all(
            conns.slice(0, m.loadDevices).map(async (c, j) => {
              if (!c) return;
              const topic = `jiayuan/devices/${ids[j]!}/telemetry`;
              let next = 0;
              const lane = async () => {
                while (next < m.perDevice) {
                  const s = m.seqStart + next++;
                  try {
                    await c.publish(topic, JSON.stringify({ ts: m.base + s, values: valuesOf(j, s) }));
                    acked++;
                  } catch {
                    errors++;
                  }
                }
              };
              await Promise.all(Array.from({ length: m.inflight }, lane));
            }),
          );
        const seconds = (performance.now() - t0) / 1000;
        done = true;
        await alarmLoop;
        const cpu = process.cpuUsage(cpu0);
        send({ kind: 'loaded', acked, errors, seconds, cpuMs: (cpu.user + cpu.system) / 1000, alarmsSent });
      } else if (m.cmd === 'alarm') {
        await alarm(m.index);
      } else if (m.cmd === 'status') {
        send({ kind: 'status', open: conns.filter((c) => c?.open).length });
      } else if (m.cmd === 'close') {
        for (const c of conns) c?.close();
        send({ kind: 'closed' });
        process.disconnect();
      }
    })();
  });
}

if (process.env[CHILD_ENV] === '1') childMain();

// ---- the parent -------------------------------------------------------------------------------------------

const quantile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
};
const note = (o: object) => console.error(JSON.stringify({ section: 'devices', ...o }));

/** Busy share of all CPUs between two snapshots. */
function cpuSnapshot() {
  return os.cpus().reduce(
    (a, c) => {
      const t = c.times;
      a.busy += t.user + t.nice + t.sys + t.irq;
      a.total += t.user + t.nice + t.sys + t.irq + t.idle;
      return a;
    },
    { busy: 0, total: 0 },
  );
}

/** A Db whose transactions are timed statement by statement (writeBatch untouched). */
function timedDb(db: Db) {
  const stats = { tx: 0, txMs: 0, statements: new Map<string, { n: number; ms: number }>() };
  const label = (q: unknown) => {
    const chunks = (q as { queryChunks?: unknown[] }).queryChunks ?? [];
    const first = chunks.find((c): c is { value: string[] } => Array.isArray((c as { value?: unknown }).value));
    return (first?.value.join('') ?? '?').trim().replace(/\s+/g, ' ').split(' ').slice(0, 3).join(' ');
  };
  const timed = Object.create(db) as Db;
  (timed as { transaction: unknown }).transaction = async (fn: (tx: unknown) => Promise<unknown>, cfg?: unknown) => {
    const t0 = performance.now();
    try {
      return await db.transaction(async (tx) => {
        const wrapped = Object.create(tx) as typeof tx;
        (wrapped as { execute: unknown }).execute = async (q: unknown) => {
          const s0 = performance.now();
          try {
            return await tx.execute(q as never);
          } finally {
            const l = label(q);
            const e = stats.statements.get(l) ?? { n: 0, ms: 0 };
            e.n++;
            e.ms += performance.now() - s0;
            stats.statements.set(l, e);
          }
        };
        return fn(wrapped);
      }, cfg as never);
    } finally {
      stats.tx++;
      stats.txMs += performance.now() - t0;
    }
  };
  const reset = () => {
    stats.tx = 0;
    stats.txMs = 0;
    stats.statements.clear();
  };
  return { timed, stats, reset };
}

/** The alarm centre as a browser sees it: GET /api/alarms/stream, receipt time per device. */
function openAlarmStream(port: number, token: string, onRaised: (deviceId: string, t: bigint) => void): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/api/alarms/stream', headers: { authorization: `Bearer ${token}` } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`alarm stream: HTTP ${res.statusCode}`));
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (chunk: string) => {
        const t = process.hrtime.bigint();
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event === 'devices.alarm-raised' && data) onRaised((JSON.parse(data) as { deviceId: string }).deviceId, t);
        }
      });
      resolve(req);
    });
    req.on('error', reject);
  });
}

export async function devicesBench(opts: {
  db: Db;
  app: FastifyInstance;
  port: number;
  print: Print;
  /** Connections for the throughput run (each a device), and the number of connections to try holding. */
  connections: number;
  maxConnections: number;
  messages: number;
  inflight: number;
  /** Offered load (msg/s) and duration of the open-loop run that measures alarm latency. */
  rate: number;
  pacedSeconds: number;
}) {
  const { db, app, print } = opts;
  const pg = db.$client;
  const community = (await pg.query<{ id: string }>("select id from regions where name = '柳岸社区'")).rows[0]!.id;
  const buildings = (
    await pg.query<{ id: string; grid_id: string | null }>('select id, grid_id from buildings where community_id = $1', [community])
  ).rows;
  const ALARM_DEVICES = 400;
  const IDLE_ALARMS = 30;
  const CLOSED_ALARMS = 150;
  const total = Math.max(opts.connections, opts.maxConnections);

  // ---- devices, registered directly in SQL ---------------------------------------------------------------
  const loadIds = Array.from({ length: total }, () => uuidv7());
  const alarmIds = Array.from({ length: ALARM_DEVICES }, () => uuidv7());
  const hash = createHash('sha256').update(PASSWORD).digest('hex');
  const all = [...loadIds.map((id, j) => ({ id, type: typeOf(j) as string })), ...alarmIds.map((id) => ({ id, type: 'smoke_detector' }))];
  for (let k = 0; k < all.length; k += 5000) {
    const part = all.slice(k, k + 5000);
    const b = part.map((_, x) => buildings[(k + x) % buildings.length]!);
    await pg.query(
      `insert into devices (community_id, id, type, name, grid_id, building_id, secret_hash)
       select $1, id, t, '评测设备 ' || left(id::text, 8), g, b, $2 from unnest($3::uuid[], $4::text[], $5::uuid[], $6::uuid[]) as x(id, t, g, b)`,
      [community, hash, part.map((d) => d.id), part.map((d) => d.type), b.map((x) => x.grid_id), b.map((x) => x.id)],
    );
  }

  // ---- broker, outbox dispatcher (run.ts does not start one), alarm stream ---------------------------------
  const { timed, stats, reset } = timedDb(db);
  const silent = { info: () => {}, warn: (o: object, m?: string) => note({ warn: m, ...o }) };
  const broker = await startEmbeddedBroker(timed, 0, silent, '127.0.0.1');
  const dispatcher = startDispatcher(db, (e) => note({ dispatchError: String(e) }), 200);
  const d0 = performance.now();
  await dispatcher.drain();
  note({ outboxBacklogDrainedMs: Math.round(performance.now() - d0) });

  const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'liuan_admin', password: DEMO_PASSWORD } });
  const token = (login.json() as { token: string }).token;
  const published = new Map<string, bigint>();
  const latencies = new Map<string, number>();
  let waiter: (() => void) | null = null;
  const stream = await openAlarmStream(opts.port, token, (deviceId, t) => {
    const p = published.get(deviceId);
    if (p !== undefined && !latencies.has(deviceId)) latencies.set(deviceId, Number(t - p) / 1e6);
    waiter?.();
  });

  // ---- the simulated devices -----------------------------------------------------------------------------
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, [CHILD_ENV]: '1' }, stdio: 'inherit' });
  const inbox: FromChild[] = [];
  let wake: (() => void) | null = null;
  child.on('message', (m: FromChild) => {
    if (m.kind === 'alarm') published.set(m.deviceId, BigInt(m.t));
    else {
      inbox.push(m);
      wake?.();
    }
  });
  const ask = async <K extends FromChild['kind']>(msg: ToChild, kind: K): Promise<Extract<FromChild, { kind: K }>> => {
    child.send(msg);
    for (;;) {
      const i = inbox.findIndex((m) => m.kind === kind);
      if (i >= 0) return inbox.splice(i, 1)[0] as Extract<FromChild, { kind: K }>;
      await new Promise<void>((r) => (wake = r));
    }
  };
  const waitLatencies = async (n: number, ms: number) => {
    const end = Date.now() + ms;
    while (latencies.size < n && Date.now() < end) await new Promise<void>((r) => ((waiter = r), setTimeout(r, 50)));
  };

  /** CPU and ingest transactions over one load run (started before it is asked for, closed on its answer). */
  const startWindow = () => {
    reset();
    const cpu0 = cpuSnapshot();
    const parent0 = process.cpuUsage();
    // Every round trip of an alarm's transaction, and its way to the SSE stream, waits for a turn of this loop.
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    return (r: { acked: number; seconds: number; cpuMs: number }) => {
      const cpu1 = cpuSnapshot();
      const parent = process.cpuUsage(parent0);
      loop.disable();
      const ms = (ns: number) => Math.round(ns / 1e5) / 10;
      return {
        eventLoopDelayMs: { p50: ms(loop.percentile(50)), p90: ms(loop.percentile(90)), p99: ms(loop.percentile(99)), max: ms(loop.max) },
        cpu: {
          machineBusy: Math.round(((cpu1.busy - cpu0.busy) / (cpu1.total - cpu0.total)) * 100) + '%',
          brokerProcessCores: Math.round(((parent.user + parent.system) / 1e6 / r.seconds) * 100) / 100,
          clientProcessCores: Math.round((r.cpuMs / 1000 / r.seconds) * 100) / 100,
        },
        ingestTransactions: {
          count: stats.tx,
          meanBatch: Math.round(r.acked / Math.max(1, stats.tx)),
          meanMs: Math.round((stats.txMs / Math.max(1, stats.tx)) * 10) / 10,
          shareOfWallClock: Math.round((stats.txMs / 1000 / r.seconds) * 100) + '%',
          statements: Object.fromEntries(
            [...stats.statements].map(([l, s]) => [l, { n: s.n, meanMs: Math.round((s.ms / s.n) * 10) / 10, totalMs: Math.round(s.ms) }]),
          ),
        },
      };
    };
  };

  const C = opts.connections;
  // Child slots: 0..total-1 load devices, total.. alarm devices.
  const first = await ask({ cmd: 'connect', port: broker.port!, from: 0, ids: loadIds.slice(0, C), wave: 500 }, 'connected');
  const alarmConn = await ask({ cmd: 'connect', port: broker.port!, from: total, ids: alarmIds, wave: 400 }, 'connected');
  if (first.failed || alarmConn.failed) throw new Error(`devices: ${first.failed + alarmConn.failed} connections refused (${first.error})`);
  note({ connected: first.ok + alarmConn.ok, connectMs: Math.round(first.ms) });

  // Alarm latency with nothing else going on (the baseline of the figure under load).
  for (let a = 0; a < IDLE_ALARMS; a++) {
    child.send({ cmd: 'alarm', index: total + a } satisfies ToChild);
    await waitLatencies(a + 1, 5000);
    await new Promise((r) => setTimeout(r, 30));
  }
  const idle = alarmIds.slice(0, IDLE_ALARMS).map((id) => latencies.get(id) ?? NaN);

  // ---- (a) throughput over C connections, alarms every 100 ms meanwhile ------------------------------------
  const perDevice = Math.ceil(opts.messages / C);
  const base = Date.now() - 10 * 60_000;
  const txBefore = Object.fromEntries(Object.entries(ingestStats.rejected));
  const window0 = startWindow();
  const loadAlarms = Array.from({ length: CLOSED_ALARMS }, (_, a) => total + IDLE_ALARMS + a);
  const run = await ask(
    { cmd: 'load', perDevice, seqStart: 0, inflight: opts.inflight, rate: 0, base, loadDevices: C, alarms: loadAlarms, alarmEveryMs: 100 },
    'loaded',
  );
  const saturating = window0(run);
  await waitLatencies(IDLE_ALARMS + run.alarmsSent, 15_000);
  const underLoad = alarmIds
    .slice(IDLE_ALARMS, IDLE_ALARMS + run.alarmsSent)
    .map((id) => latencies.get(id))
    .filter((x): x is number => x !== undefined);
  const lost = run.alarmsSent - underLoad.length;

  // Every acknowledged message is stored: telemetry rows of the load devices (+ the alarm detectors' rows).
  const rows = Number(
    (await pg.query('select count(*) from telemetry where device_id = any($1::uuid[])', [loadIds.slice(0, C)])).rows[0].count,
  );
  if (run.errors || rows !== run.acked * ROWS_PER_MESSAGE)
    throw new Error(
      `devices: ${run.acked} acknowledged, ${run.errors} errors, ${rows} telemetry rows (expected ${run.acked * ROWS_PER_MESSAGE})`,
    );
  const latestRows = Number(
    (await pg.query('select count(*) from device_latest where device_id = any($1::uuid[])', [loadIds.slice(0, C)])).rows[0].count,
  );
  if (latestRows !== C * ROWS_PER_MESSAGE) throw new Error(`devices: ${latestRows} latest values (expected ${C * ROWS_PER_MESSAGE})`);
  const msgPerSec = run.acked / run.seconds;

  // ---- (a') alarm latency at a given load: open loop at `rate` msg/s (a closed loop at saturation only
  // measures its own queue: in-flight messages ÷ throughput) --------------------------------------------------
  const pacedPerDevice = Math.ceil((opts.rate * opts.pacedSeconds) / C);
  const pacedAlarms = Array.from(
    { length: ALARM_DEVICES - IDLE_ALARMS - CLOSED_ALARMS },
    (_, a) => total + IDLE_ALARMS + CLOSED_ALARMS + a,
  );
  const window1 = startWindow();
  const paced = await ask(
    {
      cmd: 'load',
      perDevice: pacedPerDevice,
      seqStart: perDevice,
      inflight: 0,
      rate: opts.rate,
      base,
      loadDevices: C,
      alarms: pacedAlarms,
      alarmEveryMs: 100,
    },
    'loaded',
  );
  const pacedWindow = window1(paced);
  await waitLatencies(IDLE_ALARMS + run.alarmsSent + paced.alarmsSent, 15_000);
  const atRate = pacedAlarms
    .slice(0, paced.alarmsSent)
    .map((i) => latencies.get(alarmIds[i - total]!))
    .filter((x): x is number => x !== undefined);
  const rowsPaced = Number(
    (await pg.query('select count(*) from telemetry where device_id = any($1::uuid[])', [loadIds.slice(0, C)])).rows[0].count,
  );
  if (paced.errors || rowsPaced !== (run.acked + paced.acked) * ROWS_PER_MESSAGE)
    throw new Error(`devices: paced run ${paced.acked} acknowledged, ${paced.errors} errors, ${rowsPaced - rows} rows`);

  // ---- (b) how many concurrent connections the broker holds ------------------------------------------------
  let held = C + ALARM_DEVICES;
  let heldRun: FromChild | null = null;
  if (opts.maxConnections > C) {
    const more = await ask(
      { cmd: 'connect', port: broker.port!, from: C, ids: loadIds.slice(C, opts.maxConnections), wave: 500 },
      'connected',
    );
    await new Promise((r) => setTimeout(r, 3000));
    held = (await ask({ cmd: 'status' }, 'status')).open;
    note({ connectMore: more.ok, refused: more.failed, firstError: more.error, connectMs: Math.round(more.ms), openAfter3s: held });
    // A short run over every open connection: throughput does not collapse with 10× the connections.
    heldRun = await ask(
      {
        cmd: 'load',
        perDevice: Math.max(1, Math.ceil(opts.messages / opts.maxConnections)),
        seqStart: perDevice + pacedPerDevice,
        inflight: 2,
        rate: 0,
        base,
        loadDevices: opts.maxConnections,
        alarms: [],
        alarmEveryMs: 0,
      },
      'loaded',
    );
  }
  if (heldRun?.kind === 'loaded') {
    const all = Number((await pg.query('select count(*) from telemetry where device_id = any($1::uuid[])', [loadIds])).rows[0].count);
    if (heldRun.errors || all !== (run.acked + paced.acked + heldRun.acked) * ROWS_PER_MESSAGE)
      throw new Error(`devices: held run ${heldRun.acked} acknowledged, ${heldRun.errors} errors, ${all - rowsPaced} rows`);
  }
  await ask({ cmd: 'close' }, 'closed');
  stream.destroy();
  await broker.stop();
  await dispatcher.stop();

  // ---- baseline: the same telemetry rows, raw, in batches of 1,000 ----------------------------------------
  const rowsB: { c: string[]; d: string[]; t: string[]; k: string[]; v: (number | null)[] } = { c: [], d: [], t: [], k: [], v: [] };
  for (let j = 0; j < C; j++)
    for (let s = 0; s < perDevice; s++)
      for (const [k, v] of Object.entries(valuesOf(j, s))) {
        rowsB.c.push(community);
        rowsB.d.push(loadIds[j]!);
        rowsB.t.push(new Date(base + s - 3600_000).toISOString());
        rowsB.k.push(k);
        rowsB.v.push(typeof v === 'number' ? v : v ? 1 : 0);
      }
  const b0 = performance.now();
  for (let k = 0; k < rowsB.c.length; k += 1000)
    await pg.query(
      `insert into telemetry (community_id, device_id, ts, key, value, text_value)
       select * from unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::text[], $5::float8[], $6::text[]) on conflict do nothing`,
      [
        rowsB.c.slice(k, k + 1000),
        rowsB.d.slice(k, k + 1000),
        rowsB.t.slice(k, k + 1000),
        rowsB.k.slice(k, k + 1000),
        rowsB.v.slice(k, k + 1000),
        rowsB.v.slice(k, k + 1000).map(() => null),
      ],
    );
  const rawRowsPerSec = rowsB.c.length / ((performance.now() - b0) / 1000);

  // ---- figures --------------------------------------------------------------------------------------------
  print(
    `MQTT telemetry end-to-end (${C} device connections, QoS 1, ${opts.inflight} in flight each; broker → rules → storage → latest values, PUBACK after commit) vs raw batched INSERT of the same rows`,
    msgPerSec,
    'msg/s',
    rawRowsPerSec / ROWS_PER_MESSAGE,
  );
  print('MQTT telemetry end-to-end, telemetry rows', msgPerSec * ROWS_PER_MESSAGE, 'rows/s', rawRowsPerSec);
  print(
    `alarm (smoke=true) publish → SSE p50 at ${opts.rate} msg/s offered (achieved ${Math.round(paced.acked / paced.seconds)}; idle as baseline)`,
    quantile(atRate, 0.5),
    'ms',
    quantile(idle, 0.5),
    true,
  );
  print(
    `alarm publish → SSE p99 at ${opts.rate} msg/s offered (idle as baseline)`,
    quantile(atRate, 0.99),
    'ms',
    quantile(idle, 0.99),
    true,
  );
  print(
    `alarm publish → SSE p99 in the saturating run (${C * opts.inflight} messages in flight; idle as baseline)`,
    quantile(underLoad, 0.99),
    'ms',
    quantile(idle, 0.99),
    true,
  );
  if (heldRun && heldRun.kind === 'loaded')
    print(
      `MQTT telemetry end-to-end with ${held} concurrent connections open (2 in flight each) vs the ${C}-connection run`,
      heldRun.acked / heldRun.seconds,
      'msg/s',
      msgPerSec,
    );
  print(
    'concurrent device connections held by the embedded broker (of those tried)',
    held,
    'connections',
    opts.maxConnections + ALARM_DEVICES,
  );

  note({
    acked: run.acked,
    seconds: Math.round(run.seconds * 100) / 100,
    alarmsUnderLoad: run.alarmsSent,
    alarmsNotSeen: lost + paced.alarmsSent - atRate.length,
    pacedRun: { acked: paced.acked, seconds: Math.round(paced.seconds * 100) / 100, alarms: paced.alarmsSent },
    saturatingAlarmP50: quantile(underLoad, 0.5),
    rejectedBefore: txBefore,
    rejectedAfter: ingestStats.rejected,
    heldRunErrors: heldRun && heldRun.kind === 'loaded' ? heldRun.errors : null,
  });
  note({ run: 'saturating', ...saturating });
  note({ run: 'paced', ...pacedWindow });
}
