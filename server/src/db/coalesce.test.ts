import { describe, expect, it } from 'vitest';
import { coalesced } from './coalesce.js';

/** A load whose calls are recorded and which finishes only when told to. */
function controlledLoad() {
  const calls: { keys: string[]; finish: (fail?: Error) => void }[] = [];
  const load = (keys: string[]) =>
    new Promise<Map<string, string>>((resolve, reject) => {
      calls.push({
        keys,
        finish: (fail) => (fail ? reject(fail) : resolve(new Map(keys.filter((k) => k !== 'missing').map((k) => [k, `v:${k}`])))),
      });
    });
  return { calls, load };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('coalesced lookups', () => {
  it('looks the first key up at once, and the keys asked for meanwhile together in one next query', async () => {
    const { calls, load } = controlledLoad();
    const get = coalesced(load);
    const a = get('a');
    await tick();
    expect(calls.map((c) => c.keys)).toEqual([['a']]);
    const rest = [get('b'), get('c'), get('b'), get('missing')];
    await tick();
    expect(calls).toHaveLength(1); // waiting for the first query
    calls[0]!.finish();
    expect(await a).toBe('v:a');
    await tick();
    expect(calls.map((c) => c.keys)).toEqual([['a'], ['b', 'c', 'missing']]); // duplicates asked once
    calls[1]!.finish();
    expect(await Promise.all(rest)).toEqual(['v:b', 'v:c', 'v:b', undefined]);
  });

  it('never answers a key from a query that started before it was asked for', async () => {
    const { calls, load } = controlledLoad();
    const get = coalesced(load);
    const first = get('a');
    await tick();
    const second = get('a'); // the same key, asked while the first query runs
    calls[0]!.finish();
    await first;
    await tick();
    expect(calls).toHaveLength(2);
    calls[1]!.finish();
    expect(await second).toBe('v:a');
  });

  it('fails the keys of a failed query only, and keeps serving afterwards', async () => {
    const { calls, load } = controlledLoad();
    const get = coalesced(load);
    const a = get('a');
    await tick();
    const b = get('b');
    calls[0]!.finish(new Error('connection lost'));
    await expect(a).rejects.toThrow('connection lost');
    await tick();
    calls[1]!.finish();
    expect(await b).toBe('v:b');
  });

  it('splits a wave larger than the batch limit', async () => {
    const { calls, load } = controlledLoad();
    const get = coalesced(load, 2);
    const first = get('x');
    await tick();
    const wave = ['a', 'b', 'c'].map((k) => get(k));
    calls[0]!.finish();
    await first;
    await tick();
    expect(calls[1]!.keys).toEqual(['a', 'b']);
    calls[1]!.finish();
    await tick();
    expect(calls[2]!.keys).toEqual(['c']);
    calls[2]!.finish();
    expect(await Promise.all(wave)).toEqual(['v:a', 'v:b', 'v:c']);
  });
});
