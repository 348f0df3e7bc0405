// 告警规则 (alarm-rule configuration): the types and calls of /api/device-rules* (server
// src/modules/devices/rule-routes.ts). Kept apart from api.ts, which other pages own.
import { api, request } from '../../api/client';

const enc = encodeURIComponent;

export type RuleKind = 'simple' | 'duration' | 'repeat';
export type RuleSource = 'default' | 'city' | 'district' | 'street' | 'community';
export type ConditionValue = number | boolean | string;

export interface RuleDefinition {
  deviceType: string;
  alarmType: string;
  label: string;
  severity: string;
  kind: RuleKind;
  condition: { key: string; op: string; value: ConditionValue };
  seconds?: number;
  count?: number;
  windowSeconds?: number;
}

export interface EffectiveRule extends RuleDefinition {
  id: string;
  enabled: boolean;
  source: RuleSource;
  sourceLabel: string;
  sourceRegionId: string | null;
  sourceRegionName: string | null;
  /** Set at the region shown (so it can be reverted there). */
  here: boolean;
  version: number | null;
  updatedBy: string | null;
  updatedAt: string | null;
}

export interface RuleSet {
  region: { id: string; name: string; level: string; levelLabel: string };
  rules: EffectiveRule[];
}

export interface RuleVersion {
  version: number;
  action: 'set' | 'revert';
  definition: RuleDefinition | null;
  enabled: boolean;
  by: string | null;
  at: string;
}

export const SOURCE_COLORS: Record<RuleSource, string> = {
  default: 'default',
  city: 'purple',
  district: 'geekblue',
  street: 'cyan',
  community: 'green',
};

export const KIND_LABELS: Record<RuleKind, string> = { simple: '单次触发', duration: '持续触发', repeat: '重复触发' };

export const OP_LABELS: Record<string, string> = {
  '>': '大于',
  '>=': '大于等于',
  '<': '小于',
  '<=': '小于等于',
  '==': '等于',
  '!=': '不等于',
};

const valueText = (v: ConditionValue) => (v === true ? '是' : v === false ? '否' : String(v));

/** "temperature 大于 35，持续 10 分钟" — a rule's condition as people read it. */
export function conditionText(d: RuleDefinition): string {
  const base = `${d.condition.key} ${OP_LABELS[d.condition.op] ?? d.condition.op} ${valueText(d.condition.value)}`;
  if (d.kind === 'duration' && d.seconds) return `${base}，持续 ${minutesText(d.seconds)}`;
  if (d.kind === 'repeat' && d.count && d.windowSeconds) return `${base}，${d.windowSeconds} 秒内 ${d.count} 次`;
  return base;
}

export const minutesText = (seconds: number) =>
  seconds % 60 === 0 ? `${seconds / 60} 分钟` : `${Math.round((seconds / 60) * 100) / 100} 分钟`;

export const rulesApi = {
  list: (regionId: string | undefined, signal?: AbortSignal) =>
    api.get<RuleSet>('/api/device-rules', regionId ? { regionId } : undefined, signal),
  put: (regionId: string, ruleId: string, body: { enabled: boolean; definition: RuleDefinition }) =>
    request<EffectiveRule>(`/api/device-rules/${enc(regionId)}/${enc(ruleId)}`, { method: 'PUT', body }),
  revert: (regionId: string, ruleId: string) =>
    api.delete<{ reverted: boolean; rule: EffectiveRule | null }>(`/api/device-rules/${enc(regionId)}/${enc(ruleId)}`),
  history: (regionId: string, ruleId: string) => api.get<RuleVersion[]>(`/api/device-rules/${enc(regionId)}/${enc(ruleId)}/history`),
};

/** The definition part of an effective rule (what PUT takes). */
export function definitionOf(r: EffectiveRule): RuleDefinition {
  const d: RuleDefinition = {
    deviceType: r.deviceType,
    alarmType: r.alarmType,
    label: r.label,
    severity: r.severity,
    kind: r.kind,
    condition: { ...r.condition },
  };
  if (r.kind === 'duration' && r.seconds !== undefined) d.seconds = r.seconds;
  if (r.kind === 'repeat') {
    if (r.count !== undefined) d.count = r.count;
    if (r.windowSeconds !== undefined) d.windowSeconds = r.windowSeconds;
  }
  return d;
}
