// Live measures: a criterion's value computed from the platform's own data, with its provenance
// (what was counted, when, over how many records), never typed in (issue 4 §3).
//
// How a module publishes a measure: call `registerMeasure` once at load with a key that framework
// files name in a criterion's `measure` field (see frameworks/*.json). `compute` answers for many
// communities in one go (one grouped query), so a whole city is recomputed in a few statements.
// Keys already named by the shipped frameworks and waiting for their modules: grid.closed-loop
// (`003` L3P3), devices.elderly-response-15min (L2P6), devices.parking-share-rate (L2P4),
// devices.smart-lighting-rate and devices.lighting-saving-rate (L1P8), democracy.e-voting (L2P10),
// platform.operations-screen (L1P6), platform.information-release (L1P7). Until a key is registered
// its criterion takes an entered value with evidence, like any other.
import type { Executor } from '../../db/pool.js';

export interface MeasureValue {
  /** Percent for ratios, a count, minutes; for boolean criteria `met` decides. */
  value: number;
  met?: boolean;
  numerator?: number;
  denominator?: number;
  /** How many records the figure was computed over. */
  records: number;
}

export interface Measure {
  key: string;
  /** Chinese, for people: what is counted. */
  title: string;
  /** The computation in words (numerator / denominator), shown as provenance. */
  method: string;
  clause: string;
  compute(db: Executor, communityIds: string[]): Promise<Map<string, MeasureValue>>;
}

const measures = new Map<string, Measure>();

export function registerMeasure(m: Measure): void {
  if (measures.has(m.key)) throw new Error(`measure ${m.key} is registered twice`);
  measures.set(m.key, m);
}

export function measureOf(key: string | undefined): Measure | undefined {
  return key ? measures.get(key) : undefined;
}

export function registeredMeasures(): Measure[] {
  return [...measures.values()];
}
