// Pure rules engine: device telemetry → alarms (issue 7 §4). No I/O and no clock: time comes only from
// the samples' own timestamps, so a batch replays identically. `003` L3P2 (消防: 烟感火警、燃气泄漏),
// `003` L2P6 (紧急求助: 一键呼救、跌倒), `003` L1P4 (电梯、充电桩、温湿度、水电气暖 terminals), `003` L3P1
// (monitoring). Per (device, rule) the caller stores a JSON `RuleState` between batches; one rule gives
// at most one active alarm per device and alarm type — repeats update it rather than raising another.

export type Op = '>' | '>=' | '<' | '<=' | '==' | '!=';
export const OPS: readonly Op[] = ['>', '>=', '<', '<=', '==', '!='];

export type Severity = 'critical' | 'major' | 'minor' | 'warning';
export const SEVERITIES: Record<Severity, string> = { critical: '紧急', major: '重要', minor: '次要', warning: '提示' };

export interface Condition {
  key: string;
  op: Op;
  value: number | boolean | string;
}

export interface Rule {
  id: string; // stable, e.g. 'smoke.fire'
  deviceType: string; // e.g. 'smoke_detector'
  alarmType: string; // e.g. 'fire'
  label: string; // Chinese, e.g. '烟感火警'
  severity: Severity;
  condition: Condition;
  /** simple: one matching sample raises; duration: matching continuously for `seconds` (measured between sample timestamps); repeat: at least `count` matching samples within the last `windowSeconds`. */
  kind: 'simple' | 'duration' | 'repeat';
  seconds?: number;
  count?: number;
  windowSeconds?: number;
}

/**
 * Per (device, rule); ms timestamps. `lastTs` is the newest sample timestamp applied so far (absent before
 * the first one); it is what lets late, out-of-order samples be recognised. JSON-serialisable.
 */
export interface RuleState {
  matchingSince: number | null;
  hits: number[];
  active: boolean;
  lastTs?: number;
}

export interface Sample {
  ts: number;
  values: Record<string, unknown>;
}

export type Outcome = { raise: { value: unknown } } | { update: { value: unknown } } | { clear: true } | null;

const initial = (): RuleState => ({ matchingSince: null, hits: [], active: false });

const NUMERIC = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && NUMERIC.test(v)) {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** Numbers compare numerically (numeric strings too); booleans and strings with == / != only; anything else false. */
export function matches(c: Condition, v: unknown): boolean {
  const want = c.value;
  if (typeof want === 'number') {
    const n = toNumber(v);
    if (n === null || !Number.isFinite(want)) return false;
    switch (c.op) {
      case '>':
        return n > want;
      case '>=':
        return n >= want;
      case '<':
        return n < want;
      case '<=':
        return n <= want;
      case '==':
        return n === want;
      case '!=':
        return n !== want;
      default:
        return false;
    }
  }
  if ((typeof want === 'boolean' || typeof want === 'string') && typeof v === typeof want) {
    if (c.op === '==') return v === want;
    if (c.op === '!=') return v !== want;
  }
  return false;
}

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** A stored state made safe to work on (tolerates rows written by older versions or for another kind). */
function normalise(rule: Rule, s: RuleState | undefined): RuleState {
  if (!s || typeof s !== 'object') return initial();
  const out: RuleState = {
    matchingSince: rule.kind === 'duration' && finite(s.matchingSince) ? s.matchingSince : null,
    hits: rule.kind === 'repeat' && Array.isArray(s.hits) ? s.hits.filter(finite).sort((a, b) => a - b) : [],
    active: s.active === true,
  };
  if (finite(s.lastTs)) out.lastTs = s.lastTs;
  return out;
}

/**
 * Apply one sample to one rule's state. Never mutates its arguments.
 *
 * - A sample without the rule's key (or with a non-finite `ts`) changes nothing: the same state, outcome null.
 * - raise: the alarm becomes active; update: already active and matched again; clear: an active alarm whose
 *   condition no longer holds (simple/duration: a non-matching sample; repeat: fewer than `count` hits left in
 *   the window at this sample's time).
 * - Out-of-order samples (ts older than the newest already applied) are ignored for duration and repeat rules
 *   (outcome null, state unchanged). For simple rules a late *matching* sample still raises or updates (a late
 *   fire reading is still news), but a late non-matching one never clears: a stale "all clear" must not
 *   override a newer alarm; the next fresh non-matching sample clears it.
 * - Repeat windows are inclusive: a hit exactly `windowSeconds` old still counts. A hit at a timestamp that
 *   already counted is not counted twice (redelivered samples).
 */
export function applySample(rule: Rule, state: RuleState | undefined, sample: Sample): { state: RuleState; outcome: Outcome } {
  const key = rule.condition.key;
  const values = sample.values;
  const hasKey = !!values && typeof values === 'object' && Object.hasOwn(values, key) && values[key] !== undefined;
  if (!hasKey || !finite(sample.ts)) return { state: state ?? initial(), outcome: null };

  const prev = normalise(rule, state);
  const ts = sample.ts;
  const value = values[key];
  const hit = matches(rule.condition, value);
  const stale = prev.lastTs !== undefined && ts < prev.lastTs;
  const lastTs = stale ? prev.lastTs! : ts;

  if (rule.kind === 'duration' || rule.kind === 'repeat') {
    if (stale) return { state: prev, outcome: null };
  }

  if (rule.kind === 'simple') {
    const next: RuleState = { matchingSince: null, hits: [], active: prev.active, lastTs };
    if (hit) {
      next.active = true;
      return { state: next, outcome: prev.active ? { update: { value } } : { raise: { value } } };
    }
    if (prev.active && !stale) {
      next.active = false;
      return { state: next, outcome: { clear: true } };
    }
    return { state: next, outcome: null };
  }

  if (rule.kind === 'duration') {
    const needMs = Math.max(0, finite(rule.seconds) ? rule.seconds : 0) * 1000;
    if (!hit) {
      const next: RuleState = { matchingSince: null, hits: [], active: false, lastTs };
      return { state: next, outcome: prev.active ? { clear: true } : null };
    }
    const since = prev.matchingSince ?? ts;
    const next: RuleState = { matchingSince: since, hits: [], active: prev.active, lastTs };
    if (prev.active) return { state: next, outcome: { update: { value } } };
    if (ts - since >= needMs) {
      next.active = true;
      return { state: next, outcome: { raise: { value } } };
    }
    return { state: next, outcome: null };
  }

  // repeat
  const count = Math.max(1, finite(rule.count) ? Math.ceil(rule.count) : 1);
  const windowMs = Math.max(0, finite(rule.windowSeconds) ? rule.windowSeconds : 0) * 1000;
  const hits = prev.hits.filter((h) => h <= ts && ts - h <= windowMs);
  if (hit && !hits.includes(ts)) hits.push(ts);
  // Only the newest `count` hits can ever decide the condition: keep the state bounded by `count`.
  const kept = hits.slice(-count);
  const holds = kept.length >= count;
  const next: RuleState = { matchingSince: null, hits: kept, active: holds, lastTs };
  if (holds) {
    if (prev.active) return { state: next, outcome: hit ? { update: { value } } : null };
    return { state: next, outcome: { raise: { value } } };
  }
  return { state: next, outcome: prev.active ? { clear: true } : null };
}

/** Applies samples in order; convenience for the ingest batch. */
export function applySamples(
  rule: Rule,
  state: RuleState | undefined,
  samples: readonly Sample[],
): { state: RuleState; outcomes: Exclude<Outcome, null>[]; times: number[] } {
  let s = state ?? initial();
  const outcomes: Exclude<Outcome, null>[] = [];
  /** The timestamp of the sample behind each outcome (an alarm's first and last time). */
  const times: number[] = [];
  for (const sample of samples) {
    const r = applySample(rule, s, sample);
    s = r.state;
    if (r.outcome) {
      outcomes.push(r.outcome);
      times.push(sample.ts);
    }
  }
  return { state: s, outcomes, times };
}

const ID = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/;
const NAME = /^[a-z][a-z0-9_]{0,39}$/;
const KEY = /^[A-Za-z][A-Za-z0-9_]{0,39}$/; // as telemetry keys (model.ts)
const KINDS = ['simple', 'duration', 'repeat'] as const;
const MAX_SECONDS = 30 * 86400;
const MAX_COUNT = 1000;

const positive = (x: unknown, max: number): boolean => finite(x) && x > 0 && x <= max;

/** Validation of a rule someone configures (Chinese problem or null): kind-specific fields present and positive, op valid for the value type. */
export function ruleProblem(r: unknown): string | null {
  if (!r || typeof r !== 'object' || Array.isArray(r)) return '规则应为对象';
  const x = r as Record<string, unknown>;
  if (typeof x.id !== 'string' || !ID.test(x.id) || x.id.length > 80) return '规则编号应为小写字母开头的标识，如 smoke.fire';
  if (typeof x.deviceType !== 'string' || !NAME.test(x.deviceType)) return '设备类型应为小写字母开头的标识';
  if (typeof x.alarmType !== 'string' || !NAME.test(x.alarmType)) return '告警类型应为小写字母开头的标识';
  if (typeof x.label !== 'string' || x.label.trim() === '' || x.label.length > 100) return '告警名称不能为空且不超过 100 个字符';
  if (typeof x.severity !== 'string' || !Object.hasOwn(SEVERITIES, x.severity)) return '告警级别应为 紧急/重要/次要/提示 之一';
  const c = x.condition;
  if (!c || typeof c !== 'object' || Array.isArray(c)) return '缺少触发条件';
  const cond = c as Record<string, unknown>;
  if (typeof cond.key !== 'string' || !KEY.test(cond.key)) return '条件的测量键应以字母开头，仅含字母、数字、下划线';
  if (typeof cond.op !== 'string' || !(OPS as readonly string[]).includes(cond.op)) return '比较运算符应为 > >= < <= == != 之一';
  const v = cond.value;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return '条件的阈值应为有限数值';
  } else if (typeof v === 'boolean' || typeof v === 'string') {
    if (typeof v === 'string' && v.length > 200) return '条件的字符串值不超过 200 个字符';
    if (cond.op !== '==' && cond.op !== '!=') return '布尔或字符串值只能用 == 或 != 比较';
  } else return '条件的值应为数值、布尔或字符串';
  if (typeof x.kind !== 'string' || !(KINDS as readonly string[]).includes(x.kind)) return '规则类型应为 simple/duration/repeat 之一';
  if (x.kind === 'duration' && !positive(x.seconds, MAX_SECONDS)) return '持续型规则须给出持续秒数（大于 0，不超过 30 天）';
  if (x.kind === 'repeat') {
    if (!Number.isInteger(x.count) || !positive(x.count, MAX_COUNT)) return '重复型规则须给出次数（1–1000 的整数）';
    if (!positive(x.windowSeconds, MAX_SECONDS)) return '重复型规则须给出时间窗口秒数（大于 0，不超过 30 天）';
  }
  return null;
}

const def = (
  id: string,
  deviceType: string,
  alarmType: string,
  label: string,
  severity: Severity,
  condition: Condition,
  extra: Pick<Rule, 'kind' | 'seconds' | 'count' | 'windowSeconds'> = { kind: 'simple' },
): Rule => Object.freeze({ id, deviceType, alarmType, label, severity, condition: Object.freeze(condition), ...extra });

/** The default rules per device type, as data (issue 7 §1 device types). */
export const DEFAULT_RULES: readonly Rule[] = Object.freeze([
  // `003` L3P2 消防
  def('smoke.fire', 'smoke_detector', 'fire', '烟感火警', 'critical', { key: 'smoke', op: '==', value: true }),
  def('gas.leak', 'gas_detector', 'gas_leak', '燃气泄漏', 'critical', { key: 'gas_lel', op: '>=', value: 20 }), // %LEL
  // `003` L1P4 电梯
  def('elevator.fault', 'elevator_monitor', 'elevator_fault', '电梯故障', 'major', { key: 'fault', op: '==', value: true }),
  def('elevator.trapped', 'elevator_monitor', 'elevator_trapped', '电梯困人', 'critical', { key: 'trapped', op: '==', value: true }),
  // `003` L1P4 温湿度
  def(
    'temperature.high',
    'temperature_humidity',
    'high_temperature',
    '温度持续过高',
    'warning',
    { key: 'temperature', op: '>', value: 35 },
    { kind: 'duration', seconds: 600 },
  ),
  // `003` L2P6 紧急求助
  def('sos.pressed', 'sos_button', 'sos', '一键呼救', 'critical', { key: 'pressed', op: '==', value: true }),
  def('fall.detected', 'fall_detector', 'fall', '跌倒报警', 'critical', { key: 'fall', op: '==', value: true }),
  // `003` L3P1 安防
  def(
    'door.forced',
    'door_access',
    'door_forced',
    '门禁强行开门',
    'major',
    { key: 'forced', op: '==', value: true },
    { kind: 'repeat', count: 5, windowSeconds: 60 },
  ),
  // `003` L1P4 水电气暖、充电桩; L1P8 路灯
  def('water.leak', 'water_meter', 'water_leak', '漏水', 'major', { key: 'leak', op: '==', value: true }),
  def('charger.fault', 'ev_charger', 'charger_fault', '充电桩故障', 'minor', { key: 'fault', op: '==', value: true }),
  def('light.fault', 'street_light', 'light_fault', '路灯故障', 'minor', { key: 'fault', op: '==', value: true }),
]);

/** Per rule set (the cached, frozen sets of rule-config.ts) and device type: ingest asks for every message. */
const byType = new WeakMap<readonly Rule[], Map<string, readonly Rule[]>>();

/** The rules that apply to a device type (defaults unless a rule set is given); frozen, shared. */
export function rulesFor(deviceType: string, rules: readonly Rule[] = DEFAULT_RULES): readonly Rule[] {
  let types = byType.get(rules);
  if (!types) byType.set(rules, (types = new Map()));
  let found = types.get(deviceType);
  if (!found) types.set(deviceType, (found = Object.freeze(rules.filter((r) => r.deviceType === deviceType))));
  return found;
}
