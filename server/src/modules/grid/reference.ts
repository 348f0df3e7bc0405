// The reference data every report reads: the category catalogue, the current routing table, the
// working-day calendar and the grid boundaries. Read once and kept for a few seconds (at 1,000
// reports a second that is the difference between one query and five per report); a change made
// on this node drops the copy at once, a change on another node is seen within REF_TTL_MS.
import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/pool.js';
import { gridsWithBoundaries } from '../regions/service.js';
import type { Geometry } from '../regions/model.js';
import { chinaCalendar, makeCalendar, CHINA_HOLIDAYS, DEFAULT_PERIODS, type CalendarDay, type WorkCalendar } from './calendar.js';
import type { CategoryLimits } from './schema.js';
import type { DispatchMode, RouteRow } from './model.js';

export interface Category {
  code: string;
  parentCode: string | null;
  name: string;
  dispatchMode: DispatchMode;
  needsVerification: boolean;
  limits: Record<'normal' | 'urgent', CategoryLimits>;
  sort: number;
  active: boolean;
}

export interface GridArea {
  id: string;
  communityId: string;
  path: string;
  boundary: Geometry | null;
  /** Bounding box [minLng, minLat, maxLng, maxLat] for a cheap pre-check. */
  box: [number, number, number, number] | null;
}

export interface Reference {
  categories: Map<string, Category>;
  routes: (RouteRow & { id: string; regionId: string })[];
  calendar: WorkCalendar;
  /** Working minutes in a normal working day (for "3 working days"). */
  dayMinutes: number;
  grids: GridArea[];
  gridsById: Map<string, GridArea>;
  /** Handling units' names by id. */
  units: Map<string, string>;
}

/** Default limits when a category has none: 一般 4 h to respond, 3 working days to handle; 紧急 1 h / 4 h. */
export const DEFAULT_LIMITS: Record<'normal' | 'urgent', CategoryLimits> = {
  normal: { respond: 4, handle: 22.5 },
  urgent: { respond: 1, handle: 4 },
};

const REF_TTL_MS = 5_000;
let current: { at: number; ref: Promise<Reference> } | null = null;

export function invalidateReference(): void {
  current = null;
}

function boxOf(g: Geometry | null): GridArea['box'] {
  if (!g) return null;
  let minX = Infinity,
    minY = Infinity,
    maxX = -Infinity,
    maxY = -Infinity;
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  for (const poly of polys)
    for (const [x, y] of poly[0]!) {
      minX = Math.min(minX, x!);
      minY = Math.min(minY, y!);
      maxX = Math.max(maxX, x!);
      maxY = Math.max(maxY, y!);
    }
  return [minX, minY, maxX, maxY];
}

async function load(db: Executor): Promise<Reference> {
  const [cats, routes, days, grids, units] = await Promise.all([
    db.execute(sql`select code, parent_code, name, dispatch_mode, needs_verification, limits, sort, active from grid_categories`),
    db.execute(sql`select id, region_id, region_path, category_code, unit_id from grid_routes where retired_at is null`),
    db.execute(sql`select day::text as day, kind, name from work_calendar_days`),
    gridsWithBoundaries(db),
    db.execute(sql`select id, name from grid_units`),
  ]);
  const categories = new Map<string, Category>();
  for (const c of cats.rows as Record<string, unknown>[])
    categories.set(c.code as string, {
      code: c.code as string,
      parentCode: (c.parent_code as string | null) ?? null,
      name: c.name as string,
      dispatchMode: c.dispatch_mode as DispatchMode,
      needsVerification: c.needs_verification as boolean,
      limits: (c.limits as Category['limits'] | null) ?? DEFAULT_LIMITS,
      sort: c.sort as number,
      active: c.active as boolean,
    });
  const calendarDays = (days.rows as { day: string; kind: 'holiday' | 'workday'; name: string }[]).map((d) => ({
    date: d.day,
    kind: d.kind,
    name: d.name,
  }));
  // Years the administrators have not entered fall back to the built-in schedule.
  const entered = new Set(calendarDays.map((d) => Number(d.date.slice(0, 4))));
  const builtIn: CalendarDay[] = Object.entries(CHINA_HOLIDAYS)
    .filter(([y]) => !entered.has(Number(y)))
    .flatMap(([, list]) => list);
  const calendar = calendarDays.length ? makeCalendar([...builtIn, ...calendarDays], DEFAULT_PERIODS) : chinaCalendar();
  return {
    categories,
    routes: (routes.rows as Record<string, string>[]).map((r) => ({
      id: r.id!,
      regionId: r.region_id!,
      regionPath: r.region_path!,
      categoryCode: r.category_code!,
      unitId: r.unit_id!,
    })),
    calendar,
    dayMinutes: DEFAULT_PERIODS.reduce((s, [a, b]) => s + (b - a), 0),
    grids: grids.map((g) => ({ ...g, box: boxOf(g.boundary) })),
    gridsById: new Map(grids.map((g) => [g.id, { ...g, box: boxOf(g.boundary) }])),
    units: new Map((units.rows as { id: string; name: string }[]).map((u) => [u.id, u.name])),
  };
}

export function reference(db: Executor): Promise<Reference> {
  const now = Date.now();
  if (!current || now - current.at > REF_TTL_MS) {
    const ref = load(db);
    current = { at: now, ref };
    ref.catch(() => {
      if (current?.ref === ref) current = null;
    });
  }
  return current.ref;
}
