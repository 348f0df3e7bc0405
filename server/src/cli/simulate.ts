// Device simulator (issue 7 §9): registers a realistic mix of devices in a community's buildings through
// the API, keeps their credentials in a local file (reused on the next run), connects each one to the MQTT
// broker with its own credentials (username = device id) and publishes telemetry at a fixed rate.
//
//   npm run simulate -- --url http://localhost:8080 --mqtt mqtt://localhost:1884 --community <uuid> \
//     --devices 1000 --rate 10 --minutes 5 [--token <bearer> | --username liuan_admin --password Demo@2026] \
//     [--state .tmp/simulator.json]
//
// Works against the embedded broker or an external one (which then authenticates the devices itself).
// Ctrl-C stops publishing, waits briefly for outstanding acknowledgements and disconnects.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://localhost:8080' },
    mqtt: { type: 'string', default: 'mqtt://localhost:1884' },
    community: { type: 'string' },
    devices: { type: 'string', default: '100' },
    rate: { type: 'string', default: '10' },
    minutes: { type: 'string', default: '5' },
    token: { type: 'string' },
    username: { type: 'string' },
    password: { type: 'string' },
    state: { type: 'string', default: '.tmp/simulator.json' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (args.help) {
  console.log(
    'npm run simulate -- --url <http> --mqtt <mqtt url> [--community <uuid>] [--devices N] [--rate per device per minute] [--minutes M] [--token T | --username U --password P] [--state file]',
  );
  process.exit(0);
}

const DEVICES = Number(args.devices);
const RATE = Number(args.rate);
const MINUTES = Number(args.minutes);
if (!(DEVICES > 0) || !(RATE > 0) || !(MINUTES > 0)) throw new Error('--devices, --rate and --minutes must be positive numbers');
const base = args.url!.replace(/\/$/, '');

// ---- the API -------------------------------------------------------------------------------------------

let token = args.token;
async function api<T>(method: string, p: string, body?: unknown): Promise<T> {
  const res = await fetch(base + p, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : null) as T;
}

// ---- the device mix --------------------------------------------------------------------------------------

type Kind =
  'water_meter' | 'electricity_meter' | 'parking_sensor' | 'temperature_humidity' | 'street_light' | 'smoke_detector' | 'sos_button';
const MIX: [Kind, number, string][] = [
  ['water_meter', 0.25, '智能水表'],
  ['electricity_meter', 0.25, '智能电表'],
  ['parking_sensor', 0.15, '车位检测器'],
  ['temperature_humidity', 0.1, '温湿度传感器'],
  ['street_light', 0.05, '智慧路灯'],
  ['smoke_detector', 0.15, '烟感探测器'],
  ['sos_button', 0.05, '一键呼救按钮'],
];
function kindOf(i: number): Kind {
  // Deterministic spread by index, so the mix holds for any N.
  const x = (((i * 0.6180339887) % 1) + 1) % 1;
  let acc = 0;
  for (const [k, share] of MIX) if (x < (acc += share)) return k;
  return 'water_meter';
}

interface SimDevice {
  id: string;
  password: string;
  type: Kind;
  buildingId: string;
  /** Simulation state carried between messages (meter totals, occupancy, alarms in progress). */
  s: Record<string, number | boolean>;
}
interface State {
  url: string;
  communityId: string;
  devices: SimDevice[];
}

/** Hour of day in Asia/Shanghai (fractional). */
const hourNow = () => {
  const d = new Date(Date.now() + 8 * 3600_000);
  return d.getUTCHours() + d.getUTCMinutes() / 60;
};

function nextValues(d: SimDevice, minutesPerMessage: number): Record<string, number | boolean> {
  const h = hourNow();
  const day = h >= 6 && h < 23;
  const r = Math.random;
  const round = (x: number, p = 3) => Math.round(x * 10 ** p) / 10 ** p;
  switch (d.type) {
    case 'water_meter': {
      // m³: morning and evening peaks, almost nothing at night.
      const peak = (h >= 6 && h < 9) || (h >= 18 && h < 22) ? 3 : day ? 1 : 0.1;
      const flow = round(peak * 0.008 * (0.5 + r()), 4); // m³/min
      d.s.reading = round(Number(d.s.reading ?? 100 + r() * 200) + flow * minutesPerMessage, 4);
      return { reading: d.s.reading, flow };
    }
    case 'electricity_meter': {
      const power = round((day ? (h >= 18 ? 2.2 : 0.9) : 0.25) * (0.6 + r() * 0.8), 3); // kW
      d.s.energy = round(Number(d.s.energy ?? 2000 + r() * 3000) + (power * minutesPerMessage) / 60, 4); // kWh
      return { energy: d.s.energy, power };
    }
    case 'parking_sensor': {
      // Turnover: more departures in the morning, arrivals in the evening.
      const leave = h >= 7 && h < 10 ? 0.08 : 0.02;
      const arrive = h >= 17 && h < 21 ? 0.1 : 0.02;
      const occ = Boolean(d.s.occupied ?? r() < 0.6);
      d.s.occupied = occ ? r() >= leave : r() < arrive;
      return { occupied: d.s.occupied, battery: round(Number(d.s.battery ?? 100) - 0.0005, 3) };
    }
    case 'temperature_humidity': {
      const t = 18 + 7 * Math.sin(((h - 9) / 24) * 2 * Math.PI) + (r() - 0.5);
      return { temperature: round(t, 1), humidity: round(55 - (t - 18) * 1.5 + (r() - 0.5) * 4, 1) };
    }
    case 'street_light': {
      const on = h >= 18.5 || h < 6;
      return { on, power: on ? round(55 + r() * 10, 1) : 0 };
    }
    case 'smoke_detector': {
      d.s.battery = round(Math.max(0, Number(d.s.battery ?? 100) - 0.001), 3);
      // Very rarely smoke (≈ once per 20,000 messages), cleared on the next message.
      const smoke = !d.s.smoke && r() < 0.00005;
      d.s.smoke = smoke;
      return { smoke, battery: d.s.battery };
    }
    case 'sos_button': {
      const pressed = r() < 0.00002;
      return { pressed, battery: round(Number(d.s.battery ?? 100), 1) };
    }
  }
}

// ---- registration ------------------------------------------------------------------------------------------

async function ensureToken() {
  if (token) return;
  if (!args.username || !args.password) throw new Error('give --token or --username and --password (an account with devices.manage)');
  token = (await api<{ token: string }>('POST', '/api/auth/login', { username: args.username, password: args.password })).token;
}

function loadState(): State | null {
  try {
    return JSON.parse(fs.readFileSync(args.state!, 'utf8')) as State;
  } catch {
    return null;
  }
}
function saveState(s: State) {
  fs.mkdirSync(path.dirname(path.resolve(args.state!)), { recursive: true });
  fs.writeFileSync(args.state!, JSON.stringify(s, null, 1), { mode: 0o600 });
}

async function prepare(): Promise<State> {
  let state = loadState();
  if (state && state.url !== base) {
    console.log(`状态文件 ${args.state} 属于 ${state.url}，本次为 ${base}：重新登记`);
    state = null;
  }
  if (state && args.community && state.communityId !== args.community) state = null;
  if (state && state.devices.length >= DEVICES) return state;
  await ensureToken();
  let communityId = args.community ?? state?.communityId;
  if (!communityId) {
    // Without --community: the caller's own community.
    const me = await api<{ regionId: string; regionLevel: string }>('GET', '/api/auth/me');
    if (me.regionLevel !== 'community') throw new Error('--community <uuid> is required (the account is not a community account)');
    communityId = me.regionId;
  }
  const buildings = await api<{ id: string; label: string }[]>('GET', `/api/buildings?communityId=${communityId}`);
  if (!buildings.length) throw new Error('the community has no buildings (GET /api/buildings)');
  state ??= { url: base, communityId, devices: [] };
  const t0 = Date.now();
  const before = state.devices.length;
  let next = before;
  const work = async () => {
    for (let i = next++; i < DEVICES; i = next++) {
      const type = kindOf(i);
      const b = buildings[i % buildings.length]!;
      const label = MIX.find((m) => m[0] === type)![2];
      const attributes: Record<string, unknown> = { serialNumber: `SIM-${String(i).padStart(6, '0')}`, manufacturerName: '家园模拟器' };
      if (type === 'parking_sensor') attributes.shared = Math.random() < 0.1;
      const d = await api<{ id: string; credentials: { username: string; password: string } }>('POST', '/api/devices', {
        buildingId: b.id,
        type,
        name: `${b.label} ${label} ${i + 1}`.slice(0, 80),
        attributes,
      });
      state.devices[i] = { id: d.id, password: d.credentials.password, type, buildingId: b.id, s: {} };
      if (i % 100 === 99) saveState({ ...state, devices: state.devices.filter(Boolean) });
    }
  };
  await Promise.all(Array.from({ length: 8 }, work));
  state.devices = state.devices.filter(Boolean);
  saveState(state);
  console.log(
    `登记设备 ${state.devices.length - before} 台 → 共 ${state.devices.length} 台，用时 ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  return state;
}

// ---- publishing ------------------------------------------------------------------------------------------

async function main() {
  const state = await prepare();
  const devices = state.devices.slice(0, DEVICES);
  const stats = { sent: 0, acked: 0, errors: 0, refused: 0, connected: 0, lastAcked: 0 };
  let stopping = false;
  const clients: mqtt.MqttClient[] = [];
  const timers = new Map<string, NodeJS.Timeout>();
  const intervalMs = 60_000 / RATE;

  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`停止（${why}）…`);
    for (const t of timers.values()) clearTimeout(t);
    clearInterval(report);
    // Give the last acknowledgements up to 5 s.
    const end = Date.now() + 5000;
    while (stats.acked + stats.errors < stats.sent && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    await Promise.all(clients.map((c) => c.endAsync().catch(() => {})));
    line();
    console.log(`合计：发送 ${stats.sent}，确认 ${stats.acked}，错误 ${stats.errors}，连接被拒 ${stats.refused}`);
    saveState(state);
    process.exit(stats.errors || stats.refused ? 1 : 0);
  };
  process.on('SIGINT', () => void stop('Ctrl-C'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  const t0 = Date.now();
  let lastT = t0;
  const line = () => {
    const now = Date.now();
    const perSec = ((stats.acked - stats.lastAcked) * 1000) / Math.max(1, now - lastT);
    lastT = now;
    stats.lastAcked = stats.acked;
    console.log(
      `[${Math.round((now - t0) / 1000)
        .toString()
        .padStart(
          4,
        )} s] 在线 ${stats.connected}/${devices.length}  已确认 ${stats.acked}  ${perSec.toFixed(1)} 条/秒  待确认 ${stats.sent - stats.acked - stats.errors}  拒绝/错误 ${stats.refused}/${stats.errors}`,
    );
  };
  const report = setInterval(line, 10_000);

  // Connect in waves of 100, each device with its own credentials.
  for (let k = 0; k < devices.length && !stopping; k += 100)
    await Promise.all(
      devices.slice(k, k + 100).map(async (d) => {
        try {
          const c = await mqtt.connectAsync(args.mqtt!, {
            clientId: `sim-${d.id}`,
            username: d.id,
            password: d.password,
            clean: true,
            reconnectPeriod: 5000,
            connectTimeout: 15_000,
            keepalive: 60,
          });
          clients.push(c);
          stats.connected++;
          c.on('offline', () => stats.connected--);
          c.on('connect', () => stats.connected++);
          c.on('error', () => {});
          const topic = `jiayuan/devices/${d.id}/telemetry`;
          const tick = () => {
            if (stopping) return;
            stats.sent++;
            c.publishAsync(topic, JSON.stringify({ ts: Date.now(), values: nextValues(d, 1 / RATE) }), { qos: 1 }).then(
              () => stats.acked++,
              () => stats.errors++,
            );
            timers.set(d.id, setTimeout(tick, intervalMs * (0.9 + Math.random() * 0.2)));
          };
          // Spread the first messages over one interval.
          timers.set(d.id, setTimeout(tick, Math.random() * intervalMs));
        } catch (e) {
          stats.refused++;
          if (stats.refused <= 3) console.error(`设备 ${d.id} 连接失败：${(e as Error).message}`);
        }
      }),
    );
  console.log(`已连接 ${stats.connected} 台设备到 ${args.mqtt}，每台每分钟 ${RATE} 条，持续 ${MINUTES} 分钟`);
  setTimeout(() => void stop('时间到'), Math.max(0, MINUTES * 60_000 - (Date.now() - t0)));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
