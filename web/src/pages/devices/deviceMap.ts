// The arithmetic of 设备分布: devices and active alarms of a community grouped by building, with counts
// by type, how many are online, and the worst active alarm. No server aggregate: the page joins
// /api/buildings, /api/devices and /api/alarms (an alarm reaches its building through its device).
import type { Building } from '../../api/types';
import { DEVICE_TYPE_KEYS, DEVICE_TYPES, type Alarm, type Device } from './api';

/** A device is online when it reported within this window (the list shows 未上报 for none at all). */
export const ONLINE_WINDOW_MS = 24 * 3600_000;

export function isOnline(d: Pick<Device, 'lastSeenAt'>, now: number): boolean {
  if (!d.lastSeenAt) return false;
  const t = Date.parse(d.lastSeenAt);
  return Number.isFinite(t) && now - t <= ONLINE_WINDOW_MS;
}

/** Most severe first (rules.ts SEVERITIES). */
export const SEVERITY_ORDER = ['critical', 'major', 'minor', 'warning'] as const;

/** Solid colours for the plan (the same hues as the antd tag colours of SEVERITIES). */
export const SEVERITY_HEX: Record<string, { stroke: string; fill: string }> = {
  critical: { stroke: '#cf1322', fill: '#fff1f0' },
  major: { stroke: '#d46b08', fill: '#fff7e6' },
  minor: { stroke: '#d4b106', fill: '#feffe6' },
  warning: { stroke: '#1677ff', fill: '#e6f4ff' },
};

const severityRank = (s: string) => {
  const i = SEVERITY_ORDER.indexOf(s as (typeof SEVERITY_ORDER)[number]);
  return i < 0 ? SEVERITY_ORDER.length : i;
};

/** The severity of the most severe of the alarms, or null for none. */
export function worstSeverity(alarms: readonly Pick<Alarm, 'severity'>[]): string | null {
  let worst: string | null = null;
  for (const a of alarms) if (worst === null || severityRank(a.severity) < severityRank(worst)) worst = a.severity;
  return worst;
}

/** The key of the group of devices without a building. */
export const UNASSIGNED = '';

export interface TypeCount {
  type: string;
  label: string;
  count: number;
}

export interface BuildingGroup {
  /** The building's id, or UNASSIGNED. */
  key: string;
  label: string;
  building: Building | null;
  devices: Device[];
  byType: TypeCount[];
  online: number;
  /** Active alarms of the group's devices, most severe first. */
  alarms: Alarm[];
  worst: string | null;
}

const typeRank = (t: string) => {
  const i = DEVICE_TYPE_KEYS.indexOf(t as never);
  return i < 0 ? DEVICE_TYPE_KEYS.length : i;
};

function countTypes(devices: Device[]): TypeCount[] {
  const m = new Map<string, TypeCount>();
  for (const d of devices) {
    const c = m.get(d.type) ?? {
      type: d.type,
      label: d.typeLabel || DEVICE_TYPES[d.type as keyof typeof DEVICE_TYPES] || d.type,
      count: 0,
    };
    c.count++;
    m.set(d.type, c);
  }
  return [...m.values()].sort((a, b) => typeRank(a.type) - typeRank(b.type));
}

/**
 * One group per building of the community (in the order given, devices or not), then 未关联楼栋 when
 * some devices have no building (or one the caller cannot see). `buildings` null means the caller may
 * not read the register: groups are then made from the devices' building ids, named by address.
 */
export function groupByBuilding(buildings: Building[] | null, devices: Device[], alarms: Alarm[], now: number): BuildingGroup[] {
  const groups = new Map<string, { label: string; building: Building | null; devices: Device[] }>();
  for (const b of buildings ?? []) groups.set(b.id, { label: b.label, building: b, devices: [] });
  const unassigned: Device[] = [];
  for (const d of devices) {
    if (d.buildingId && !groups.has(d.buildingId) && !buildings) {
      groups.set(d.buildingId, { label: d.address ?? '楼栋', building: null, devices: [] });
    }
    const g = d.buildingId ? groups.get(d.buildingId) : undefined;
    if (g) g.devices.push(d);
    else unassigned.push(d);
  }
  const deviceGroup = new Map<string, string>();
  for (const [key, g] of groups) for (const d of g.devices) deviceGroup.set(d.id, key);
  const alarmsOf = new Map<string, Alarm[]>();
  for (const a of alarms) {
    if (a.status !== 'active') continue;
    const key = deviceGroup.get(a.deviceId) ?? UNASSIGNED;
    alarmsOf.set(key, [...(alarmsOf.get(key) ?? []), a]);
  }
  const build = (key: string, label: string, building: Building | null, list: Device[]): BuildingGroup => {
    const own = (alarmsOf.get(key) ?? []).sort(
      (x, y) => severityRank(x.severity) - severityRank(y.severity) || y.lastAt.localeCompare(x.lastAt),
    );
    return {
      key,
      label,
      building,
      devices: list,
      byType: countTypes(list),
      online: list.filter((d) => isOnline(d, now)).length,
      alarms: own,
      worst: worstSeverity(own),
    };
  };
  const out = [...groups].map(([key, g]) => build(key, g.label, g.building, g.devices));
  if (unassigned.length || alarmsOf.has(UNASSIGNED)) out.push(build(UNASSIGNED, '未关联楼栋', null, unassigned));
  return out;
}
