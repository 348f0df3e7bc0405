import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, entryHash, GENESIS_HASH, verifyRows, type AuditFields, type ChainRow } from './model.js';

const field = fc.record({
  actorName: fc.option(fc.string(), { nil: null }),
  action: fc.string({ minLength: 1 }),
  detail: fc.jsonValue({ maxDepth: 3 }),
  statusCode: fc.integer({ min: 100, max: 599 }),
});

function chain(items: { actorName: string | null; action: string; detail: unknown; statusCode: number }[]): ChainRow[] {
  let prev = GENESIS_HASH;
  return items.map((it, i) => {
    const f: AuditFields = {
      seq: i + 1,
      id: `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`,
      occurredAt: new Date(1_700_000_000_000 + i * 1000),
      actorId: null,
      actorRoles: [],
      ip: '127.0.0.1',
      userAgent: null,
      targetType: null,
      targetId: null,
      scopePath: '/',
      outcome: 'success',
      ...it,
    };
    const hash = entryHash(prev, f);
    const row = { ...f, prevHash: prev, hash };
    prev = hash;
    return row;
  });
}

describe('audit chain', () => {
  it('canonical JSON ignores key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }),
    );
  });

  it('an untouched chain verifies', () => {
    fc.assert(fc.property(fc.array(field, { maxLength: 30 }), (items) => verifyRows(chain(items)).ok));
  });

  it('changing any field of any entry breaks the chain at that entry', () => {
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 20 }), fc.nat(), fc.string({ minLength: 1 }), (items, pick, junk) => {
        const rows = chain(items);
        const i = pick % rows.length;
        const victim = rows[i]!;
        rows[i] = { ...victim, action: victim.action + junk };
        const r = verifyRows(rows);
        return !r.ok && r.break.seq === i + 1 && r.break.reason === 'hash';
      }),
    );
  });

  it('removing or reordering entries is detected', () => {
    fc.assert(
      fc.property(fc.array(field, { minLength: 3, maxLength: 20 }), fc.nat(), (items, pick) => {
        const rows = chain(items);
        const i = 1 + (pick % (rows.length - 2));
        const removed = [...rows.slice(0, i), ...rows.slice(i + 1)];
        const swapped = [...rows];
        [swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!];
        return !verifyRows(removed).ok && !verifyRows(swapped).ok;
      }),
    );
  });
});
