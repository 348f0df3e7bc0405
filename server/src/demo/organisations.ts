// Demo organisations of every demo community: the Party branch with its members, the residents'
// committee, an owners' committee where there are owners, the property company and its staff, a
// social organisation and a volunteer team drawn from the register's volunteers.
import { sql } from 'drizzle-orm';
import type { Db, Executor } from '../db/pool.js';
import { uuidv7 } from '../db/ids.js';
import { creditCheckChar } from '../modules/organisations/model.js';
import { insertMany } from '../modules/organisations/store.js';
import type { organisationMembers, organisations } from '../modules/organisations/schema.js';
import { personName, prng } from './seed.js';

const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

export async function seedOrganisations(db: Db): Promise<{ organisations: number; members: number }> {
  const rand = prng(20261102);
  const creditCode = (prefix: string) => {
    let body = prefix;
    while (body.length < 17) body += CHARSET[Math.floor(rand() * CHARSET.length)];
    return body + creditCheckChar(body);
  };
  const { rows: communities } = await db.execute<{ id: string; name: string; code: string }>(
    sql`select id, name, code from regions where level = 'community' order by code`,
  );
  const O: (typeof organisations.$inferInsert)[] = [];
  const M: (typeof organisationMembers.$inferInsert)[] = [];
  for (const c of communities) {
    const { rows: people } = await db.execute<{ id: string; tags: string[]; age: number }>(
      sql`select id, tags, extract(year from age(date '2026-11-01', birth_date))::int as age from residents where community_id = ${c.id} order by id`,
    );
    const short = c.name.replace('社区', '');
    const org = (kind: string, name: string, extra: Partial<typeof organisations.$inferInsert> = {}) => {
      const id = uuidv7();
      O.push({
        communityId: c.id,
        id,
        kind,
        name,
        establishedOn: `${2000 + Math.floor(rand() * 20)}-0${1 + Math.floor(rand() * 9)}-01`,
        ...extra,
      });
      return id;
    };
    const join = (organisationId: string, residentId: string | null, position: string, name: string | null = null) =>
      M.push({
        communityId: c.id,
        id: uuidv7(),
        organisationId,
        residentId,
        name,
        position,
        joinedOn: `20${10 + Math.floor(rand() * 15)}-03-01`,
      });

    const party = org('party', `中共${c.name}委员会`);
    people
      .filter((p) => p.tags.includes('party_member'))
      .forEach((p, i) => join(party, p.id, i === 0 ? '书记' : i === 1 ? '副书记' : i < 5 ? '委员' : '党员'));
    const committee = org('residents_committee', `${c.name}居民委员会`, { creditCode: creditCode('5599') });
    people
      .filter((p) => p.age >= 30 && p.age < 60)
      .slice(0, 7)
      .forEach((p, i) => join(committee, p.id, i === 0 ? '主任' : i === 1 ? '副主任' : '委员'));
    org('supervisory_committee', `${c.name}居务监督委员会`);
    if (rand() < 0.7) {
      const owners = org('owners_committee', `${short}小区业主委员会`);
      people
        .filter((p) => p.age >= 35)
        .slice(10, 15)
        .forEach((p, i) => join(owners, p.id, i === 0 ? '主任' : '委员'));
    }
    const property = org('property_company', `青川${short}物业服务有限公司`, {
      creditCode: creditCode('9199'),
      contactName: personName(rand),
      contactPhone: `0571-8${String(Math.floor(rand() * 1e7)).padStart(7, '0')}`,
    });
    for (const pos of ['项目经理', '客服主管', '维修工', '保安队长']) join(property, null, pos, personName(rand));
    org('social_org', `${short}邻里互助协会`);
    const volunteers = org('volunteer_team', `${short}志愿服务队`);
    people.filter((p) => p.tags.includes('volunteer')).forEach((p, i) => join(volunteers, p.id, i === 0 ? '队长' : '队员'));
  }
  await db.transaction((tx: Executor) => insertMany(tx, O, M));
  return { organisations: O.length, members: M.length };
}
