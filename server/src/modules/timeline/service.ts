// The timeline is fed by domain events: a module that wants its events on people's and rooms'
// timelines registers a mapping from its topic to entries (`registerTimeline`), once, at start.
// This is the documented way for later modules (grid events, services, alarms, visits).
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { Db, Executor } from '../../db/pool.js';
import { uuidv7 } from '../../db/ids.js';
import { subscribe, type DomainEvent } from '../events/service.js';
import { timelineEntries } from './schema.js';

export interface TimelineEntryInput {
  subjectType: 'resident' | 'room';
  subjectId: string;
  summary: string;
  data?: Record<string, unknown>;
}

type Mapping = (e: DomainEvent) => TimelineEntryInput[];
const mappings = new Map<string, Mapping>();

export function registerTimeline(topic: string, map: Mapping): void {
  mappings.set(topic, map);
}

export async function recordEvent(db: Executor, e: DomainEvent): Promise<number> {
  const map = mappings.get(e.topic);
  if (!map || !e.communityId) return 0;
  const entries = map(e);
  if (entries.length === 0) return 0;
  await db
    .insert(timelineEntries)
    .values(
      entries.map((x) => ({
        communityId: e.communityId!,
        id: uuidv7(),
        subjectType: x.subjectType,
        subjectId: x.subjectId,
        occurredAt: e.createdAt,
        topic: e.topic,
        summary: x.summary,
        eventId: e.id,
        data: x.data ?? {},
      })),
    )
    .onConflictDoNothing();
  return entries.length;
}

/** Subscribes the timeline to every event; only topics with a mapping become entries. */
export function startTimeline(db: Db): () => void {
  return subscribe('', (e) => recordEvent(db, e).then(() => undefined));
}

export async function timelineOf(
  db: Db,
  communityId: string,
  subjectType: string,
  subjectId: string,
  before: { at: Date; id?: string | undefined } | undefined,
  limit: number,
) {
  // Newest first, ties by id: the next page starts strictly after the last entry shown, so entries
  // written in the same millisecond on either side of a page edge are neither skipped nor repeated.
  const older = !before
    ? sql`true`
    : before.id
      ? sql`(${timelineEntries.occurredAt}, ${timelineEntries.id}) < (${before.at.toISOString()}::timestamptz, ${before.id}::uuid)`
      : lt(timelineEntries.occurredAt, before.at);
  const rows = await db
    .select()
    .from(timelineEntries)
    .where(
      and(
        eq(timelineEntries.communityId, communityId),
        eq(timelineEntries.subjectType, subjectType),
        eq(timelineEntries.subjectId, subjectId),
        older,
      ),
    )
    .orderBy(desc(timelineEntries.occurredAt), desc(timelineEntries.id))
    .limit(limit);
  return rows.map((r) => ({
    id: r.id,
    occurredAt: r.occurredAt.toISOString(),
    topic: r.topic,
    summary: r.summary,
    data: r.data as Record<string, unknown>,
  }));
}
