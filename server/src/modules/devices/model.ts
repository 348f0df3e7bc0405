// Pure rules of the device register and ingest (issue 7; `003` L1P4 充电桩、车位、电梯、温湿度、水电气暖
// terminals, L1P8 lighting, L2P4 parking, L2P6 emergency help, L3P1 monitoring, L3P2 fire).

/** Device types, with the FIWARE Smart Data Model they follow where one fits. */
export const DEVICE_TYPES = {
  smoke_detector: { label: '烟感探测器', fiware: 'Device' },
  gas_detector: { label: '燃气探测器', fiware: 'Device' },
  elevator_monitor: { label: '电梯监测终端', fiware: 'Device' },
  parking_sensor: { label: '车位检测器', fiware: 'ParkingSpot' },
  ev_charger: { label: '电动汽车充电桩', fiware: 'EVChargingStation' },
  street_light: { label: '智慧路灯', fiware: 'Streetlight' },
  water_meter: { label: '智能水表', fiware: 'Device' },
  electricity_meter: { label: '智能电表', fiware: 'Device' },
  gas_meter: { label: '智能燃气表', fiware: 'Device' },
  heat_meter: { label: '智能热表', fiware: 'Device' },
  temperature_humidity: { label: '温湿度传感器', fiware: 'Device' },
  door_access: { label: '门禁', fiware: 'Device' },
  camera: { label: '摄像机（仅元数据与流地址）', fiware: 'Device' },
  sos_button: { label: '一键呼救按钮', fiware: 'Device' },
  fall_detector: { label: '跌倒检测器', fiware: 'Device' },
} as const;
export type DeviceType = keyof typeof DEVICE_TYPES;
export const DEVICE_TYPE_KEYS = Object.keys(DEVICE_TYPES) as DeviceType[];

/** Elderly emergencies (`003` L2P6): answered within 15 minutes counts. */
export const ELDERLY_ALARMS = new Set(['sos', 'fall']);
export const RESPONSE_LIMIT_MINUTES = 15;

/** Topic a device publishes its telemetry to. */
export const TELEMETRY_TOPIC = (deviceId: string) => `jiayuan/devices/${deviceId}/telemetry`;
const TOPIC = /^jiayuan\/devices\/([0-9a-f-]{36})\/telemetry$/;
export function deviceOfTopic(topic: string): string | null {
  return TOPIC.exec(topic)?.[1] ?? null;
}

export interface Telemetry {
  ts: number;
  values: Record<string, number | boolean | string>;
}

const KEY = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;
/** How far a device's clock may be ahead of ours, and how old a sample may be. */
const MAX_AHEAD_MS = 5 * 60_000;
const MAX_AGE_MS = 7 * 86400_000;

/** Parses `{ "ts"?: ISO string | epoch ms, "values": { key: number | boolean | string } }`, or says why not (Chinese). */
export function parseTelemetry(body: unknown, now: number): { telemetry: Telemetry } | { problem: string; field: string } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { problem: '应为 JSON 对象', field: 'body' };
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) if (k !== 'ts' && k !== 'values') return { problem: `不支持的字段 ${k}`, field: `body.${k}` };
  let ts = now;
  if (b.ts !== undefined) {
    const t = typeof b.ts === 'number' ? b.ts : typeof b.ts === 'string' ? Date.parse(b.ts) : NaN;
    if (!Number.isFinite(t)) return { problem: '时间应为 ISO 8601 字符串或毫秒时间戳', field: 'body.ts' };
    if (t > now + MAX_AHEAD_MS) return { problem: '时间晚于当前时间', field: 'body.ts' };
    if (t < now - MAX_AGE_MS) return { problem: '时间早于 7 天前', field: 'body.ts' };
    ts = t;
  }
  const v = b.values;
  if (!v || typeof v !== 'object' || Array.isArray(v)) return { problem: '应为对象 { 键: 数值/布尔/字符串 }', field: 'body.values' };
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length === 0 || entries.length > 50) return { problem: '应有 1–50 个测量值', field: 'body.values' };
  const values: Telemetry['values'] = {};
  for (const [k, x] of entries) {
    if (!KEY.test(k)) return { problem: '键应以字母开头，仅含字母、数字、下划线，最长 40 个字符', field: `body.values.${k}` };
    if (typeof x === 'number' && Number.isFinite(x)) values[k] = x;
    else if (typeof x === 'boolean') values[k] = x;
    else if (typeof x === 'string' && x.length <= 200 && !x.includes('\u0000')) values[k] = x;
    else return { problem: '值应为有限数值、布尔或不超过 200 字的字符串', field: `body.values.${k}` };
  }
  return { telemetry: { ts, values } };
}
