// What an alarm sets in motion (issue 7 §6): a fire or gas alarm becomes an urgent grid event at the
// device's place, dispatched by the routing table (`003` L3P2 火灾识别并联动); an elevator fault or a
// trapped passenger goes to the property company (物业服务/电梯故障); every alarm of a device in a room is
// on that room's timeline. (The live alarm centre hears of changes through feed.ts, not the outbox.)
import { sql } from 'drizzle-orm';
import type { DataKeys } from '../../crypto/personal-data.js';
import type { Db } from '../../db/pool.js';
import { subscribe, type DomainEvent } from '../events/service.js';
import { reportEvent } from '../grid/service.js';
import { registerTimeline } from '../timeline/service.js';

const GRID_CATEGORY: Record<string, string> = {
  fire: 'safety.fire',
  gas_leak: 'safety.gas',
  elevator_fault: 'property.elevator',
  elevator_trapped: 'property.elevator',
};

async function linkToGrid(db: Db, keys: DataKeys, e: DomainEvent) {
  const p = e.payload as { id: string; type: string; label: string; deviceId: string; communityId: string };
  const category = GRID_CATEGORY[p.type];
  if (!category) return;
  const r = await db.execute(sql`
    select a.grid_event_id, d.name, d.building_id, d.room_id, d.grid_id, d.address, d.lng, d.lat from alarms a
    join devices d on d.community_id = a.community_id and d.id = a.device_id
    where a.community_id = ${p.communityId} and a.id = ${p.id}`);
  const a = r.rows[0] as Record<string, string | number | null> | undefined;
  if (!a || a.grid_event_id) return; // delivered twice: already linked
  const ev = await reportEvent(
    { db, caller: null, ip: null, userAgent: null, action: 'device.alarm-linkage', markAudited: () => {}, name: '物联设备' },
    keys,
    {
      categoryCode: category,
      urgency: 'urgent',
      description: `${p.label}：${a.name as string}${a.address ? `（${a.address as string}）` : ''}，由设备自动上报`,
      ...(a.room_id
        ? { roomId: a.room_id as string }
        : a.building_id
          ? { buildingId: a.building_id as string }
          : { regionId: (a.grid_id ?? p.communityId) as string }),
    },
    { kind: 'device', channel: 'device', deviceId: p.deviceId, trusted: true },
  );
  await db.execute(
    sql`update alarms set grid_event_id = ${ev.id} where community_id = ${p.communityId} and id = ${p.id} and grid_event_id is null`,
  );
}

const started = new WeakSet<object>();
export function registerDeviceLinkage(db: Db, keys: DataKeys): void {
  if (started.has(db)) return;
  started.add(db);
  subscribe('devices.alarm-raised', (e) => linkToGrid(db, keys, e));
  registerTimeline('devices.alarm-raised', (e) =>
    e.payload.roomId
      ? [
          {
            subjectType: 'room',
            subjectId: e.payload.roomId as string,
            summary: `设备告警：${e.payload.label as string}`,
            data: { alarmId: e.payload.id },
          },
        ]
      : [],
  );
}
