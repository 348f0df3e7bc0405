// Resident democracy (五个民主, issue 6): votes with one person one vote across channels, secret
// ballots kept apart from who took part, sealed results, owners' decisions under 民法典 第278条
// (`003` L2P10 网上投票; `004` 5.2.1 选举, 5.2.3 决策).
import { boolean, index, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export interface VoteOption {
  key: string;
  label: string;
}

export const votes = pgTable(
  'votes',
  {
    communityId: uuid('community_id').notNull(),
    id: uuid('id').notNull(),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    /** general (社区事务) | owners (业主共同决定, 民法典第278条). */
    kind: text('kind').notNull(),
    /** single | multiple | approval | ranking (owners' votes: single over yes/no/abstain). */
    method: text('method').notNull(),
    options: jsonb('options').$type<VoteOption[]>().notNull(),
    maxChoices: integer('max_choices'),
    /** Secret ballot (default) or open, named ballot — stated on the ballot. Owners' votes are named. */
    secret: boolean('secret').notNull().default(true),
    /** residents | households | owners | members | list. */
    eligibility: text('eligibility').notNull(),
    eligibilityParams: jsonb('eligibility_params').$type<Record<string, unknown>>().notNull().default({}),
    /** Owners' votes: ordinary | major, and which listed matter. */
    matter: text('matter'),
    ownerMatter: text('owner_matter'),
    channels: text('channels').array().notNull(),
    /** General votes: participation needed (percent of the eligible) and the share an option needs (percent of valid ballots, "more than"). */
    quorumPercent: numeric('quorum_percent', { precision: 5, scale: 2, mode: 'number' }),
    passPercent: numeric('pass_percent', { precision: 5, scale: 2, mode: 'number' }),
    opensAt: timestamp('opens_at', { withTimezone: true }).notNull(),
    closesAt: timestamp('closes_at', { withTimezone: true }).notNull(),
    /** draft → open (published, eligibility fixed) → closed (tallied) | cancelled. */
    status: text('status').notNull().default('draft'),
    eligibleCount: integer('eligible_count'),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    /** The published tally (after close only). */
    result: jsonb('result'),
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.id] }),
    index('votes_id_idx').on(t.id),
    index('votes_status_idx').on(t.communityId, t.status),
  ],
);

/** Who may vote, fixed when the vote is published (the register may change afterwards). */
export const voteVoters = pgTable(
  'vote_voters',
  {
    communityId: uuid('community_id').notNull(),
    voteId: uuid('vote_id').notNull(),
    /** The resident, or the room for one-vote-per-household votes. */
    voterKey: uuid('voter_key').notNull(),
    /** Shown to officers checking voters in (masked name and address). */
    label: text('label').notNull(),
    /** Owners' votes: exclusive area (专有部分面积) counted for this owner, and the rooms it comes from. */
    area: numeric('area', { precision: 12, scale: 2, mode: 'number' }),
    roomIds: uuid('room_ids').array(),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.voteId, t.voterKey] })],
);

/** Who took part, through which channel. The primary key is one person, one vote, across all channels. */
export const voteParticipation = pgTable(
  'vote_participation',
  {
    communityId: uuid('community_id').notNull(),
    voteId: uuid('vote_id').notNull(),
    voterKey: uuid('voter_key').notNull(),
    /** online | in_person | paper. */
    channel: text('channel').notNull(),
    recordedBy: text('recorded_by'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.voteId, t.voterKey] })],
);

/**
 * What was chosen. For a secret vote nothing here points at a voter: a random id (not time-ordered),
 * no time, no voter; the receipt is stored only as a hash. Named votes carry the voter. Append-only;
 * a paper correction voids a ballot by a row in vote_ballot_voids.
 */
export const voteBallots = pgTable(
  'vote_ballots',
  {
    communityId: uuid('community_id').notNull(),
    voteId: uuid('vote_id').notNull(),
    id: uuid('id').notNull(),
    choice: jsonb('choice').$type<string[]>().notNull(),
    /** sha256 of the voter's receipt code (online ballots). */
    receiptHash: text('receipt_hash'),
    channel: text('channel').notNull(),
    batchId: uuid('batch_id'),
    /** Named votes only. */
    voterKey: uuid('voter_key'),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.voteId, t.id] })],
);

/** Paper ballots entered by counting officers, in batches; a correction is a new batch that voids earlier ballots. */
export const votePaperBatches = pgTable(
  'vote_paper_batches',
  {
    communityId: uuid('community_id').notNull(),
    voteId: uuid('vote_id').notNull(),
    id: uuid('id').notNull(),
    enteredBy: text('entered_by').notNull(),
    enteredById: uuid('entered_by_id'),
    enteredAt: timestamp('entered_at', { withTimezone: true }).notNull().defaultNow(),
    ballots: integer('ballots').notNull(),
    corrects: uuid('corrects'),
    reason: text('reason'),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.voteId, t.id] })],
);

export const voteBallotVoids = pgTable(
  'vote_ballot_voids',
  {
    communityId: uuid('community_id').notNull(),
    voteId: uuid('vote_id').notNull(),
    ballotId: uuid('ballot_id').notNull(),
    batchId: uuid('batch_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.voteId, t.ballotId] })],
);
