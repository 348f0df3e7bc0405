// Demo data for resident democracy: each community's demo resident account stands for an adult owner
// in the register; 柳岸社区 has an open online vote and a closed owners' decision with its result.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db, Executor } from '../db/pool.js';
import { uuidv7 } from '../db/ids.js';
import { tallyVote } from '../modules/democracy/service.js';
import { OWNER_OPTIONS } from '../modules/democracy/model.js';
import { electorate } from '../modules/registry/lookup.js';
import { prng } from './seed.js';

export async function seedDemocracy(db: Db, now = new Date()): Promise<void> {
  const rand = prng(278);
  await db.transaction(async (tx: Executor) => {
    // <community>_resident → an adult owner of that community.
    await tx.execute(sql`
      update users u set resident_id = (
        select s.id from residents s join residencies h on h.community_id = s.community_id and h.resident_id = s.id
        where s.community_id = u.region_id and h.relation = 'owner' and h.moved_out_on is null and s.status = 'active'
          and s.birth_date <= current_date - interval '18 years'
        order by s.id limit 1)
      where u.username like '%\\_resident' and 'resident' = any(u.roles)`);
    const { rows } = await tx.execute(sql`select id from regions where name = '柳岸社区'`);
    const liuan = (rows[0] as { id: string } | undefined)?.id;
    if (!liuan) return;

    // An open vote: where to put the e-bike charging shed (secret, online and on site).
    const open = uuidv7();
    const opensAt = new Date(now.getTime() - 2 * 86400_000);
    const options = [
      { key: 'a', label: '3号楼北侧空地' },
      { key: 'b', label: '小区东门停车场一角' },
      { key: 'c', label: '暂不增设' },
    ];
    await tx.execute(sql`
      insert into votes (community_id, id, title, description, kind, method, options, secret, eligibility, eligibility_params, channels,
        quorum_percent, pass_percent, opens_at, closes_at, status, created_by, published_at)
      values (${liuan}, ${open}, '电动自行车集中充电棚选址', '为消除楼道充电隐患，社区拟增设集中充电棚，请选择您支持的位置。',
        'general', 'single', ${JSON.stringify(options)}::jsonb, true, 'residents', '{"minAge":18}'::jsonb, '{online,in_person}',
        50, 50, ${opensAt.toISOString()}, ${new Date(now.getTime() + 5 * 86400_000).toISOString()}, 'open', '演示数据', ${opensAt.toISOString()})`);
    const residents = await electorate(tx, liuan, { kind: 'residents', minAge: 18 }, opensAt);
    await insertVoters(tx, liuan, open, residents);
    await tx.execute(sql`update votes set eligible_count = ${residents.length} where community_id = ${liuan} and id = ${open}`);
    await tx.execute(sql`
      insert into deadlines (community_id, id, kind, subject_id, due_at)
      values (${liuan}, ${uuidv7()}, 'democracy.close', ${open}, ${new Date(now.getTime() + 5 * 86400_000).toISOString()})`);
    const voted = residents.filter(() => rand() < 0.3);
    await castMany(
      tx,
      liuan,
      open,
      voted.map((v) => v.voterKey),
      () => [options[rand() < 0.55 ? 0 : rand() < 0.7 ? 1 : 2]!.key],
      true,
    );

    // A closed owners' decision with its published result: using the repair fund for a lift (一般事项).
    const owners = await electorate(tx, liuan, { kind: 'owners' }, now);
    const closed = uuidv7();
    const o1 = new Date(now.getTime() - 30 * 86400_000);
    const c1 = new Date(now.getTime() - 16 * 86400_000);
    await tx.execute(sql`
      insert into votes (community_id, id, title, description, kind, method, options, secret, eligibility, matter, owner_matter, channels,
        opens_at, closes_at, status, eligible_count, created_by, published_at)
      values (${liuan}, ${closed}, '使用专项维修资金更换柳岸花园3栋电梯', '3栋电梯已运行19年，经检测需整机更换，拟使用专项维修资金约48万元。',
        'owners', 'single', ${JSON.stringify(OWNER_OPTIONS)}::jsonb, false, 'owners', 'ordinary', 'repair_fund_use', '{online,paper}',
        ${o1.toISOString()}, ${c1.toISOString()}, 'open', ${owners.length}, '演示数据', ${o1.toISOString()})`);
    await insertVoters(tx, liuan, closed, owners);
    const took = owners.filter(() => rand() < 0.82);
    await castMany(
      tx,
      liuan,
      closed,
      took.map((o) => o.voterKey),
      () => [rand() < 0.78 ? 'yes' : rand() < 0.6 ? 'no' : 'abstain'],
      false,
    );
    const tally = await tallyVote(tx, closed);
    await tx.execute(sql`
      update votes set status = 'closed', closed_at = ${c1.toISOString()},
        result = ${JSON.stringify({ ...tally, computedAt: c1.toISOString(), publishedBy: '演示数据' })}::jsonb
      where community_id = ${liuan} and id = ${closed}`);
  });
}

async function insertVoters(tx: Executor, communityId: string, voteId: string, voters: Awaited<ReturnType<typeof electorate>>) {
  if (!voters.length) return;
  await tx.execute(sql`
    insert into vote_voters (community_id, vote_id, voter_key, label, area, room_ids)
    select ${communityId}::uuid, ${voteId}::uuid, x.k, x.l, x.a, case when x.r is null then null else string_to_array(x.r, ',')::uuid[] end
    from unnest(${sql.param(voters.map((x) => x.voterKey))}::uuid[], ${sql.param(voters.map((x) => x.label))}::text[],
      ${sql.param(voters.map((x) => x.area))}::numeric[], ${sql.param(voters.map((x) => x.roomIds?.join(',') ?? null))}::text[]) as x(k, l, a, r)`);
}

async function castMany(tx: Executor, communityId: string, voteId: string, keys: string[], choose: () => string[], secret: boolean) {
  if (!keys.length) return;
  await tx.execute(sql`
    insert into vote_participation (community_id, vote_id, voter_key, channel, recorded_by)
    select ${communityId}::uuid, ${voteId}::uuid, k, 'online', null from unnest(${sql.param(keys)}::uuid[]) as k`);
  const choices = keys.map(() => JSON.stringify(choose()));
  // Ballots in an order unrelated to the voters' (secret votes carry no voter at all).
  const order = keys.map((k, i) => ({ k, c: choices[i]!, r: randomUUID() })).sort((a, b) => a.r.localeCompare(b.r));
  await tx.execute(sql`
    insert into vote_ballots (community_id, vote_id, id, choice, receipt_hash, channel, voter_key)
    select ${communityId}::uuid, ${voteId}::uuid, x.id, x.c::jsonb, null, 'online', x.k
    from unnest(${sql.param(order.map((o) => o.r))}::uuid[], ${sql.param(order.map((o) => o.c))}::text[],
      ${sql.param(order.map((o) => (secret ? null : o.k)))}::uuid[]) as x(id, c, k)`);
}
