// Elections (民主选举, `004` 5.2.1): a vote of kind `election` with its seats, nominations and the
// candidate list's publicity. 居民委员会组织法 第十四条 (defaults): the election is valid when more than
// half of the voters take part; a candidate needs the votes of more than half of those who took part.
import { index, integer, numeric, pgTable, primaryKey, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';

export const elections = pgTable(
  'elections',
  {
    communityId: uuid('community_id').notNull(),
    voteId: uuid('vote_id').notNull(),
    seats: integer('seats').notNull(),
    /** Turnout needed, percent of the voters, "more than" (过半数 = 50). */
    validTurnoutPercent: numeric('valid_turnout_percent', { precision: 5, scale: 2, mode: 'number' }).notNull().default(50),
    /** Votes a candidate needs, percent of those who took part, "more than". */
    electedPercent: numeric('elected_percent', { precision: 5, scale: 2, mode: 'number' }).notNull().default(50),
    /** Days the candidate list is public before voting opens. */
    publicityDays: integer('publicity_days').notNull().default(5),
    nominationsCloseAt: timestamp('nominations_close_at', { withTimezone: true }).notNull(),
    candidatesPublishedAt: timestamp('candidates_published_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.voteId] }), index('elections_vote_idx').on(t.voteId)],
);

export const electionNominations = pgTable(
  'election_nominations',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    voteId: uuid('vote_id').notNull(),
    /** The candidate in the register. */
    residentId: uuid('resident_id').notNull(),
    name: text('name').notNull(),
    statement: text('statement').notNull().default(''),
    /** self | residents (联名推荐) | committee (选举委员会提名) */
    source: text('source').notNull(),
    nominatedBy: text('nominated_by').notNull(),
    nominatedById: uuid('nominated_by_id'),
    /** nominated → accepted | rejected (with reason) | withdrawn */
    status: text('status').notNull().default('nominated'),
    decidedBy: text('decided_by'),
    reason: text('reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.id] }),
    index('election_nominations_vote_idx').on(t.communityId, t.voteId),
    unique('election_nominations_resident_key').on(t.communityId, t.voteId, t.residentId),
    index('election_nominations_id_idx').on(t.id),
  ],
);
