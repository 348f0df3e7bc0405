// The demo register: buildings, rooms, households and residents for every demo community, with the
// mix of people a real community has (elderly living alone, empty nests, children, tenants, party
// members, volunteers, the disabled, veterans, 低保, special groups of `003 L3P5`). Generated with a
// fixed seed: the same people on every machine. ID numbers use sequence numbers 500–999, leaving
// 0–499 free for tests.
import { sql } from 'drizzle-orm';
import { encrypt, type DataKeys } from '../crypto/personal-data.js';
import type { Db, Executor } from '../db/pool.js';
import { uuidv7 } from '../db/ids.js';
import { makeIdNumber, maskIdNumber, maskPhone, nameGrams, nameSearchKeys } from '../modules/registry/model.js';
import { buildings, residencies, residents, rooms, units } from '../modules/registry/schema.js';
import { documentIndex, phoneIndex, standardAddress } from '../modules/registry/service.js';
import { personName, prng } from './seed.js';

const ROADS = ['滨河路', '望江路', '翠屏路', '松林大道', '东岭街', '桂园路', '竹溪巷', '梧桐路', '槐荫街', '明德路', '云溪路', '锦绣路'];
const COMPOUND_SUFFIX = ['花园', '小区', '家园', '苑', '新村'];
const BUILDINGS_PER_COMMUNITY = 8;
const UNITS = 2;
const FLOORS = 7;
const ROOMS_PER_FLOOR = 2;

interface Community {
  id: string;
  name: string;
  code: string;
  fullNames: string[];
  grids: string[];
}

export interface RegisterSummary {
  buildings: number;
  rooms: number;
  households: number;
  residents: number;
}

async function chunks<T>(rows: T[], size: number, f: (part: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += size) await f(rows.slice(i, i + size));
}

export async function seedRegister(db: Db, keys: DataKeys, today = new Date('2026-11-01T00:00:00Z')): Promise<RegisterSummary> {
  const rand = prng(20261101);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const { rows: communityRows } = await db.execute<{ id: string; name: string; code: string; path: string }>(
    sql`select id, name, code, path from regions where level = 'community' order by code`,
  );
  const { rows: all } = await db.execute<{ id: string; name: string; parent_id: string | null; level: string }>(
    sql`select id, name, parent_id, level from regions`,
  );
  const byId = new Map(all.map((r) => [r.id, r]));
  const communities: Community[] = communityRows.map((c) => ({
    id: c.id,
    name: c.name,
    code: c.code,
    fullNames: c.path
      .split('/')
      .filter(Boolean)
      .map((id) => byId.get(id)!.name),
    grids: all.filter((r) => r.parent_id === c.id && r.level === 'grid').map((r) => r.id),
  }));

  const B: (typeof buildings.$inferInsert)[] = [];
  const U: (typeof units.$inferInsert)[] = [];
  const R: (typeof rooms.$inferInsert)[] = [];
  const P: (typeof residents.$inferInsert)[] = [];
  const H: (typeof residencies.$inferInsert)[] = [];
  const usedIds = new Set<string>();

  // A birth date at which the person is `age` full years old today (never in the future).
  const birth = (age: number) => {
    const d = new Date(today);
    d.setUTCFullYear(d.getUTCFullYear() - age);
    d.setUTCDate(d.getUTCDate() - 1 - Math.floor(rand() * 360));
    return d.toISOString().slice(0, 10).replace(/-/g, '');
  };

  communities.forEach((c, ci) => {
    const road = `${ROADS[ci % ROADS.length]}${10 + ci * 7}号`;
    const compound = `${c.name.replace('社区', '')}${COMPOUND_SUFFIX[ci % COMPOUND_SUFFIX.length]}`;
    const region6 = c.code.slice(0, 6);
    for (let bn = 1; bn <= BUILDINGS_PER_COMMUNITY; bn++) {
      const buildingId = uuidv7();
      const b = { road, compound, number: String(bn) };
      B.push({
        communityId: c.id,
        id: buildingId,
        gridId: c.grids.length ? c.grids[(bn - 1) % c.grids.length]! : null,
        ...b,
        floors: FLOORS,
        use: 'residential',
        builtYear: 1995 + ((ci * 3 + bn) % 25),
        plateCode: `demo-${c.code}-${bn}`,
      });
      const gridId = B[B.length - 1]!.gridId ?? null;
      for (let un = 1; un <= UNITS; un++) {
        const unitId = uuidv7();
        U.push({ communityId: c.id, id: unitId, buildingId, number: String(un) });
        for (let f = 1; f <= FLOORS; f++) {
          for (let k = 1; k <= ROOMS_PER_FLOOR; k++) {
            const number = `${f}0${k}`;
            const roomId = uuidv7();
            R.push({
              communityId: c.id,
              id: roomId,
              buildingId,
              unitId,
              floor: f,
              number,
              area: Math.round((60 + rand() * 80) * 100) / 100,
              use: 'residential',
              address: standardAddress(c.fullNames, b, String(un), number),
              plateCode: `demo-${c.code}-${bn}-${un}-${number}`,
            });
            if (rand() < 0.07) continue; // vacant
            household(c, region6, gridId, roomId);
          }
        }
      }
    }
  });

  function person(c: Community, region6: string, gridId: string | null, age: number, female: boolean, surname?: string) {
    let id: string;
    do {
      const seq = 500 + Math.floor(rand() * 250) * 2 + (female ? 0 : 1); // odd sequence: male (GB 11643)
      id = makeIdNumber(region6, birth(age), seq);
    } while (usedIds.has(id));
    usedIds.add(id);
    let name = personName(rand);
    if (surname) name = surname + name.slice(1);
    const k = nameSearchKeys(name);
    const phone = age >= 16 ? `1${pick(['38', '39', '58', '86', '35', '77'])}${String(Math.floor(rand() * 1e8)).padStart(8, '0')}` : null;
    const tags: string[] = [];
    let disabilityGrade: number | null = null;
    if (age >= 18 && rand() < 0.08) tags.push('party_member');
    if (age >= 18 && age < 75 && rand() < 0.06) tags.push('volunteer');
    if (rand() < 0.02) {
      tags.push('disabled');
      disabilityGrade = 1 + Math.floor(rand() * 4);
    }
    if (age >= 40 && !female && rand() < 0.03) tags.push('veteran');
    if (rand() < 0.015) tags.push('dibao');
    if (rand() < 0.003) tags.push('special_hardship');
    if (age >= 18 && rand() < 0.002)
      tags.push(pick(['community_correction', 'released_prisoner', 'mental_disorder', 'drug_rehab', 'petitioner']));
    const local = rand() < 0.82;
    // About 83% of registered residents have an electronic health record (`003` L2P5 asks for 80%);
    // drawn from the ID's sequence digits so the rest of the demo stays as it was.
    if (local && Number(id.slice(14, 17)) % 100 < 83) tags.push('health_record');
    const row: typeof residents.$inferInsert = {
      communityId: c.id,
      id: uuidv7(),
      gridId,
      name,
      namePinyin: k.full,
      nameInitials: k.initials,
      nameGrams: nameGrams(name),
      gender: female ? 'female' : 'male',
      birthDate: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`,
      idType: 'resident_id',
      idNumberEnc: encrypt(keys, id, 'resident.id_number'),
      idNumberIndex: documentIndex(keys, 'resident_id', id),
      idNumberMasked: maskIdNumber(id),
      phoneEnc: phone ? encrypt(keys, phone, 'resident.phone') : null,
      phoneIndex: phone ? phoneIndex(keys, phone) : null,
      phoneMasked: phone ? maskPhone(phone) : null,
      hukou: local ? 'local' : 'nonlocal',
      hukouAddress: local ? null : pick(['外省某市', '本省某县', '外省某县']),
      tags,
      disabilityGrade,
    };
    P.push(row);
    return row;
  }

  function household(c: Community, region6: string, gridId: string | null, roomId: string) {
    const tenant = rand() < 0.22;
    const r = rand();
    const movedInOn = `${2000 + Math.floor(rand() * 26)}-0${1 + Math.floor(rand() * 9)}-15`;
    const add = (p: typeof residents.$inferInsert, relation: string, head: boolean) =>
      H.push({ communityId: c.id, id: uuidv7(), residentId: p.id, roomId, relation, householdHead: head, movedInOn });
    const headRelation = tenant ? 'tenant' : 'owner';
    const familyRelation = tenant ? 'tenant' : 'family';
    if (r < 0.12) {
      // An elderly person living alone.
      const p = person(c, region6, gridId, 68 + Math.floor(rand() * 22), rand() < 0.6);
      p.tags = [...(p.tags ?? []), 'elderly_alone'];
      add(p, 'owner', true);
    } else if (r < 0.24) {
      // Empty nest: an elderly couple whose children live elsewhere.
      const age = 62 + Math.floor(rand() * 20);
      const a = person(c, region6, gridId, age, false);
      const b = person(c, region6, gridId, age - 2 + Math.floor(rand() * 4), true);
      a.tags = [...(a.tags ?? []), 'empty_nest'];
      b.tags = [...(b.tags ?? []), 'empty_nest'];
      add(a, 'owner', true);
      add(b, 'family', false);
    } else if (r < 0.34) {
      // A single working adult.
      add(person(c, region6, gridId, 22 + Math.floor(rand() * 30), rand() < 0.5), headRelation, true);
    } else {
      // A family: a couple, up to two children, sometimes a grandparent.
      const age = 28 + Math.floor(rand() * 25);
      const head = person(c, region6, gridId, age, false);
      const surname = head.name.slice(0, 1);
      add(head, headRelation, true);
      add(person(c, region6, gridId, age - 3 + Math.floor(rand() * 6), true), familyRelation, false);
      const children = rand() < 0.15 ? 0 : rand() < 0.6 ? 1 : 2;
      for (let i = 0; i < children; i++) {
        const child = person(c, region6, gridId, Math.max(0, age - 24 - Math.floor(rand() * 8)), rand() < 0.5, surname);
        add(child, familyRelation, false);
      }
      if (rand() < 0.15) add(person(c, region6, gridId, age + 26 + Math.floor(rand() * 10), rand() < 0.6, surname), familyRelation, false);
    }
  }

  await db.transaction(async (tx: Executor) => {
    await chunks(B, 500, (part) => tx.insert(buildings).values(part));
    await chunks(U, 1000, (part) => tx.insert(units).values(part));
    await chunks(R, 1000, (part) => tx.insert(rooms).values(part));
    await chunks(P, 1000, (part) => tx.insert(residents).values(part));
    await chunks(H, 1000, (part) => tx.insert(residencies).values(part));
  });
  return { buildings: B.length, rooms: R.length, households: new Set(H.map((h) => h.roomId)).size, residents: P.length };
}
