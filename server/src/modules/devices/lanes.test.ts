// Which writer (lane) a message takes (service.ts `laneFor`): an alarm-bearing message gets the small
// alarm batches; a device's messages never split across lanes while some are pending.
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES, rulesFor } from './rules.js';
import { alarmSteps, laneFor } from './service.js';

const smoke = rulesFor('smoke_detector', DEFAULT_RULES);
const meter = rulesFor('electricity_meter', DEFAULT_RULES);
const thermo = rulesFor('temperature_humidity', DEFAULT_RULES);

describe('ingest lanes', () => {
  it('a message meeting a rule condition takes the alarm lane, whatever the device type', () => {
    expect(laneFor(undefined, smoke, 'smoke_detector', { smoke: true, battery: 90 })).toBe('alarm');
    // The duration rule (35 °C for 10 minutes) has not fired yet, but its condition holds: its state changes.
    expect(laneFor(undefined, thermo, 'temperature_humidity', { temperature: 39 })).toBe('alarm');
  });

  it('routine messages take the safety lane for life-safety devices and the bulk lane otherwise', () => {
    expect(laneFor(undefined, smoke, 'smoke_detector', { smoke: false, battery: 90 })).toBe('safety');
    expect(laneFor(undefined, smoke, 'smoke_detector', { battery: 90 })).toBe('safety');
    expect(laneFor(undefined, meter, 'electricity_meter', { energy: 3012.5, power: 1.2 })).toBe('bulk');
    expect(laneFor(undefined, thermo, 'temperature_humidity', { temperature: 22 })).toBe('bulk');
  });

  it('before the rules are loaded, a message takes its usual lane', () => {
    expect(laneFor(undefined, undefined, 'smoke_detector', { smoke: true })).toBe('safety');
    expect(laneFor(undefined, undefined, 'water_meter', { reading: 1 })).toBe('bulk');
  });

  it('a device with messages pending in a lane sends its next ones there, alarm or not', () => {
    expect(laneFor('safety', smoke, 'smoke_detector', { smoke: true })).toBe('safety');
    expect(laneFor('alarm', smoke, 'smoke_detector', { smoke: false })).toBe('alarm');
    expect(laneFor('bulk', thermo, 'temperature_humidity', { temperature: 39 })).toBe('bulk');
  });
});

describe('one alarm’s outcomes in a batch (service.ts `alarmSteps`)', () => {
  const change = (value: unknown) => ({ device: {} as never, rule: smoke[0]!, value, at: 1 });
  const kinds = (steps: { kind: string; change: { n: number; value: unknown } }[]) =>
    steps.map((s) => [s.kind, s.change.n, s.change.value]);

  it('raise, updates, clear become at most three set-based steps, every occurrence counted, the last value kept', () => {
    const r = alarmSteps([
      { kind: 'raise', change: change(1) },
      { kind: 'update', change: change(2) },
      { kind: 'update', change: change(3) },
      { kind: 'clear', change: change(null) },
    ]);
    expect(r.merged).toBe(true);
    expect(kinds(r.steps)).toEqual([
      ['raise', 3, 3],
      ['clear', 1, null],
    ]);
    expect(
      kinds(
        alarmSteps([
          { kind: 'update', change: change(5) },
          { kind: 'update', change: change(6) },
        ]).steps,
      ),
    ).toEqual([['update', 2, 6]]);
  });

  it('cleared and raised again within the batch: every step on its own, in order', () => {
    const r = alarmSteps([
      { kind: 'update', change: change(1) },
      { kind: 'clear', change: change(null) },
      { kind: 'raise', change: change(2) },
    ]);
    expect(r.merged).toBe(false);
    expect(kinds(r.steps)).toEqual([
      ['update', 1, 1],
      ['clear', 1, null],
      ['raise', 1, 2],
    ]);
  });
});
