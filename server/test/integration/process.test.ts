// The real start command as a process: embedded PostgreSQL on its own port, demo data on first
// start, clean stop on SIGTERM, and a restart after kill -9 (orphaned postmaster, stale pid file).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/db/embedded.js';

const serverDir = path.resolve(import.meta.dirname, '../..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiayuan-proc-'));
const children: ChildProcess[] = [];

function start(port: number, mqttPort: number) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    JIAYUAN_MQTT_PORT: String(mqttPort),
    JIAYUAN_DATA_DIR: dataDir,
    JIAYUAN_ADMIN_PASSWORD: 'Proc@Test2026',
    LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: serverDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  children.push(child);
  return { child, output: () => out };
}

async function healthy(port: number, ms = 90_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (r.ok) return true;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

const postmasterPid = () => Number(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const exited = (c: ChildProcess) =>
  // A child killed by a signal has exitCode null and signalCode set once it has gone.
  new Promise<number | null>((r) => (c.exitCode !== null || c.signalCode !== null ? r(c.exitCode) : c.once('exit', (code) => r(code))));

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('the server process with embedded PostgreSQL', () => {
  it('starts with demo data, survives kill -9, and stops PostgreSQL on SIGTERM', async () => {
    const port = await freePort();
    const mqttPort = await freePort();
    const first = start(port, mqttPort);
    expect(await healthy(port), first.output()).toBe(true);
    const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'Proc@Test2026' }),
    });
    expect(login.status).toBe(200);
    const pgPid = postmasterPid();
    expect(alive(pgPid)).toBe(true);

    // A grid worker reports an event; its handling deadline is brought forward to a few seconds after
    // the kill below (working-hour deadlines are hours long), so only a restarted server can fire it.
    const workerLogin = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'liuan_grid1', password: 'Demo@2026' }),
    });
    const workerToken = ((await workerLogin.json()) as { token: string }).token;
    const grid = await (
      await fetch(`http://127.0.0.1:${port}/api/auth/me`, { headers: { authorization: `Bearer ${workerToken}` } })
    ).json();
    const report = await fetch(`http://127.0.0.1:${port}/api/grid/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${workerToken}` },
      body: JSON.stringify({
        categoryCode: 'env.garbage',
        description: '进程测试：垃圾堆放',
        regionId: (grid as { regionId: string }).regionId,
      }),
    });
    expect(report.status, await report.clone().text()).toBe(201);
    const eventId = ((await report.json()) as { id: string }).id;
    const creds = JSON.parse(fs.readFileSync(path.join(dataDir, 'pg-credentials.json'), 'utf8')) as { user: string; password: string };
    const pgPort = () => Number(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[3]);
    const sqlClient = async () => {
      const c = new pg.Client({ host: '127.0.0.1', port: pgPort(), user: creds.user, password: creds.password, database: 'jiayuan' });
      await c.connect();
      return c;
    };
    let c = await sqlClient();
    await c.query(
      `update deadlines set due_at = now() + interval '4 seconds' where subject_id = $1 and kind = 'grid.warn'`.replace(
        /\$1/g,
        `'${eventId}'`,
      ),
    );
    await c.end();

    // kill -9: the app dies at once and leaves its PostgreSQL running with a pid file.
    // A device publishes QoS 1 telemetry to the embedded broker while the server is killed: every
    // message the broker acknowledged must be in the database after the restart.
    const adminLogin = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'liuan_admin', password: 'Demo@2026' }),
    });
    const adminToken = ((await adminLogin.json()) as { token: string }).token;
    const registered = await fetch(`http://127.0.0.1:${port}/api/devices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ regionId: (grid as { regionId: string }).regionId, type: 'electricity_meter', name: '进程测试电表' }),
    });
    expect(registered.status, await registered.clone().text()).toBe(201);
    const device = (await registered.json()) as { id: string; credentials: { password: string } };
    const meter = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
      username: device.id,
      password: device.credentials.password,
      reconnectPeriod: 0,
    });
    meter.on('error', () => {});
    const acked: number[] = [];
    const base = Date.now() - 60_000;
    let publishing = true;
    const loop = (async () => {
      for (let seq = 1; publishing; seq++) {
        try {
          await meter.publishAsync(`jiayuan/devices/${device.id}/telemetry`, JSON.stringify({ ts: base + seq, values: { seq } }), {
            qos: 1,
          });
          acked.push(seq);
        } catch {
          return;
        }
      }
    })();
    for (let i = 0; i < 500 && acked.length < 200; i++) await new Promise((r) => setTimeout(r, 20));
    first.child.kill('SIGKILL');
    publishing = false;
    await Promise.race([loop, new Promise((r) => setTimeout(r, 3000))]);
    meter.end(true);
    await exited(first.child);
    expect(alive(pgPid)).toBe(true); // orphaned postmaster still holds the cluster
    const port2 = await freePort();
    const second = start(port2, await freePort());
    expect(await healthy(port2), second.output()).toBe(true);
    expect(alive(pgPid)).toBe(false); // the orphan was stopped and a new postmaster started
    const regions = await fetch(`http://127.0.0.1:${port2}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'Proc@Test2026' }),
    });
    expect(regions.status).toBe(200); // same data: the account made by the first start

    // The deadline scheduled before the kill fires after the restart: the warning is on the event's history.
    c = await sqlClient();
    let overdue = false;
    for (let i = 0; i < 60 && !overdue; i++) {
      const { rows } = await c.query("select count(*)::int as n from grid_event_transitions where event_id = $1 and action = 'warn'", [
        eventId,
      ]);
      overdue = rows[0].n > 0;
      if (!overdue) await new Promise((r) => setTimeout(r, 250));
    }
    const fired = await c.query("select count(*)::int as n from grid_event_transitions where event_id = $1 and action = 'warn'", [eventId]);
    const left = await c.query('select kind from deadlines where subject_id = $1 order by kind', [eventId]);
    const stored = await c.query("select value from telemetry where device_id = $1 and key = 'seq'", [device.id]);
    await c.end();
    expect(overdue, second.output()).toBe(true);
    expect(fired.rows[0].n).toBe(1); // fired once
    // It is gone from the pending deadlines, and the next links of the chain are in its place.
    expect(left.rows.map((r: { kind: string }) => r.kind)).toEqual(['grid.escalate', 'grid.handle']);
    const kept = new Set(stored.rows.map((r: { value: number }) => r.value));
    expect(acked.length).toBeGreaterThanOrEqual(200);
    expect(acked.filter((seq) => !kept.has(seq))).toEqual([]); // no acknowledged message lost

    const pgPid2 = postmasterPid();
    second.child.kill('SIGTERM');
    expect(await exited(second.child), second.output()).toBe(0);
    expect(alive(pgPid2)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  }, 240_000);
});
