// Grid events on the timeline of the room they were reported at (issue 3 §4: what happened to a room
// across modules). Written once per event by the timeline subscriber.
import { registerTimeline } from '../timeline/service.js';

const s = (v: unknown) => (typeof v === 'string' ? v : '');

export function registerGridTimeline(): void {
  registerTimeline('grid.event-reported', (e) =>
    e.payload.roomId
      ? [
          {
            subjectType: 'room',
            subjectId: s(e.payload.roomId),
            summary: `报事：${s(e.payload.category)}（${s(e.payload.number)}）`,
            data: { eventId: e.payload.eventId },
          },
        ]
      : [],
  );
  registerTimeline('grid.event-confirm', (e) =>
    e.payload.roomId
      ? [
          {
            subjectType: 'room',
            subjectId: s(e.payload.roomId),
            summary: `事件办结：${s(e.payload.category)}（${s(e.payload.number)}）`,
            data: { eventId: e.payload.eventId },
          },
        ]
      : [],
  );
}
