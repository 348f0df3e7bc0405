import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LEVELS } from '../regions/model.js';
import { checkGrant, grantableRoles, permissionsOf, ROLE_SPECS, ROLES, type Role } from './model.js';
import { hashPassword, passwordProblem, verifyPassword } from './password.js';

const ADMIN_RANK: Partial<Record<Role, number>> = { city_admin: 0, district_admin: 1, street_admin: 2, community_admin: 3 };

describe('grants', () => {
  it('nobody can grant an administrator role above their own level', () => {
    for (const granter of ROLES) {
      for (const role of grantableRoles([granter])) {
        const a = ADMIN_RANK[granter];
        const b = ADMIN_RANK[role];
        if (b !== undefined) expect(a !== undefined && a <= b, `${granter} grants ${role}`).toBe(true);
      }
    }
  });

  it('only the city administrator appoints auditors; operational roles grant nothing', () => {
    for (const r of ROLES) expect(grantableRoles([r]).has('auditor')).toBe(r === 'city_admin');
    for (const r of ['grid_worker', 'handler', 'property_staff', 'evaluator', 'auditor', 'resident'] as Role[])
      expect(grantableRoles([r]).size).toBe(0);
  });

  it('an accepted grant never gives administrative power the granter lacks', () => {
    // Operational roles carry operational permissions (a grid worker reveals ID numbers on door-to-door
    // work; a street administrator does not): those are duties, not power over accounts or regions.
    const ADMIN_POWERS = ['regions.write', 'users.write', 'audit.read'] as const;
    fc.assert(
      fc.property(fc.constantFrom(...ROLES), fc.subarray([...ROLES]), fc.constantFrom(...LEVELS), (granter, roles, level) => {
        if (checkGrant([granter], roles, level).length > 0) return true;
        const given = permissionsOf(roles);
        const own = permissionsOf([granter]);
        // The city administrator appoints auditors without reading the log itself (separation of duties).
        return ADMIN_POWERS.every((p) => !given.has(p) || own.has(p) || (p === 'audit.read' && granter === 'city_admin'));
      }),
    );
  });

  it('roles are bound only to their levels', () => {
    expect(checkGrant(['city_admin'], ['grid_worker'], 'grid')).toEqual([]);
    expect(checkGrant(['city_admin'], ['community_admin'], 'street')).toEqual([
      { kind: 'wrong-level', role: 'community_admin', level: 'street', allowed: ['community'] },
    ]);
    expect(checkGrant(['street_admin'], ['district_admin'], 'district')).toEqual([{ kind: 'not-grantable', role: 'district_admin' }]);
    for (const r of ROLES) expect(ROLE_SPECS[r].levels.length).toBeGreaterThan(0);
  });
});

describe('passwords', () => {
  it('hashes verify only with the right password, and each hash is salted', async () => {
    const a = await hashPassword('Secret@123');
    const b = await hashPassword('Secret@123');
    expect(a).not.toBe(b);
    expect(await verifyPassword('Secret@123', a)).toBe(true);
    expect(await verifyPassword('Secret@124', a)).toBe(false);
    expect(await verifyPassword('Secret@123', 'garbage')).toBe(false);
  });

  it('policy: length and three character classes', () => {
    expect(passwordProblem('Ab1!')).toBe('密码至少 8 位');
    expect(passwordProblem('abcdefgh1')).not.toBeNull();
    expect(passwordProblem('Abcdefgh1')).toBeNull();
    expect(passwordProblem('abcdefg1!')).toBeNull();
  });
});
