// Devices and alarms (物联感知): the types and calls of /api/devices*, /api/alarms*, and the labels of
// server/src/modules/devices/model.ts (DEVICE_TYPES) and rules.ts (SEVERITIES) the pages need.
import { api, ApiError, fetchBlob, getToken, uploadBinary, type Download } from '../../api/client';
import { XLSX_TYPE } from '../../api/endpoints';

const enc = encodeURIComponent;

export const DEVICE_TYPES = {
  smoke_detector: '烟感探测器',
  gas_detector: '燃气探测器',
  elevator_monitor: '电梯监测终端',
  parking_sensor: '车位检测器',
  ev_charger: '电动汽车充电桩',
  street_light: '智慧路灯',
  water_meter: '智能水表',
  electricity_meter: '智能电表',
  gas_meter: '智能燃气表',
  heat_meter: '智能热表',
  temperature_humidity: '温湿度传感器',
  door_access: '门禁',
  camera: '摄像机（仅元数据与流地址）',
  sos_button: '一键呼救按钮',
  fall_detector: '跌倒检测器',
} as const;
export type DeviceType = keyof typeof DEVICE_TYPES;
export const DEVICE_TYPE_KEYS = Object.keys(DEVICE_TYPES) as DeviceType[];

export const SEVERITIES: Record<string, { label: string; color: string }> = {
  critical: { label: '紧急', color: 'red' },
  major: { label: '重要', color: 'orange' },
  minor: { label: '次要', color: 'gold' },
  warning: { label: '提示', color: 'blue' },
};

/** Alarm types for which 到场 (arrival on site) is recorded: elderly emergencies. */
export const ELDERLY_ALARMS = new Set(['sos', 'fall']);

export const LOG_KINDS: Record<string, { label: string; color: string }> = {
  notify: { label: '通知', color: 'orange' },
  ack: { label: '确认', color: 'green' },
  arrive: { label: '到场', color: 'green' },
  assign: { label: '指派', color: 'blue' },
  comment: { label: '评论', color: 'gray' },
  clear: { label: '清除', color: 'gray' },
};

/** The MQTT topic a device publishes its telemetry to (model.ts TELEMETRY_TOPIC). */
export const telemetryTopic = (deviceId: string) => `jiayuan/devices/${deviceId}/telemetry`;

export interface Device {
  id: string;
  communityId: string;
  type: string;
  typeLabel: string;
  fiwareType: string;
  name: string;
  gridId: string | null;
  buildingId: string | null;
  roomId: string | null;
  address: string | null;
  lng: number | null;
  lat: number | null;
  attributes: Record<string, unknown>;
  status: string;
  lastSeenAt: string | null;
  latest: Record<string, { value: unknown; ts: string }>;
}

export interface DeviceCreated extends Device {
  credentials: { username: string; password: string };
}

export interface DeviceCreate {
  communityId?: string;
  buildingId?: string;
  type: DeviceType;
  name: string;
  lng?: number;
  lat?: number;
}

/** One device's credentials as the server shows them once (after registration, import or a reset). */
export interface DeviceCredential {
  id: string;
  username: string;
  password: string;
  name: string;
  typeLabel: string;
  serialNumber: string | null;
  address: string | null;
  topic: string;
}

export interface DeviceImportRowProblem {
  row: number;
  column: string;
  message: string;
}

/** The answer of POST /api/devices/import. */
export interface DeviceImportReport {
  total: number;
  created: number;
  skipped: number;
  invalid: number;
  committed: boolean;
  errors: DeviceImportRowProblem[];
  skippedRows: (DeviceImportRowProblem & { deviceId: string })[];
  credentials: (DeviceCredential & { row: number })[];
}

/** GET /api/devices/connection: how devices reach the platform. */
export interface DeviceConnection {
  mqtt: {
    external: boolean;
    protocol: string;
    host: string;
    port: number;
    url: string;
    username: string;
    password: string;
    topic: string;
    qos: number;
    note: string;
  };
  http: { method: string; url: string; auth: string; contentType: string };
  payloadExample: { ts: string; values: Record<string, unknown> };
}

/** POSTs JSON and takes a file back (the credentials sheet: passwords never go in a URL). */
async function postForFile(path: string, body: unknown): Promise<Blob> {
  const token = getToken();
  const res = await fetch(path, {
    method: 'POST',
    headers: { accept: '*/*', 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (res.ok) return res.blob();
  const text = await res.text().catch(() => '');
  let problem: { title?: string } | null = null;
  try {
    problem = JSON.parse(text) as { title?: string };
  } catch {
    // not problem+json
  }
  throw new ApiError(
    problem && typeof problem.title === 'string'
      ? (problem as ConstructorParameters<typeof ApiError>[0])
      : { type: 'about:blank', title: '请求失败', status: res.status, detail: `下载失败（HTTP ${res.status}）` },
  );
}

export interface SeriesPoint {
  t: string;
  avg: number;
  min: number;
  max: number;
  n: number;
}

export interface Alarm {
  id: string;
  communityId: string;
  deviceId: string;
  deviceName: string | null;
  deviceType: string | null;
  address: string | null;
  type: string;
  label: string;
  severity: string;
  severityLabel: string;
  status: 'active' | 'cleared' | string;
  acknowledged: boolean;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  arrivedAt: string | null;
  arrivedBy: string | null;
  assigneeName: string | null;
  firstAt: string;
  lastAt: string;
  count: number;
  value: unknown;
  clearedAt: string | null;
  gridEventId: string | null;
  responseMinutes: number | null;
  arrivalMinutes: number | null;
}

export interface AlarmLogEntry {
  kind: string;
  author: string;
  text: string;
  at: string;
}

export interface AlarmDetail extends Alarm {
  log: AlarmLogEntry[];
}

export type AlarmAction = 'ack' | 'comment' | 'assign' | 'arrive' | 'clear';

export interface AlarmQuery {
  communityId?: string;
  status?: 'active' | 'cleared';
  acknowledged?: boolean;
  limit?: number;
}

export const devicesApi = {
  list: (query: { communityId?: string; type?: string; buildingId?: string }, signal?: AbortSignal) =>
    api.get<Device[]>('/api/devices', { ...query }, signal),
  get: (id: string, signal?: AbortSignal) => api.get<Device>(`/api/devices/${enc(id)}`, undefined, signal),
  create: (body: DeviceCreate) => api.post<DeviceCreated>('/api/devices', body),
  series: (id: string, query: { key: string; from: string; to: string; bucket: number }, signal?: AbortSignal) =>
    api.get<SeriesPoint[]>(`/api/devices/${enc(id)}/series`, { ...query }, signal),
  alarms: (query: AlarmQuery, signal?: AbortSignal) => api.get<Alarm[]>('/api/alarms', { ...query }, signal),
  alarm: (id: string, signal?: AbortSignal) => api.get<AlarmDetail>(`/api/alarms/${enc(id)}`, undefined, signal),
  act: (id: string, body: { action: AlarmAction; text?: string; assigneeName?: string }) =>
    api.post<AlarmDetail>(`/api/alarms/${enc(id)}/actions`, body),
  connection: (signal?: AbortSignal) => api.get<DeviceConnection>('/api/devices/connection', undefined, signal),
  template: (): Promise<Download> => fetchBlob('/api/devices/template.xlsx'),
  /** Sends the xlsx bytes; with `onlyValid` the good rows are registered even when others are bad. */
  import: (communityId: string, file: ArrayBuffer, onlyValid: boolean, onProgress?: (sent: number) => void) =>
    uploadBinary<DeviceImportReport>('/api/devices/import', file, {
      query: { communityId, ...(onlyValid ? { onlyValid: true } : {}) },
      contentType: XLSX_TYPE,
      ...(onProgress ? { onProgress } : {}),
    }),
  /** The credentials just shown, as xlsx (the server checks each password against the device; it stores none). */
  credentialsXlsx: (credentials: { username: string; password: string }[]) =>
    postForFile('/api/devices/credentials.xlsx', { credentials: credentials.map(({ username, password }) => ({ username, password })) }),
  rotateCredentials: (id: string) => api.post<DeviceCredential>(`/api/devices/${enc(id)}/credentials`),
  disable: (id: string) => api.post<Device>(`/api/devices/${enc(id)}/disable`),
  enable: (id: string) => api.post<Device>(`/api/devices/${enc(id)}/enable`),
};

/** A latest value as short text: 是/否 for booleans, numbers as they are. */
export function formatValue(v: unknown): string {
  if (v === true) return '是';
  if (v === false) return '否';
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return String(Math.round(v * 1000) / 1000);
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}
