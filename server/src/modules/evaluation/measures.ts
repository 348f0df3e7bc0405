// Live measures: a criterion's value computed from the platform's own data, with its provenance
// (what was counted, when, over how many records), never typed in (issue 4 §3).
//
// How a module publishes measures: call `registerMeasures(load, measures)` once at load. `load` reads
// what its measures need for many communities in one go (one grouped query); each measure, under a
// key that framework files name in a criterion's `measure` field (see frameworks/*.json), turns that
// into one community's value. Measures registered together share one `load` per computation, so a
// whole city is recomputed in a few statements.
// Keys named by the shipped frameworks: grid.closed-loop (`003` L3P3, grid/kpis.ts);
// devices.elderly-response-15min (L2P6), devices.parking-share-rate (L2P4),
// devices.smart-lighting-rate and devices.lighting-saving-rate (L1P8), devices.iot-coverage (L1P4)
// (devices/measures.ts); democracy.e-voting (L2P10); registry.* (registry/measures.ts); and, waiting
// for their modules, platform.operations-screen (L1P6), platform.information-release (L1P7). Until a
// key is registered its criterion takes an entered value with evidence, like any other. Registered but
// named by no criterion (informational, computed only when asked for by key): devices.parking-occupancy
// (L2P4), devices.monitoring-coverage (L3P1).
import { concurrently, type Executor } from '../../db/pool.js';

export interface MeasureValue {
  /** Percent for ratios, a count, minutes; for boolean criteria `met` decides. */
  value: number;
  met?: boolean;
  numerator?: number;
  denominator?: number;
  /** How many records the figure was computed over. */
  records: number;
}

export interface MeasureSpec<T> {
  key: string;
  /** Chinese, for people: what is counted. */
  title: string;
  /** The computation in words (numerator / denominator), shown as provenance. */
  method: string;
  clause: string;
  /** One community's value from what `load` read (communities absent from it have no records). */
  value(loaded: T, communityId: string): MeasureValue;
}

export type Measure = Omit<MeasureSpec<unknown>, 'value'>;

interface Registered {
  spec: MeasureSpec<unknown>;
  load: (db: Executor, communityIds: string[]) => Promise<unknown>;
}

const measures = new Map<string, Registered>();

export function registerMeasures<T>(load: (db: Executor, communityIds: string[]) => Promise<T>, specs: MeasureSpec<T>[]): void {
  for (const spec of specs) {
    if (measures.has(spec.key)) throw new Error(`measure ${spec.key} is registered twice`);
    measures.set(spec.key, { spec: spec as MeasureSpec<unknown>, load });
  }
}

export function measureOf(key: string | undefined): Measure | undefined {
  return key ? measures.get(key)?.spec : undefined;
}

/** The values of the registered measures among `keys` for the communities: one `load` per registration. */
export async function measureValues(db: Executor, keys: string[], communityIds: string[]): Promise<Map<string, Map<string, MeasureValue>>> {
  const wanted = keys.flatMap((k) => {
    const r = measures.get(k);
    return r ? [r] : [];
  });
  const loaders = [...new Set(wanted.map((r) => r.load))];
  const results = await concurrently(
    db,
    loaders.map((load) => () => load(db, communityIds)),
  );
  const loads = new Map(loaders.map((load, i) => [load, results[i]]));
  const out = new Map<string, Map<string, MeasureValue>>();
  for (const r of wanted) out.set(r.spec.key, new Map(communityIds.map((id) => [id, r.spec.value(loads.get(r.load), id)])));
  return out;
}
