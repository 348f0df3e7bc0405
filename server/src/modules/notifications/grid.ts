// Grid events (issue 5): the reporter hears of each status change — in the inbox when they reported with
// an account, by text message (tracking code and the /m/track page) when they left only a phone — and a
// handling unit hears of the events dispatched to it (the assignee, else every member, who may 抢单).
// An outbox subscriber: runs at least once, so every message carries the outbox event's id as its
// dedupe key and a second delivery writes nothing.
import { sql } from 'drizzle-orm';
import { decrypt, type DataKeys } from '../../crypto/personal-data.js';
import { transaction } from '../../db/notified-worker.js';
import type { Db } from '../../db/pool.js';
import { subscribe, type DomainEvent } from '../events/service.js';
import { ACTIONS, STATUSES, type Action, type Status } from '../grid/model.js';
import { notify, queueSms, type NotificationInput } from './service.js';

/** The grid's column context for reporter phones (grid/service.ts PHONE_CTX). */
const GRID_PHONE_CTX = 'grid_events.reporter_phone';

/** Not told to the reporter: the report itself (topic grid.event-reported), their own confirm / reopen, steps that change no status. */
const QUIET_FOR_REPORTER = new Set<string>(['reported', 'confirm', 'reopen', 'escalate', 'warn', 'overdue']);

interface Payload {
  eventId: string;
  number: string;
  category: string;
  status: Status;
  reason?: string | null;
}

interface EventRow {
  tracking_code: string;
  reporter_user_id: string | null;
  reporter_phone_enc: Buffer | null;
  unit_id: string | null;
  assignee_id: string | null;
}

async function onGridEvent(db: Db, keys: DataKeys, publicUrl: string | undefined, e: DomainEvent) {
  const action = e.topic.slice('grid.event-'.length);
  const p = e.payload as unknown as Payload;
  if (!e.communityId || !p.eventId) return;
  const r = await db.execute(sql`
    select tracking_code, reporter_user_id, reporter_phone_enc, unit_id, assignee_id from grid_events
    where community_id = ${e.communityId} and id = ${p.eventId}`);
  const ev = r.rows[0] as EventRow | undefined;
  if (!ev) return;
  const statusLabel = STATUSES[p.status] ?? p.status;
  const actionLabel = (ACTIONS as Record<string, { label: string } | undefined>)[action as Action]?.label ?? action;
  const reason = p.reason ? `，原因：${p.reason}` : '';
  const inbox: NotificationInput[] = [];
  const base = { communityId: e.communityId, subjectType: 'grid_event', subjectId: p.eventId, dedupeKey: e.id };

  let sms: { phone: string; text: string } | null = null;
  if (!QUIET_FOR_REPORTER.has(action)) {
    if (ev.reporter_user_id)
      inbox.push({
        ...base,
        recipientUserId: ev.reporter_user_id,
        kind: 'grid.status',
        title: `您上报的事件${statusLabel}`,
        body: `“${p.category}”事件（编号 ${p.number}）${actionLabel}，当前状态：${statusLabel}${reason}。`,
        link: '/m/messages',
      });
    else if (ev.reporter_phone_enc)
      sms = {
        phone: decrypt(keys, ev.reporter_phone_enc, GRID_PHONE_CTX),
        text:
          `【家园】您反映的“${p.category}”事件（编号 ${p.number}）当前状态：${statusLabel}${reason}。` +
          `查询码 ${ev.tracking_code}，凭本机号码在 ${publicUrl ?? ''}/m/track 查看进度。`,
      };
  }

  // Dispatched (by a person, by the routing table at report, or again after 重办): the assignee, else the unit.
  let handlers: string[] = [];
  if (p.status === 'dispatched' && ev.unit_id) {
    if (ev.assignee_id) handlers = [ev.assignee_id];
    else {
      const m = await db.execute(sql`
        select m.user_id from grid_unit_members m join users u on u.id = m.user_id
        where m.unit_id = ${ev.unit_id} and u.status = 'active'`);
      handlers = (m.rows as { user_id: string }[]).map((x) => x.user_id);
    }
  } else if (action === 'rework' && ev.assignee_id) handlers = [ev.assignee_id];
  for (const userId of handlers)
    inbox.push({
      ...base,
      recipientUserId: userId,
      kind: 'grid.dispatch',
      title: action === 'rework' ? `事件核查不通过，请重新处置` : `新的派遣事件`,
      body:
        action === 'rework'
          ? `“${p.category}”事件（编号 ${p.number}）核查不通过${reason}。`
          : `“${p.category}”事件（编号 ${p.number}）已派遣${ev.assignee_id ? '给您' : '至您所在的处置单位，可抢单'}，请及时处置。`,
      link: `/grid/events?q=${encodeURIComponent(p.number)}`,
    });

  if (!inbox.length && !sms) return;
  await transaction(db, async (tx) => {
    await notify(tx, inbox);
    if (sms) await queueSms(tx, keys, [{ ...base, ...sms }]);
  });
}

const started = new WeakSet<object>();
/** Subscribes the grid's events once per database (called when the routes are built). */
export function registerGridNotifications(db: Db, keys: DataKeys, publicUrl: string | undefined): void {
  if (started.has(db)) return;
  started.add(db);
  subscribe('grid.event-', (e) => onGridEvent(db, keys, publicUrl, e));
}
