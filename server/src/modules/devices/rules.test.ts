import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEVICE_TYPE_KEYS, ELDERLY_ALARMS } from './model.js';
import {
  applySample,
  applySamples,
  DEFAULT_RULES,
  matches,
  ruleProblem,
  rulesFor,
  SEVERITIES,
  type Condition,
  type Outcome,
  type Rule,
  type RuleState,
  type Sample,
} from './rules.js';

// A controllable clock: time exists only in the samples' timestamps.
const T0 = 1_700_000_000_000;
const sec = (s: number) => T0 + s * 1000;
const min = (m: number) => sec(m * 60);
const at = (ts: number, values: Record<string, unknown>): Sample => ({ ts, values });

const byId = (id: string): Rule => {
  const r = DEFAULT_RULES.find((x) => x.id === id);
  if (!r) throw new Error(id);
  return r;
};
const fire = byId('smoke.fire');
const heat = byId('temperature.high');
const door = byId('door.forced');

/** Runs samples one by one, returning each outcome (null included) and the final state. */
function run(rule: Rule, samples: Sample[], state?: RuleState) {
  const outcomes: Outcome[] = [];
  let s = state;
  for (const x of samples) {
    const r = applySample(rule, s, x);
    outcomes.push(r.outcome);
    s = r.state;
  }
  return { outcomes, state: s! };
}
const kindOf = (o: Outcome) => (o === null ? null : 'raise' in o ? 'raise' : 'update' in o ? 'update' : 'clear');

describe('matches', () => {
  const c = (op: Condition['op'], value: Condition['value']): Condition => ({ key: 'k', op, value });
  it('compares numbers numerically, numeric strings too', () => {
    expect(matches(c('>=', 20), 20)).toBe(true);
    expect(matches(c('>=', 20), 19.9)).toBe(false);
    expect(matches(c('>', 35), '35.5')).toBe(true);
    expect(matches(c('<', 10), ' 9 ')).toBe(true);
    expect(matches(c('==', 3), '3')).toBe(true);
    expect(matches(c('!=', 3), 4)).toBe(true);
    expect(matches(c('<=', 0), -1)).toBe(true);
  });
  it('is false for non-numbers against a number', () => {
    for (const v of ['', '  ', 'abc', '0x10', true, null, undefined, NaN, Infinity, {}, [1]]) {
      expect(matches(c('>', -1e9), v)).toBe(false);
      expect(matches(c('!=', 5), v)).toBe(false);
    }
  });
  it('booleans and strings only with == and !=, and only against the same type', () => {
    expect(matches(c('==', true), true)).toBe(true);
    expect(matches(c('==', true), false)).toBe(false);
    expect(matches(c('!=', true), false)).toBe(true);
    expect(matches(c('==', true), 'true')).toBe(false);
    expect(matches(c('==', true), 1)).toBe(false);
    expect(matches(c('==', 'open'), 'open')).toBe(true);
    expect(matches(c('!=', 'open'), 'closed')).toBe(true);
    expect(matches(c('!=', 'open'), 3)).toBe(false);
    expect(matches(c('>', 'a'), 'b')).toBe(false);
    expect(matches(c('>=', true), true)).toBe(false);
  });
});

describe('simple rules', () => {
  it('raise, update, clear', () => {
    const r = run(fire, [
      at(sec(0), { smoke: false }),
      at(sec(10), { smoke: true }),
      at(sec(20), { smoke: true }),
      at(sec(30), { smoke: false }),
      at(sec(40), { smoke: false }),
      at(sec(50), { smoke: true }),
    ]);
    expect(r.outcomes).toEqual([
      null,
      { raise: { value: true } },
      { update: { value: true } },
      { clear: true },
      null,
      { raise: { value: true } },
    ]);
    expect(r.state).toMatchObject({ active: true, hits: [], matchingSince: null });
  });
  it('numeric threshold (gas %LEL)', () => {
    const gas = byId('gas.leak');
    expect(run(gas, [at(sec(0), { gas_lel: 19 }), at(sec(1), { gas_lel: '20' }), at(sec(2), { gas_lel: 5 })]).outcomes.map(kindOf)).toEqual(
      [null, 'raise', 'clear'],
    );
  });
  it('a late non-matching sample does not clear a newer alarm; a late matching one still raises', () => {
    const r = run(fire, [at(sec(10), { smoke: true }), at(sec(5), { smoke: false })]);
    expect(r.outcomes.map(kindOf)).toEqual(['raise', null]);
    expect(r.state.active).toBe(true);
    const r2 = run(fire, [at(sec(10), { smoke: false }), at(sec(5), { smoke: true }), at(sec(11), { smoke: false })]);
    expect(r2.outcomes.map(kindOf)).toEqual([null, 'raise', 'clear']);
  });
});

describe('duration rules (temperature > 35 for 600 s)', () => {
  it('9 minutes of matching samples do not raise; at 10 minutes they do; then update and clear', () => {
    const samples = [0, 1, 3, 5, 7, 9].map((m) => at(min(m), { temperature: 36 }));
    const a = applySamples(heat, undefined, samples);
    expect(a.outcomes).toEqual([]);
    expect(a.state.matchingSince).toBe(min(0));
    const b = run(
      heat,
      [at(min(9) + 59_999, { temperature: 37 }), at(min(10), { temperature: 38 }), at(min(11), { temperature: 36 })],
      a.state,
    );
    expect(b.outcomes).toEqual([null, { raise: { value: 38 } }, { update: { value: 36 } }]);
    const c = run(heat, [at(min(12), { temperature: 35 })], b.state);
    expect(c.outcomes).toEqual([{ clear: true }]);
    expect(c.state).toMatchObject({ active: false, matchingSince: null, hits: [] });
  });
  it('a non-matching sample in between resets the timer', () => {
    const r = run(heat, [
      at(min(0), { temperature: 40 }),
      at(min(6), { temperature: 30 }),
      at(min(7), { temperature: 40 }),
      at(min(12), { temperature: 40 }),
      at(min(16), { temperature: 40 }),
      at(min(17), { temperature: 40 }),
    ]);
    expect(r.outcomes.map(kindOf)).toEqual([null, null, null, null, null, 'raise']);
  });
  it('out-of-order samples do not raise early', () => {
    // After the reading at 5 min (not hot), late readings from 0 and 4 min arrive: they must not start the
    // clock; the condition only holds since 10 min 30 s.
    const r = run(heat, [
      at(min(5), { temperature: 30 }),
      at(min(0), { temperature: 40 }), // late: would otherwise start the clock at 0
      at(min(4), { temperature: 40 }), // late
      at(min(10) + 30_000, { temperature: 40 }),
      at(min(11), { temperature: 40 }),
      at(min(20), { temperature: 40 }),
      at(min(20) + 30_000, { temperature: 40 }),
    ]);
    expect(r.outcomes.map(kindOf)).toEqual([null, null, null, null, null, null, 'raise']);
    expect(r.state.matchingSince).toBe(min(10) + 30_000);
  });
  it('a late non-matching sample does not reset or clear', () => {
    const r = run(heat, [
      at(min(0), { temperature: 40 }),
      at(min(10), { temperature: 40 }),
      at(min(5), { temperature: 20 }),
      at(min(11), { temperature: 40 }),
    ]);
    expect(r.outcomes.map(kindOf)).toEqual([null, 'raise', null, 'update']);
  });
});

describe('repeat rules (door forced 5 times within 60 s)', () => {
  const forced = (s: number) => at(sec(s), { forced: true });
  it('4 hits in 60 s no alarm, the 5th raises, a 6th updates, ageing out clears', () => {
    const r = run(door, [forced(0), forced(10), forced(20), forced(30)]);
    expect(r.outcomes).toEqual([null, null, null, null]);
    const r5 = run(door, [forced(40), forced(50)], r.state);
    expect(r5.outcomes.map(kindOf)).toEqual(['raise', 'update']);
    expect(r5.state.hits.length).toBeLessThanOrEqual(5);
    // At 65 s the hit at 0 is older than 60 s: hits 10,20,30,40,50 are still 5 → stays active.
    const still = run(door, [at(sec(65), { forced: false })], r5.state);
    expect(still.outcomes).toEqual([null]);
    expect(still.state.active).toBe(true);
    // At 75 s the hit at 10 ages out: 4 left → clear.
    const cleared = run(door, [at(sec(75), { forced: false })], still.state);
    expect(cleared.outcomes).toEqual([{ clear: true }]);
    expect(cleared.state.hits).toEqual([sec(20), sec(30), sec(40), sec(50)]);
  });
  it('hits spread over more than the window never raise', () => {
    const r = applySamples(door, undefined, [0, 20, 40, 60, 80, 100, 120, 140].map(forced));
    expect(r.outcomes).toEqual([]);
    expect(r.state.hits.every((h) => sec(140) - h <= 60_000)).toBe(true);
  });
  it('the window is inclusive: 5 hits spanning exactly 60 s raise', () => {
    expect(applySamples(door, undefined, [0, 15, 30, 45, 60].map(forced)).outcomes.map(kindOf)).toEqual(['raise']);
  });
  it('a redelivered sample (same timestamp) does not count twice', () => {
    expect(applySamples(door, undefined, [0, 10, 10, 10, 20, 30].map(forced)).outcomes).toEqual([]);
  });
  it('late samples are ignored', () => {
    const r = run(door, [forced(100), forced(10), forced(20), forced(30), forced(40)]);
    expect(r.outcomes).toEqual([null, null, null, null, null]);
    expect(r.state.hits).toEqual([sec(100)]);
  });
});

describe('samples without the key', () => {
  it('change nothing: same state object, outcome null', () => {
    for (const rule of [fire, heat, door]) {
      const s = applySamples(rule, undefined, [at(sec(0), { [rule.condition.key]: rule.condition.value })]).state;
      const r = applySample(rule, s, at(sec(1), { other: 1 }));
      expect(r.state).toBe(s);
      expect(r.outcome).toBeNull();
      expect(applySample(rule, s, at(sec(2), { [rule.condition.key]: undefined })).state).toBe(s);
      expect(applySample(rule, s, at(NaN, { [rule.condition.key]: rule.condition.value })).state).toBe(s);
    }
    expect(applySample(fire, undefined, at(sec(0), {}))).toEqual({
      state: { matchingSince: null, hits: [], active: false },
      outcome: null,
    });
  });
  it('do not break the duration timer', () => {
    const r = run(heat, [at(min(0), { temperature: 40 }), at(min(5), { humidity: 80 }), at(min(10), { temperature: 40 })]);
    expect(r.outcomes.map(kindOf)).toEqual([null, null, 'raise']);
  });
  it('inputs are never mutated', () => {
    const s = applySamples(
      door,
      undefined,
      [0, 10, 20].map((x) => at(sec(x), { forced: true })),
    ).state;
    const copy = structuredClone(s);
    applySample(door, s, at(sec(200), { forced: false }));
    expect(s).toEqual(copy);
  });
});

// ---- properties ----

const arbRule: fc.Arbitrary<Rule> = fc.oneof(
  fc
    .record({ op: fc.constantFrom<Condition['op']>('>', '>=', '<', '<='), value: fc.integer({ min: 0, max: 10 }) })
    .map(({ op, value }): Rule => ({ ...byId('gas.leak'), id: 'p.simple', condition: { key: 'k', op, value } })),
  fc
    .integer({ min: 1, max: 30 })
    .map((seconds): Rule => ({ ...heat, id: 'p.duration', condition: { key: 'k', op: '>', value: 5 }, seconds })),
  fc
    .record({ count: fc.integer({ min: 1, max: 5 }), windowSeconds: fc.integer({ min: 1, max: 30 }) })
    .map((x): Rule => ({ ...door, id: 'p.repeat', condition: { key: 'k', op: '>=', value: 5 }, ...x })),
);
const arbValue = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 10 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 10 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('x', true, null) },
);
const arbSample = (ts: fc.Arbitrary<number>): fc.Arbitrary<Sample> =>
  fc.record({
    ts,
    values: fc.oneof({ weight: 5, arbitrary: arbValue.map((k) => ({ k })) }, { weight: 1, arbitrary: fc.constant({ other: 1 }) }),
  });
/** Arbitrary order (including late and equal timestamps), seconds apart. */
const arbAnySamples = fc.array(arbSample(fc.integer({ min: 0, max: 120 }).map(sec)), { maxLength: 60 });
/** Non-decreasing timestamps. */
const arbOrderedSamples = fc.array(fc.tuple(fc.integer({ min: 0, max: 10 }), arbSample(fc.constant(0))), { maxLength: 60 }).map((xs) => {
  let t = T0;
  return xs.map(([d, s]) => ({ ...s, ts: (t += d * 1000) }));
});

describe('properties', () => {
  it('(a) raise never twice without a clear in between; update/clear only while active; hits bounded', () => {
    fc.assert(
      fc.property(arbRule, arbAnySamples, (rule, samples) => {
        let active = false;
        let state: RuleState | undefined;
        for (const x of samples) {
          const r = applySample(rule, state, x);
          const k = kindOf(r.outcome);
          if (k === 'raise') expect(active).toBe(false);
          if (k === 'update' || k === 'clear') expect(active).toBe(true);
          if (k === 'raise' || k === 'update') active = true;
          if (k === 'clear') active = false;
          expect(r.state.active).toBe(active);
          state = r.state;
          if (rule.kind === 'repeat') {
            expect(state.hits.length).toBeLessThanOrEqual(rule.count!);
            for (const h of state.hits) expect(state.lastTs! - h).toBeLessThanOrEqual(rule.windowSeconds! * 1000);
          } else expect(state.hits).toEqual([]);
          if (rule.kind !== 'duration') expect(state.matchingSince).toBeNull();
        }
      }),
    );
  });

  const simpleRule = arbRule.filter((r) => r.kind === 'simple');
  it('(b) simple rules: in timestamp order, active equals `matches` of the last sample carrying the key', () => {
    fc.assert(
      fc.property(simpleRule, arbOrderedSamples, (rule, samples) => {
        const last = samples.filter((x) => 'k' in x.values).at(-1);
        expect(applySamples(rule, undefined, samples).state.active).toBe(last ? matches(rule.condition, last.values.k) : false);
      }),
    );
  });
  it('(b′) simple rules, any order: the newest reading matching keeps the alarm active; active means some reading since it matched', () => {
    fc.assert(
      fc.property(simpleRule, arbAnySamples, (rule, samples) => {
        const carrying = samples.filter((x) => 'k' in x.values);
        let newest = -1; // index of the last sample not older than every earlier one
        carrying.forEach((x, i) => {
          if (newest < 0 || x.ts >= carrying[newest]!.ts) newest = i;
        });
        const { active } = applySamples(rule, undefined, samples).state;
        if (newest < 0) {
          expect(active).toBe(false);
          return;
        }
        if (matches(rule.condition, carrying[newest]!.values.k)) expect(active).toBe(true);
        if (active) expect(carrying.slice(newest).some((x) => matches(rule.condition, x.values.k))).toBe(true);
      }),
    );
  });

  it('(c) state survives a JSON round-trip mid-sequence with identical outcomes', () => {
    fc.assert(
      fc.property(arbRule, arbAnySamples, fc.nat(), (rule, samples, cut) => {
        const k = samples.length === 0 ? 0 : cut % (samples.length + 1);
        const whole = applySamples(rule, undefined, samples);
        const first = applySamples(rule, undefined, samples.slice(0, k));
        const stored = JSON.parse(JSON.stringify(first.state)) as RuleState;
        expect(stored).toStrictEqual(first.state);
        const second = applySamples(rule, stored, samples.slice(k));
        expect([...first.outcomes, ...second.outcomes]).toEqual(whole.outcomes);
        expect(second.state).toStrictEqual(whole.state);
      }),
    );
  });
});

describe('ruleProblem', () => {
  const ok: Rule = { ...fire };
  it('accepts valid rules of each kind', () => {
    expect(ruleProblem(ok)).toBeNull();
    expect(ruleProblem({ ...heat })).toBeNull();
    expect(ruleProblem({ ...door })).toBeNull();
    expect(ruleProblem({ ...ok, condition: { key: 'state', op: '!=', value: 'normal' } })).toBeNull();
  });
  it.each<[string, unknown]>([
    ['not an object', null],
    ['array', []],
    ['empty id', { ...ok, id: '' }],
    ['bad id', { ...ok, id: 'Smoke Fire' }],
    ['missing deviceType', { ...ok, deviceType: undefined }],
    ['bad alarmType', { ...ok, alarmType: 'Fire!' }],
    ['empty label', { ...ok, label: '  ' }],
    ['bad severity', { ...ok, severity: 'fatal' }],
    ['no condition', { ...ok, condition: undefined }],
    ['bad key', { ...ok, condition: { key: '1x', op: '==', value: true } }],
    ['bad op', { ...ok, condition: { key: 'smoke', op: '=', value: true } }],
    ['ordering op on boolean', { ...ok, condition: { key: 'smoke', op: '>', value: true } }],
    ['ordering op on string', { ...ok, condition: { key: 'state', op: '<=', value: 'b' } }],
    ['non-finite number', { ...ok, condition: { key: 'x', op: '>', value: Infinity } }],
    ['null value', { ...ok, condition: { key: 'x', op: '==', value: null } }],
    ['bad kind', { ...ok, kind: 'sometimes' }],
    ['duration without seconds', { ...heat, seconds: undefined }],
    ['duration with zero seconds', { ...heat, seconds: 0 }],
    ['duration with negative seconds', { ...heat, seconds: -5 }],
    ['repeat without count', { ...door, count: undefined }],
    ['repeat with fractional count', { ...door, count: 2.5 }],
    ['repeat with zero count', { ...door, count: 0 }],
    ['repeat with huge count', { ...door, count: 10_000 }],
    ['repeat without window', { ...door, windowSeconds: undefined }],
    ['repeat with negative window', { ...door, windowSeconds: -1 }],
  ])('rejects %s with a Chinese message', (_, r) => {
    const p = ruleProblem(r);
    expect(p).toEqual(expect.any(String));
    expect(p).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe('DEFAULT_RULES', () => {
  it('all pass ruleProblem, with unique ids and one rule per device type and alarm type', () => {
    for (const r of DEFAULT_RULES) expect(ruleProblem(r), r.id).toBeNull();
    expect(new Set(DEFAULT_RULES.map((r) => r.id)).size).toBe(DEFAULT_RULES.length);
    expect(new Set(DEFAULT_RULES.map((r) => `${r.deviceType}/${r.alarmType}`)).size).toBe(DEFAULT_RULES.length);
  });
  it('use the device register types, cover the elderly alarms, and label in Chinese', () => {
    for (const r of DEFAULT_RULES) {
      expect(DEVICE_TYPE_KEYS as readonly string[]).toContain(r.deviceType);
      expect(r.label).toMatch(/[\u4e00-\u9fff]/);
      expect(SEVERITIES[r.severity]).toMatch(/[\u4e00-\u9fff]/);
    }
    for (const a of ELDERLY_ALARMS) expect(DEFAULT_RULES.some((r) => r.alarmType === a && r.severity === 'critical')).toBe(true);
  });
  it('include the required rules', () => {
    const summary = DEFAULT_RULES.map((r) => [
      r.deviceType,
      r.alarmType,
      r.severity,
      r.kind,
      r.condition.key,
      r.condition.op,
      r.condition.value,
    ]);
    expect(summary).toEqual(
      expect.arrayContaining([
        ['smoke_detector', 'fire', 'critical', 'simple', 'smoke', '==', true],
        ['gas_detector', 'gas_leak', 'critical', 'simple', 'gas_lel', '>=', 20],
        ['elevator_monitor', 'elevator_fault', 'major', 'simple', 'fault', '==', true],
        ['elevator_monitor', 'elevator_trapped', 'critical', 'simple', 'trapped', '==', true],
        ['temperature_humidity', 'high_temperature', 'warning', 'duration', 'temperature', '>', 35],
        ['sos_button', 'sos', 'critical', 'simple', 'pressed', '==', true],
        ['fall_detector', 'fall', 'critical', 'simple', 'fall', '==', true],
        ['door_access', 'door_forced', 'major', 'repeat', 'forced', '==', true],
        ['water_meter', 'water_leak', 'major', 'simple', 'leak', '==', true],
        ['ev_charger', 'charger_fault', 'minor', 'simple', 'fault', '==', true],
        ['street_light', 'light_fault', 'minor', 'simple', 'fault', '==', true],
      ]),
    );
    expect(heat.seconds).toBe(600);
    expect([door.count, door.windowSeconds]).toEqual([5, 60]);
    expect(SEVERITIES).toEqual({ critical: '紧急', major: '重要', minor: '次要', warning: '提示' });
  });
  it('rulesFor picks a device type', () => {
    expect(rulesFor('elevator_monitor').map((r) => r.alarmType)).toEqual(['elevator_fault', 'elevator_trapped']);
    expect(rulesFor('camera')).toEqual([]);
    expect(rulesFor('x', [{ ...fire, deviceType: 'x' }]).map((r) => r.id)).toEqual(['smoke.fire']);
  });
});
