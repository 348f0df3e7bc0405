// Coalesced lookups: the batching half of a DataLoader, for the hot reads every request makes (the
// session behind a token, the building a report names). The first key asked for is looked up at once;
// keys asked for while that query runs wait and go together in the next one. An idle server answers
// with one round trip as before; a busy one with one round trip per wave instead of one per request,
// which on a 2-core machine is what leaves room for the writes (issue 5 "Performance").
//
// Nothing is cached: every answer comes from a query that started after it was asked for, so a
// revoked session or a moved building is seen exactly as without coalescing.

export type Coalesced<K, V> = (key: K) => Promise<V | undefined>;

interface Waiter<K, V> {
  key: K;
  resolve: (v: V | undefined) => void;
  reject: (e: unknown) => void;
}

/** `load` answers many keys in one query (a missing key is simply absent from the map). */
export function coalesced<K, V>(load: (keys: K[]) => Promise<Map<K, V>>, maxBatch = 500): Coalesced<K, V> {
  let running = false;
  const waiting: Waiter<K, V>[] = [];

  const run = async (batch: Waiter<K, V>[]) => {
    running = true;
    try {
      const found = await load([...new Set(batch.map((w) => w.key))]);
      for (const w of batch) w.resolve(found.get(w.key));
    } catch (e) {
      for (const w of batch) w.reject(e);
    } finally {
      if (waiting.length) void run(waiting.splice(0, maxBatch));
      else running = false;
    }
  };

  return (key) =>
    new Promise<V | undefined>((resolve, reject) => {
      waiting.push({ key, resolve, reject });
      if (!running) void run(waiting.splice(0, maxBatch));
    });
}

/** One coalesced lookup per owner (a connection pool), created on first use. */
export function coalescedPer<O extends object, K, V>(make: (owner: O) => Coalesced<K, V>): (owner: O) => Coalesced<K, V> {
  const byOwner = new WeakMap<O, Coalesced<K, V>>();
  return (owner) => {
    let c = byOwner.get(owner);
    if (!c) byOwner.set(owner, (c = make(owner)));
    return c;
  };
}
