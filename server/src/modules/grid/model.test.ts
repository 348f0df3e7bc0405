import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACTION_KEYS,
  ACTIONS,
  boundingDegrees,
  distanceMetres,
  eventNumber,
  kpis,
  routeFor,
  STATUS_KEYS,
  trackingCode,
  transition,
  type KpiEvent,
  type RouteRow,
  type Status,
} from './model.js';

describe('state machine (`003` L3P3)', () => {
  it('every action is allowed exactly from its listed states and refused elsewhere with a Chinese reason', () => {
    for (const action of ACTION_KEYS)
      for (const status of STATUS_KEYS) {
        const r = transition({ status, suspendedFrom: 'dispatched', needsVerification: false }, action);
        const allowed = (ACTIONS[action].from as readonly Status[]).includes(status);
        if (allowed) expect(r, `${action} from ${status}`).toHaveProperty('to');
        else {
          expect(r, `${action} from ${status}`).toHaveProperty('error');
          expect((r as { error: string }).error).toContain(ACTIONS[action].label);
        }
      }
  });

  it('the loop: report → accept → dispatch → start → handle → (verify) → confirm', () => {
    const step = (status: Status, action: (typeof ACTION_KEYS)[number], needsVerification = false) =>
      (transition({ status, suspendedFrom: null, needsVerification }, action) as { to: Status }).to;
    expect(step('reported', 'accept')).toBe('accepted');
    expect(step('accepted', 'dispatch')).toBe('dispatched');
    expect(step('dispatched', 'start')).toBe('in_progress');
    expect(step('in_progress', 'handle')).toBe('feedback');
    expect(step('in_progress', 'handle', true)).toBe('handled');
    expect(step('handled', 'verify', true)).toBe('feedback');
    expect(step('handled', 'rework', true)).toBe('in_progress');
    expect(step('feedback', 'confirm')).toBe('closed');
    expect(step('feedback', 'reopen')).toBe('dispatched');
    expect(step('dispatched', 'return')).toBe('accepted');
    expect(step('in_progress', 'escalate')).toBe('in_progress');
  });

  it('resume goes back to the state before the suspension', () => {
    fc.assert(
      fc.property(fc.constantFrom<Status>('accepted', 'dispatched', 'in_progress'), (before) => {
        const s = transition({ status: before, suspendedFrom: null, needsVerification: false }, 'suspend') as { to: Status };
        expect(s.to).toBe('suspended');
        expect(transition({ status: 'suspended', suspendedFrom: before, needsVerification: false }, 'resume')).toEqual({ to: before });
      }),
    );
  });

  it('closed, rejected and merged are terminal for people', () => {
    for (const status of ['closed', 'rejected', 'merged'] as Status[])
      for (const action of ACTION_KEYS)
        expect(transition({ status, suspendedFrom: null, needsVerification: false }, action)).toHaveProperty('error');
  });
});

describe('routing (智能派单)', () => {
  const city = '/c/';
  const district = '/c/d/';
  const community = '/c/d/s/k/';
  const grid = '/c/d/s/k/g/';
  it('the deepest area wins, and an exact category beats its level-1 parent in the same area', () => {
    const routes: RouteRow[] = [
      { regionPath: district, categoryCode: 'env', unitId: 'district-env' },
      { regionPath: community, categoryCode: 'env', unitId: 'community-env' },
      { regionPath: district, categoryCode: 'env.garbage', unitId: 'district-garbage' },
      { regionPath: community, categoryCode: 'env.garbage', unitId: 'community-garbage' },
      { regionPath: city, categoryCode: 'municipal', unitId: 'city-municipal' },
    ];
    expect(routeFor(routes, grid, 'env.garbage', 'env')).toBe('community-garbage');
    expect(routeFor(routes, grid, 'env.litter', 'env')).toBe('community-env');
    expect(routeFor(routes, '/c/d/s/other/', 'env.litter', 'env')).toBe('district-env');
    expect(routeFor(routes, '/c/d/s/other/', 'env.garbage', 'env')).toBe('district-garbage');
    expect(routeFor(routes, grid, 'municipal.road', 'municipal')).toBe('city-municipal');
    expect(routeFor(routes, grid, 'safety.fire', 'safety')).toBeNull();
    expect(routeFor(routes, '/x/', 'env.garbage', 'env')).toBeNull();
  });

  it('the answer never depends on the order of the table', () => {
    const paths = [city, district, '/c/d/s/', community, grid];
    const row = fc.record({
      regionPath: fc.constantFrom(...paths),
      categoryCode: fc.constantFrom('env', 'env.garbage', 'env.litter'),
      unitId: fc.uuid(),
    });
    fc.assert(
      fc.property(fc.uniqueArray(row, { selector: (r) => r.regionPath + r.categoryCode }), fc.constantFrom(...paths), (rows, at) => {
        const a = routeFor(rows, at, 'env.garbage', 'env');
        expect(routeFor([...rows].reverse(), at, 'env.garbage', 'env')).toBe(a);
        // Whatever it picks lies on the event's path and matches the category.
        if (a) {
          const r = rows.find((x) => x.unitId === a)!;
          expect(at.startsWith(r.regionPath)).toBe(true);
          expect(['env', 'env.garbage']).toContain(r.categoryCode);
        }
      }),
    );
  });
});

describe('duplicates and identifiers', () => {
  it('distance and its bounding box agree: a point within the radius is inside the box', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -60, max: 60, noNaN: true }),
        fc.double({ min: -170, max: 170, noNaN: true }),
        fc.double({ min: -0.002, max: 0.002, noNaN: true }),
        fc.double({ min: -0.002, max: 0.002, noNaN: true }),
        (lat, lng, dy, dx) => {
          const d = distanceMetres({ lat, lng }, { lat: lat + dy, lng: lng + dx });
          const box = boundingDegrees(lat, 150);
          if (d <= 150) {
            expect(Math.abs(dy)).toBeLessThanOrEqual(box.dLat);
            expect(Math.abs(dx)).toBeLessThanOrEqual(box.dLng);
          }
        },
      ),
    );
    // 0.001° of latitude is about 111 m.
    expect(Math.round(distanceMetres({ lat: 30, lng: 118 }, { lat: 30.001, lng: 118 }))).toBe(111);
  });

  it('event numbers carry the Beijing-time date; tracking codes avoid look-alike characters', () => {
    expect(eventNumber(new Date('2026-12-02T16:30:00Z'), 42)).toBe('20261203-000042');
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 10, maxLength: 10 }), (bytes) => {
        const c = trackingCode(bytes);
        expect(c).toMatch(/^[A-HJ-NP-Z2-9]{10}$/);
      }),
    );
  });
});

describe('assessment figures (绩效考核), computed by hand', () => {
  const t = (h: number) => new Date(Date.UTC(2026, 2, 2, h));
  const base: KpiEvent = {
    status: 'closed',
    reopenCount: 0,
    satisfaction: 5,
    respondedAt: t(1),
    respondDueAt: t(2),
    handledAt: t(5),
    handleDueAt: t(8),
    respondOverdue: false,
    handleOverdue: false,
    handleMinutes: 240,
    handleAllowedMinutes: 420,
  };
  it('rates over valid events, on-time over handled, satisfaction over rated, overdue multiple over overdue', () => {
    const events: KpiEvent[] = [
      base, // on time, closed, 5
      { ...base, satisfaction: 3, reopenCount: 1 }, // closed, unsatisfied, reworked once
      { ...base, handledAt: t(10), handleOverdue: true, handleMinutes: 630, satisfaction: 4 }, // late ×1.5
      { ...base, status: 'in_progress', handledAt: null, satisfaction: null, handleOverdue: true, handleMinutes: 840 }, // open, late ×2
      { ...base, status: 'rejected', satisfaction: null }, // not valid
      { ...base, status: 'feedback', satisfaction: null, respondedAt: t(3), respondOverdue: true }, // responded late
    ];
    const k = kpis(events);
    expect(k.reports).toBe(6);
    expect(k.valid).toBe(5);
    expect(k.responseRate).toBe(80); // 4 of 5 responded in time
    expect(k.onTimeRate).toBe(75); // handled: 4 (closed×3 + feedback), late: 1
    expect(k.resolutionRate).toBe(60); // closed 3 of 5
    expect(k.satisfactionRate).toBe(66.67); // 5 and 4 of (5, 3, 4)
    expect(k.satisfactionMean).toBe(4);
    expect(k.reworks).toBe(1);
    expect(k.overdue).toBe(2);
    expect(k.overdueMultiple).toBe(1.75); // (1.5 + 2) / 2
    expect(k.open).toBe(2); // in_progress, feedback
  });

  it('no events: counts are zero and rates are null, never NaN', () => {
    const k = kpis([]);
    expect(k).toMatchObject({ reports: 0, valid: 0, responseRate: null, onTimeRate: null, satisfactionRate: null, overdueMultiple: null });
  });
});
