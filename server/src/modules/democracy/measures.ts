// The democracy module's live measure for evaluation: `003` L2P10 网上投票 ("对需要社区居民共同决定的
// 事项，提供网上投票手段") — met when the community has run a vote with the online channel in the last year.
import { sql } from 'drizzle-orm';
import { registerMeasures } from '../evaluation/measures.js';

registerMeasures<Map<string, { online: number; all: number; ballots: number }>>(
  async (db, communityIds) => {
    const r = await db.execute(sql`
      select v.community_id, count(*) filter (where 'online' = any(v.channels))::int as online, count(*)::int as all,
        coalesce(sum((select count(*) from vote_participation p where p.community_id = v.community_id and p.vote_id = v.id and p.channel = 'online')), 0)::int as ballots
      from votes v
      where v.community_id = any(${sql.param(communityIds)}::uuid[]) and v.status in ('open', 'closed') and v.opens_at >= now() - interval '365 days'
      group by v.community_id`);
    return new Map((r.rows as { community_id: string; online: number; all: number; ballots: number }[]).map((x) => [x.community_id, x]));
  },
  [
    {
      key: 'democracy.e-voting',
      title: '网上投票（近365天）',
      method: '近365天已发布的社区投票中开放网上投票渠道的次数；至少一次即为提供了网上投票手段',
      clause: '003 L2P10',
      value: (loaded, communityId) => {
        const c = loaded.get(communityId);
        return {
          value: c?.online ?? 0,
          met: (c?.online ?? 0) > 0,
          numerator: c?.online ?? 0,
          denominator: c?.all ?? 0,
          records: c?.ballots ?? 0,
        };
      },
    },
  ],
);
