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

// ---- provisioning (bulk import, credentials, how devices connect) ------------------------------------

/** Device statuses: a disabled device is refused on MQTT connect and on HTTP telemetry. */
export const DEVICE_STATUSES = { active: '启用', disabled: '停用' } as const;
export type DeviceStatus = keyof typeof DEVICE_STATUSES;

/** Types that serve one person (their family follow the alarms): the import takes that person's ID number. */
export const PERSONAL_TYPES: ReadonlySet<DeviceType> = new Set(['sos_button', 'fall_detector']);

const typeText = (s: string) => s.normalize('NFKC').replace(/\s+/g, '');
const TYPE_BY_TEXT = new Map<string, DeviceType>(
  DEVICE_TYPE_KEYS.flatMap((k) => [
    [k, k],
    [typeText(DEVICE_TYPES[k].label), k],
    // 摄像机（仅元数据与流地址） is also written 摄像机.
    [typeText(DEVICE_TYPES[k].label).replace(/\(.*\)$/, ''), k],
  ]),
);

/** A device type from its Chinese label (with or without the parenthesised note; full- or half-width) or its key. */
export function deviceTypeOf(text: string): DeviceType | null {
  return TYPE_BY_TEXT.get(typeText(text)) ?? null;
}

/** One import row, by column key (the sheet's cell texts). */
export interface DeviceRowValues {
  type?: string;
  name?: string;
  address?: string;
  lng?: string;
  lat?: string;
  serialNumber?: string;
  manufacturerName?: string;
  modelName?: string;
  shared?: string;
  residentIdNumber?: string;
}

export interface ParsedDeviceRow {
  type: DeviceType;
  name: string;
  address: string | null;
  lng: number | null;
  lat: number | null;
  serialNumber: string;
  /** FIWARE Device fields and type-specific ones (parking: shared). */
  attributes: Record<string, unknown>;
  residentIdNumber: string | null;
}

const YES_NO: Record<string, boolean> = { 是: true, 否: false };

/**
 * Checks what a row says on its own (the address, the person and duplicates need the database).
 * Problems name the column key and say why, in Chinese.
 */
export function parseDeviceRow(v: DeviceRowValues): {
  row: ParsedDeviceRow | null;
  problems: { column: keyof DeviceRowValues; message: string }[];
} {
  const problems: { column: keyof DeviceRowValues; message: string }[] = [];
  const text = (k: keyof DeviceRowValues) => (v[k] ?? '').trim();
  const type = text('type') ? deviceTypeOf(text('type')) : null;
  if (!text('type')) problems.push({ column: 'type', message: '设备类型不能为空' });
  else if (!type) problems.push({ column: 'type', message: `未知的设备类型“${text('type')}”` });
  const name = text('name');
  if (!name) problems.push({ column: 'name', message: '名称不能为空' });
  else if (name.length > 80) problems.push({ column: 'name', message: '名称最长 80 个字' });
  const coordinate = (k: 'lng' | 'lat', limit: number, label: string) => {
    if (!text(k)) return null;
    const n = Number(text(k));
    if (!Number.isFinite(n)) problems.push({ column: k, message: `${label}应为数字` });
    else if (n < -limit || n > limit) problems.push({ column: k, message: `${label}应在 -${limit} 到 ${limit} 之间` });
    else return n;
    return null;
  };
  const lng = coordinate('lng', 180, '经度');
  const lat = coordinate('lat', 90, '纬度');
  if (!text('lng') !== !text('lat')) problems.push({ column: text('lng') ? 'lat' : 'lng', message: '经度与纬度需同时填写' });
  const serialNumber = text('serialNumber');
  if (!serialNumber) problems.push({ column: 'serialNumber', message: '序列号不能为空（重复导入时据此识别已登记的设备）' });
  else if (serialNumber.length > 64) problems.push({ column: 'serialNumber', message: '序列号最长 64 个字符' });
  const attributes: Record<string, unknown> = {};
  if (serialNumber) attributes.serialNumber = serialNumber;
  for (const k of ['manufacturerName', 'modelName'] as const) {
    if (text(k).length > 80) problems.push({ column: k, message: '最长 80 个字' });
    else if (text(k)) attributes[k] = text(k);
  }
  if (text('shared')) {
    if (type && type !== 'parking_sensor') problems.push({ column: 'shared', message: '仅车位检测器填写' });
    else if (!(text('shared') in YES_NO)) problems.push({ column: 'shared', message: '应为“是”或“否”' });
    else attributes.shared = YES_NO[text('shared')];
  }
  const residentIdNumber = text('residentIdNumber') || null;
  if (residentIdNumber && type && !PERSONAL_TYPES.has(type))
    problems.push({ column: 'residentIdNumber', message: '仅一键呼救按钮和跌倒检测器填写' });
  if (problems.length || !type) return { row: null, problems };
  return {
    row: { type, name, address: text('address') || null, lng, lat, serialNumber, attributes, residentIdNumber },
    problems,
  };
}

/**
 * Where devices reach the MQTT broker: the embedded one on `mqttPort` of the platform's own host
 * (`host` null), or the external broker of `mqttUrl`, its user name and password left out.
 */
export function mqttEndpoint(
  mqttUrl: string | undefined,
  mqttPort: number,
): { external: boolean; protocol: string; host: string | null; port: number } {
  if (!mqttUrl) return { external: false, protocol: 'mqtt', host: null, port: mqttPort };
  const defaults: Record<string, number> = { mqtt: 1883, tcp: 1883, mqtts: 8883, ssl: 8883, tls: 8883, ws: 80, wss: 443 };
  try {
    const u = new URL(mqttUrl);
    const protocol = u.protocol.replace(/:$/, '');
    return { external: true, protocol, host: u.hostname, port: u.port ? Number(u.port) : (defaults[protocol] ?? 1883) };
  } catch {
    return { external: true, protocol: 'mqtt', host: null, port: 1883 };
  }
}
