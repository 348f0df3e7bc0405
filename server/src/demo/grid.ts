// Demo grid governance (issue 5 §9): the handling units of every district, street and community with
// their members, a routing table (with a few cells left empty so the triage queue has work), the
// 2026 and 2027 calendars (China's public holidays and make-up days, editable by administrators), and
// about 300 events of the last 60 days in every state of the closed loop. Each event is played through
// the same rules as the service (routing, deadlines firing while it waits, overdue flags frozen at the
// moment, escalation), so its transitions, flags and remaining deadlines are what the platform itself
// would have written. Content comes from a fixed seed; times are relative to `now`.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { blindIndex, encrypt, type DataKeys } from '../crypto/personal-data.js';
import type { Db, Executor } from '../db/pool.js';
import { uuidv7 } from '../db/ids.js';
import {
  addWorkingMinutes,
  chinaCalendar,
  CHINA_HOLIDAYS,
  DEFAULT_PERIODS,
  workingMinutesBetween,
  type WorkCalendar,
} from '../modules/grid/calendar.js';
import { catalogueRows, ensureCatalogue } from '../modules/grid/catalogue.js';
import { eventNumber, HANDLING_STATUSES, routeFor, trackingCode, type Action, type RouteRow, type Status } from '../modules/grid/model.js';
import { FEEDBACK_DAYS, WARN_AT } from '../modules/grid/service.js';
import { maskPhone, normalisePhone } from '../modules/registry/model.js';
import { personName, prng } from './seed.js';

const PHONE_CTX = 'grid_events.reporter_phone';
const SYSTEM = '系统初始化';
const EVENTS_PER_COMMUNITY = 30;
const DAYS_BACK = 60;
const DAY_MINUTES = DEFAULT_PERIODS.reduce((s, [a, b]) => s + (b - a), 0);

// ---- content ------------------------------------------------------------------------------------

const DESCRIPTIONS: Record<string, string[]> = {
  'env.garbage': [
    '{b}旁垃圾桶满溢，周边堆放大量生活垃圾无人清运',
    '{b}楼下有人堆放装修垃圾，占用消防通道',
    '小区北门垃圾中转点两天未清运，异味明显',
  ],
  'env.litter': ['{b}附近绿化带内有人乱扔饮料瓶和外卖盒', '{b}楼道口有住户乱倒剩菜剩饭', '沿街商户将纸箱随意丢弃在人行道上'],
  'env.sewage': ['{b}门前化粪池井口污水外溢，气味刺鼻', '{b}西侧路面有污水漫溢，居民出行不便'],
  'env.greenery': ['{b}南侧草坪被车辆碾压损毁', '{b}前的行道树被人折断枝干'],
  'env.pests': ['{b}地下室老鼠较多，居民反映夜间有咬坏电线的情况', '{b}附近积水处蚊虫滋生严重'],
  'municipal.streetlight': ['{b}旁路灯连续三晚不亮，夜间通行不安全', '小区主干道两盏路灯闪烁不定'],
  'municipal.road': ['{b}前道路出现约一平方米坑洼，雨天积水', '{b}旁人行道地砖松动翘起，老人易绊倒'],
  'municipal.manhole': ['{b}门口雨水井盖缺失，已临时用纸箱遮挡，存在坠落风险', '{b}旁井盖破损下陷'],
  'municipal.drainage': ['{b}附近雨水篦子堵塞，下雨后路面大面积积水', '{b}地库入口排水沟不畅，积水倒灌'],
  'dispute.neighbour': ['{b}上下楼住户因漏水问题发生争执', '{b}住户反映邻居夜间噪音扰民，多次沟通无果', '{b}两户因楼道堆物发生口角'],
  'dispute.family': ['{b}一户家庭因赡养老人问题发生矛盾，需要调解', '{b}居民反映家中兄弟因房产分割争吵'],
  'dispute.property': ['{b}多户业主对物业费上涨有异议，与物业发生争执', '业主反映物业擅自占用公共区域设置收费停车位'],
  'dispute.labour': ['{b}附近装修工人反映被拖欠工资三个月', '小区保洁人员反映加班费未发放'],
  'safety.fire': ['{b}楼道内堆放大量杂物，堵塞消防通道', '{b}消防栓箱内水带缺失，灭火器过期'],
  'safety.gas': ['{b}住户反映楼道内有燃气异味', '{b}底商使用液化气罐未设置报警装置'],
  'safety.building': ['{b}外墙瓷砖有脱落迹象，楼下为人员通道', '{b}阳台底板出现裂缝并露出钢筋'],
  'safety.ebike': ['{b}有住户从楼上拉电线给电动车充电', '{b}楼道内停放电动自行车并充电'],
  'property.repair': ['{b}单元门禁损坏，无法正常关闭', '{b}楼道灯不亮，夜间上下楼不便', '{b}顶楼屋面渗水，住户家中天花板发霉'],
  'property.elevator': ['{b}电梯运行时异响并有困人情况', '{b}电梯停运两天，楼内有行动不便的老人'],
  'property.parking': ['{b}门前车辆乱停，堵塞消防通道', '小区外来车辆长期占用业主车位'],
  'property.cleaning': ['{b}楼道一周未打扫，地面污渍明显', '{b}电梯轿厢内卫生差'],
  'livelihood.elderly': ['{b}独居老人近两日未出门，邻居担心其身体状况', '{b}高龄老人申请助餐服务', '{b}失能老人家属咨询居家养老服务'],
  'livelihood.assistance': ['{b}一户家庭因病致贫，申请临时救助', '{b}残疾人家庭反映生活困难，希望了解帮扶政策'],
  'livelihood.complaint': ['{b}附近一家餐馆油烟直排，居民投诉', '居民投诉小区门口菜店缺斤短两', '{b}底商夜间营业噪音扰民'],
  'livelihood.consult': ['居民咨询灵活就业人员医保缴费政策', '{b}居民咨询老旧小区加装电梯的申请流程', '居民咨询新生儿落户办理材料'],
};

const NOTES: Record<string, string[]> = {
  env: ['已安排保洁人员清运完毕，并对周边进行了消杀', '已清理现场，并对相关住户进行了宣传劝导'],
  municipal: ['已安排维修人员到场修复，恢复正常使用', '已更换损坏部件，现场设置警示标识后完成修复'],
  dispute: ['已组织双方当面调解，达成一致意见并签订调解协议', '经人民调解员调解，双方矛盾已化解'],
  safety: ['已现场督促清理整改，隐患消除', '已联系专业机构检测并完成整改'],
  property: ['物业维修人员已到场处理完毕', '已联系维保单位完成维修，恢复正常'],
  livelihood: ['已上门走访并落实相关服务', '已向居民详细解答政策，并协助准备申请材料'],
};
const REJECT_REASONS = ['不属于网格事件受理范围，已告知当事人通过诉讼途径解决', '经核实情况不存在', '属于个人私有财产维修，已告知自行处理'];
const SUSPEND_REASONS = ['需等待业主大会表决维修资金使用', '涉及产权争议，待相关部门认定', '当事人外出，暂时无法联系'];
const REOPEN_REASONS = ['问题未彻底解决，又出现同样情况', '处置效果不满意，要求重新处理'];
const RATING_COMMENTS = ['处理及时，很满意', '工作人员态度很好', '问题解决了，谢谢', null, null];
const DEVICES = ['智能烟感报警器', '井盖位移传感器', '水浸传感器', '垃圾桶满溢传感器'];
const PLATFORMS = ['12345政务服务便民热线平台', '城市运行管理服务平台'];

// ---- reading the demo city ------------------------------------------------------------------------

type RegionRow = {
  id: string;
  parent_id: string | null;
  level: string;
  name: string;
  path: string;
  boundary: { type: string; coordinates: number[][][] } | null;
};
type UserRow = {
  id: string;
  username: string;
  display_name: string;
  roles: string[];
  region_id: string;
};
interface Person {
  id: string;
  name: string;
}
interface Unit {
  id: string;
  regionId: string;
  name: string;
  kind: string;
  members: Person[];
  last: Map<string, number>;
}

// ---- the simulation ---------------------------------------------------------------------------------

interface Ev {
  communityId: string;
  id: string;
  number: string;
  gridId: string | null;
  path: string;
  categoryCode: string;
  parentCode: string;
  mode: string;
  verify: boolean;
  urgency: 'normal' | 'urgent';
  description: string;
  lng: number;
  lat: number;
  buildingId: string;
  address: string;
  reporterKind: string;
  reporterUserId: string | null;
  reporterName: string | null;
  phone: string | null;
  channel: string;
  status: Status;
  suspendedFrom: Status | null;
  suspendedAt: Date | null;
  unitId: string | null;
  assigneeId: string | null;
  assigneeName: string | null;
  suggestedUnitId: string | null;
  mergedInto: string | null;
  handlerNote: string | null;
  satisfaction: number | null;
  ratingComment: string | null;
  escalationLevel: number;
  reopenCount: number;
  returnCount: number;
  reportedAt: Date;
  respondedAt: Date | null;
  handledAt: Date | null;
  closedAt: Date | null;
  respondDueAt: Date;
  handleDueAt: Date;
  handleAllowedMinutes: number;
  respondOverdue: boolean;
  handleOverdue: boolean;
  warnedAt: Date | null;
  version: number;
  trans: Record<string, unknown>[];
  pending: { kind: string; dueAt: Date }[];
  updatedAt: Date;
}

type Target = 'reported' | 'accepted' | 'dispatched' | 'in_progress' | 'handled' | 'feedback' | 'closed' | 'rejected' | 'suspended';

const SYSTEM_STEPS: Record<string, { action: Action; only: readonly Status[]; reason: string }> = {
  'grid.respond': { action: 'overdue', only: ['reported'], reason: '超过受理时限未受理' },
  'grid.warn': { action: 'warn', only: HANDLING_STATUSES, reason: '即将超过处置时限' },
  'grid.handle': { action: 'overdue', only: HANDLING_STATUSES, reason: '超过处置时限，已上报街道督办' },
  'grid.escalate': { action: 'escalate', only: HANDLING_STATUSES, reason: '超过处置时限一倍仍未处置，上报区级督办' },
  'grid.feedback': { action: 'auto-close', only: ['feedback'], reason: `报告人${FEEDBACK_DAYS}个工作日内未反馈，自动结案` },
};

function transRow(
  ev: Ev,
  at: Date,
  action: Action,
  from: Status | null,
  to: Status,
  actor: Person | null,
  actorName: string,
  extra: { reason?: string | null; detail?: unknown; respondLate: boolean; handleLate: boolean },
) {
  // Transitions of one call share a moment; keep them in order.
  const last = ev.trans.length ? new Date(ev.trans[ev.trans.length - 1]!.at as string).getTime() : 0;
  const t = Math.max(at.getTime(), last + 1);
  ev.trans.push({
    community_id: ev.communityId,
    id: uuidv7(),
    event_id: ev.id,
    action,
    from_status: from,
    to_status: to,
    actor_id: actor?.id ?? null,
    actor_name: actorName,
    reason: extra.reason ?? null,
    detail: extra.detail ?? null,
    respond_overdue: extra.respondLate,
    handle_overdue: extra.handleLate,
    at: new Date(t).toISOString(),
  });
}

/** Fires the deadlines of `ev` due by `until`, as the deadline worker would have. */
function fireUntil(ev: Ev, until: Date) {
  for (;;) {
    ev.pending.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
    const d = ev.pending[0];
    if (!d || d.dueAt > until) return;
    ev.pending.shift();
    const spec = SYSTEM_STEPS[d.kind]!;
    if (!spec.only.includes(ev.status)) continue;
    const from = ev.status;
    if (d.kind === 'grid.respond') ev.respondOverdue = true;
    else if (d.kind === 'grid.warn') ev.warnedAt = d.dueAt;
    else if (d.kind === 'grid.handle') {
      ev.handleOverdue = true;
      ev.escalationLevel = Math.max(ev.escalationLevel, 1);
    } else if (d.kind === 'grid.escalate') ev.escalationLevel = Math.max(ev.escalationLevel, 2);
    else if (d.kind === 'grid.feedback') {
      ev.status = 'closed';
      ev.closedAt = d.dueAt;
    }
    ev.version++;
    ev.updatedAt = d.dueAt;
    transRow(ev, d.dueAt, spec.action, from, ev.status, null, '系统', {
      reason: spec.reason,
      respondLate: ev.respondOverdue,
      handleLate: ev.handleOverdue,
    });
  }
}

export interface GridSeedSummary {
  units: number;
  routes: number;
  calendarDays: number;
  events: number;
  transitions: number;
  deadlines: number;
  byStatus: Record<string, number>;
}

/** Loads the demo grid governance data into the freshly seeded demo city. */
export async function seedGrid(db: Db, keys: DataKeys, now = new Date()): Promise<GridSeedSummary> {
  await ensureCatalogue(db);
  const rand = prng(20261203);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const between = (a: number, b: number) => a + rand() * (b - a);
  const cal: WorkCalendar = chinaCalendar();
  const cats = catalogueRows();
  const catOf = new Map(cats.map((c) => [c.code, c]));
  const leaves = cats.filter((c) => c.parentCode);

  const { rows: regions } = await db.execute<RegionRow>(
    sql`select id, parent_id, level, name, path, boundary from regions order by depth, sort_order, code`,
  );
  const { rows: users } = await db.execute<UserRow>(sql`select id, username, display_name, roles, region_id from users`);
  const { rows: buildings } = await db.execute<{
    community_id: string;
    id: string;
    grid_id: string | null;
    road: string;
    compound: string;
    number: string;
    lng: number | null;
    lat: number | null;
  }>(sql`select community_id, id, grid_id, road, compound, number, lng, lat from buildings order by community_id, compound, number`);

  const byId = new Map(regions.map((r) => [r.id, r]));
  const children = (id: string, level: string) => regions.filter((r) => r.parent_id === id && r.level === level);
  const usersAt = (regionId: string, role: string): Person[] =>
    users
      .filter((u) => u.region_id === regionId && u.roles.includes(role))
      .sort((a, b) => a.username.localeCompare(b.username))
      .map((u) => ({ id: u.id, name: u.display_name }));
  const ancestor = (r: RegionRow, level: string): RegionRow => {
    let x: RegionRow | undefined = r;
    while (x && x.level !== level) x = x.parent_id ? byId.get(x.parent_id) : undefined;
    return x!;
  };

  // ---- units and routes ----
  const units: Unit[] = [];
  const unit = (region: RegionRow, name: string, kind: string, members: Person[]) => {
    const u: Unit = { id: uuidv7(), regionId: region.id, name, kind, members, last: new Map() };
    units.push(u);
    return u;
  };
  const routes: (RouteRow & { regionId: string })[] = [];
  const route = (region: RegionRow, categoryCode: string, u: Unit) =>
    routes.push({ regionId: region.id, regionPath: region.path, categoryCode, unitId: u.id });
  const unitsByRegion = new Map<string, Record<string, Unit>>();

  const districts = regions.filter((r) => r.level === 'district');
  districts.forEach((d, di) => {
    const handlers = usersAt(d.id, 'handler');
    const cg = unit(d, `${d.name}城市管理局`, 'department', handlers);
    const zj = unit(d, `${d.name}住房和城乡建设局`, 'department', handlers);
    const sc = unit(d, `${d.name}市场监督管理局`, 'department', handlers);
    unitsByRegion.set(d.id, { cg, zj, sc });
    route(d, 'municipal', cg);
    route(d, 'env', cg);
    // The first district routes every safety hazard to 住建局; the others leave 房屋安全 to triage.
    if (di === 0) route(d, 'safety', zj);
    else {
      route(d, 'safety.fire', zj);
      route(d, 'safety.gas', zj);
    }
    route(d, 'livelihood.complaint', sc);
    for (const s of children(d.id, 'street')) {
      const admins = usersAt(s.id, 'street_admin');
      const zf = unit(s, `${s.name}综合执法队`, 'street', admins);
      const sw = unit(s, `${s.name}社会事务办`, 'street', admins);
      unitsByRegion.set(s.id, { zf, sw });
      route(s, 'safety.ebike', zf);
      route(s, 'dispute', sw);
      route(s, 'livelihood.assistance', sw);
      route(s, 'livelihood.consult', sw);
      for (const c of children(s.id, 'community')) {
        const workers = children(c.id, 'grid').flatMap((g) => usersAt(g.id, 'grid_worker'));
        const wy = unit(c, `${c.name.replace('社区', '')}物业服务中心`, 'property', usersAt(c.id, 'property_staff'));
        const jw = unit(c, `${c.name}居委会`, 'community', [...workers, ...usersAt(c.id, 'community_admin')]);
        unitsByRegion.set(c.id, { wy, jw });
        route(c, 'property', wy);
        route(c, 'env.litter', jw);
        route(c, 'livelihood.elderly', jw);
      }
    }
  });
  const unitById = new Map(units.map((u) => [u.id, u]));

  // ---- events ----
  const communities = regions.filter((r) => r.level === 'community');
  const gridPoint = new Map<string, [number, number]>();
  const pointIn = (regionId: string): [number, number] => {
    const b = byId.get(regionId)?.boundary;
    if (!b || b.type !== 'Polygon') return [118.3, 30.2];
    const ring = b.coordinates[0]!;
    const xs = ring.map((p) => p[0]!);
    const ys = ring.map((p) => p[1]!);
    const [w, e, s, n] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    return [w + (e - w) * between(0.2, 0.8), s + (n - s) * between(0.2, 0.8)];
  };
  const TARGETS: [Target, number][] = [
    ['closed', 40],
    ['feedback', 7],
    ['handled', 5],
    ['in_progress', 11],
    ['dispatched', 11],
    ['accepted', 4],
    ['reported', 8],
    ['rejected', 5],
    ['suspended', 4],
  ];
  const totalWeight = TARGETS.reduce((s, [, w]) => s + w, 0);
  const drawTarget = (): Target => {
    let x = rand() * totalWeight;
    for (const [t, w] of TARGETS) if ((x -= w) < 0) return t;
    return 'closed';
  };
  const phoneOf = () => `1${pick(['38', '39', '58', '86', '35', '77', '50'])}${String(Math.floor(rand() * 1e8)).padStart(8, '0')}`;
  const at = (daysAgo: number, localHourFrom: number, localHourTo: number) => {
    const day = new Date(now.getTime() - daysAgo * 86_400_000);
    const local = new Date(day.getTime() + 8 * 3600_000);
    local.setUTCHours(0, 0, 0, 0);
    return new Date(local.getTime() - 8 * 3600_000 + between(localHourFrom, localHourTo) * 3600_000);
  };
  const gap = (from: Date, minMinutes: number, maxMinutes: number) => addWorkingMinutes(cal, from, between(minMinutes, maxMinutes));

  interface Spec {
    ev: Ev;
    target: Target;
    community: RegionRow;
    reopen: boolean;
    autoClose: boolean;
    mergeInto?: Spec;
  }
  const specs: Spec[] = [];

  const newEvent = (c: RegionRow, target: Target, forceCategory?: string, building?: (typeof buildings)[number]): Ev => {
    const own = buildings.filter((b) => b.community_id === c.id);
    const b = building ?? pick(own);
    const cat = catOf.get(forceCategory ?? pick(leaves).code)!;
    const gridId = b.grid_id;
    const area = byId.get(gridId ?? c.id)!;
    if (!gridPoint.has(b.id)) gridPoint.set(b.id, b.lng !== null && b.lat !== null ? [b.lng, b.lat] : pointIn(gridId ?? c.id));
    const [lng0, lat0] = gridPoint.get(b.id)!;
    const urgency = rand() < 0.12 ? 'urgent' : 'normal';
    const limits = (cat.limits as Record<'normal' | 'urgent', { respond: number; handle: number }>)[urgency];
    // Open events are recent; a share of the waiting ones are old enough to be overdue.
    const open = !['closed', 'rejected'].includes(target);
    const daysAgo = open ? (rand() < 0.3 && target !== 'reported' ? between(6, 20) : between(0.2, 4)) : between(4, DAYS_BACK);
    const rk = rand();
    let kind = rk < 0.45 ? 'grid_worker' : rk < 0.7 ? 'resident' : rk < 0.82 ? 'hotline' : rk < 0.9 ? 'device' : 'platform';
    // Waiting for 受理 or refused: only an untrusted report stops there (trusted reporters' events are accepted at once).
    if ((target === 'reported' || target === 'rejected') && (kind === 'grid_worker' || kind === 'hotline'))
      kind = pick(['resident', 'resident', 'device', 'platform']);
    let reportedAt = kind === 'grid_worker' ? gap(at(daysAgo, 0, 24), 0, 400) : at(daysAgo, 7, 22);
    // Today's reports happened before now.
    if (reportedAt.getTime() > now.getTime() - 10 * 60_000) reportedAt = new Date(now.getTime() - between(10, 240) * 60_000);
    const handleAllowedMinutes = Math.round(limits.handle * 60);
    const address = `${b.road} ${b.compound}${b.number}栋`;
    return {
      communityId: c.id,
      id: uuidv7(),
      number: '',
      gridId,
      path: area.path,
      categoryCode: cat.code,
      parentCode: cat.parentCode!,
      mode: cat.mode,
      verify: cat.verify,
      urgency,
      description: pick(DESCRIPTIONS[cat.code] ?? ['{b}发现问题，请尽快处理']).replace('{b}', `${b.compound}${b.number}栋`),
      lng: Math.round((lng0 + between(-0.0002, 0.0002)) * 1e6) / 1e6,
      lat: Math.round((lat0 + between(-0.0002, 0.0002)) * 1e6) / 1e6,
      buildingId: b.id,
      address,
      reporterKind: kind,
      reporterUserId: null,
      reporterName: null,
      phone: null,
      channel: 'mobile',
      status: 'reported',
      suspendedFrom: null,
      suspendedAt: null,
      unitId: null,
      assigneeId: null,
      assigneeName: null,
      suggestedUnitId: null,
      mergedInto: null,
      handlerNote: null,
      satisfaction: null,
      ratingComment: null,
      escalationLevel: 0,
      reopenCount: 0,
      returnCount: 0,
      reportedAt,
      respondedAt: null,
      handledAt: null,
      closedAt: null,
      respondDueAt: addWorkingMinutes(cal, reportedAt, limits.respond * 60),
      handleDueAt: addWorkingMinutes(cal, reportedAt, handleAllowedMinutes),
      handleAllowedMinutes,
      respondOverdue: false,
      handleOverdue: false,
      warnedAt: null,
      version: 1,
      trans: [],
      pending: [],
      updatedAt: reportedAt,
    };
  };

  for (const c of communities) {
    const qingshan = ancestor(c, 'district').id !== districts[0]!.id;
    for (let i = 0; i < EVENTS_PER_COMMUNITY; i++) {
      let target = drawTarget();
      // 'Accepted without a unit' needs a category the routing table leaves empty (房屋安全 outside the first district).
      let force: string | undefined;
      if (target === 'accepted') {
        if (qingshan) force = 'safety.building';
        else target = 'dispatched';
      }
      if (target === 'handled') force = pick(leaves.filter((x) => x.verify)).code;
      const ev = newEvent(c, target, force);
      specs.push({
        ev,
        target,
        community: c,
        reopen: target === 'closed' && rand() < 0.12,
        autoClose: target === 'closed' && rand() < 0.15,
      });
    }
    // Duplicates: a few reports of something already reported nearby, merged into the first one.
    const parents = specs.filter((s) => s.community === c && ['dispatched', 'in_progress', 'closed', 'feedback'].includes(s.target));
    for (let k = 0; k < 2 && parents.length; k++) {
      const p = pick(parents);
      const b = buildings.find((x) => x.id === p.ev.buildingId)!;
      const ev = newEvent(c, 'reported', p.ev.categoryCode, b);
      ev.reporterKind = rand() < 0.5 ? 'resident' : 'hotline';
      const latest = now.getTime() - 5 * 60_000;
      ev.reportedAt = new Date(Math.min(latest, p.ev.reportedAt.getTime() + between(20, 240) * 60_000));
      if (ev.reportedAt <= p.ev.reportedAt) continue;
      const limits = (catOf.get(ev.categoryCode)!.limits as Record<string, { respond: number; handle: number }>)[ev.urgency]!;
      ev.respondDueAt = addWorkingMinutes(cal, ev.reportedAt, limits.respond * 60);
      ev.handleDueAt = addWorkingMinutes(cal, ev.reportedAt, ev.handleAllowedMinutes);
      ev.updatedAt = ev.reportedAt;
      specs.push({ ev, target: 'reported', community: c, reopen: false, autoClose: false, mergeInto: p });
    }
  }

  // Numbers in the order of reporting, from the platform's sequence.
  specs.sort((a, b) => a.ev.reportedAt.getTime() - b.ev.reportedAt.getTime());
  const { rows: seqs } = await db.execute<{ n: string }>(
    sql`select nextval('grid_event_number_seq') as n from generate_series(1, ${specs.length})`,
  );
  specs.forEach((s, i) => (s.ev.number = eventNumber(s.ev.reportedAt, Number(seqs[i]!.n))));

  const play = (s: Spec) => {
    const ev = s.ev;
    const c = s.community;
    const street = ancestor(c, 'street');
    const admin = usersAt(c.id, 'community_admin')[0]!;
    const streetAdmin = usersAt(street.id, 'street_admin')[0] ?? admin;
    const residentAccount = usersAt(c.id, 'resident')[0];
    const gridWorker = ev.gridId ? usersAt(ev.gridId, 'grid_worker')[0] : undefined;

    // Who reported, and whether the report is trusted (accepted at once and routed).
    let reporter: Person | null = null;
    let trusted = false;
    // A building without a grid has no grid worker: its events come from residents.
    if (ev.reporterKind === 'grid_worker' && !gridWorker) ev.reporterKind = 'resident';
    switch (ev.reporterKind) {
      case 'grid_worker':
        reporter = gridWorker!;
        ev.reporterUserId = gridWorker!.id;
        ev.reporterName = gridWorker!.name;
        trusted = true;
        break;
      case 'resident':
        if (residentAccount && rand() < 0.4) {
          reporter = residentAccount;
          ev.reporterUserId = residentAccount.id;
          ev.reporterName = residentAccount.name;
        } else ev.reporterName = personName(rand);
        ev.phone = phoneOf();
        break;
      case 'hotline':
        // Recorded by the community office from a 12345 call.
        reporter = admin;
        ev.reporterUserId = admin.id;
        ev.reporterName = personName(rand);
        ev.phone = phoneOf();
        ev.channel = 'hotline';
        trusted = true;
        break;
      case 'device':
        ev.reporterName = `${pick(DEVICES)} ${String(Math.floor(rand() * 9000) + 1000)}`;
        ev.channel = 'device';
        break;
      default:
        ev.reporterName = pick(PLATFORMS);
        ev.channel = 'open311';
    }
    const reporterLabel = reporter?.name ?? ev.reporterName ?? '匿名';
    const late = (t: Date) => ({
      respondLate: ev.respondOverdue || (ev.respondedAt === null && t > ev.respondDueAt),
      handleLate: ev.handleOverdue || (ev.handledAt === null && t > ev.handleDueAt),
    });
    const warnAt = (from: Date) => addWorkingMinutes(cal, from, ev.handleAllowedMinutes * WARN_AT);
    const deadlinesFrom = (from: Date, withRespond: boolean) => {
      ev.pending = ev.pending.filter((d) => d.kind === 'grid.feedback');
      if (withRespond) ev.pending.push({ kind: 'grid.respond', dueAt: ev.respondDueAt });
      ev.pending.push(
        { kind: 'grid.warn', dueAt: warnAt(from) },
        { kind: 'grid.handle', dueAt: ev.handleDueAt },
        { kind: 'grid.escalate', dueAt: addWorkingMinutes(cal, ev.handleDueAt, ev.handleAllowedMinutes) },
      );
    };
    const cancel = (prefix: string) => (ev.pending = ev.pending.filter((d) => !d.kind.startsWith(prefix)));
    const pickAssignee = (u: Unit, t: Date): Person | null => {
      if (ev.mode !== 'round_robin' || !u.members.length) return null;
      const m = [...u.members].sort((a, b) => (u.last.get(a.id) ?? 0) - (u.last.get(b.id) ?? 0) || a.id.localeCompare(b.id))[0]!;
      u.last.set(m.id, t.getTime());
      return m;
    };
    const routed = routeFor(routes, ev.path, ev.categoryCode, ev.parentCode);
    ev.suggestedUnitId = routed;

    // The report (and, for trusted reporters, 立案 and routed dispatch in the same moment).
    const t0 = ev.reportedAt;
    const dupDetail = s.mergeInto ? { suspectedDuplicates: [s.mergeInto.ev.number] } : null;
    transRow(ev, t0, 'report', null, 'reported', reporter, reporterLabel, { detail: dupDetail, respondLate: false, handleLate: false });
    deadlinesFrom(t0, !trusted);
    if (trusted) {
      ev.respondedAt = t0;
      ev.status = 'accepted';
      transRow(ev, t0, 'accept', 'reported', 'accepted', reporter, reporterLabel, { respondLate: false, handleLate: false });
      if (routed && !s.mergeInto) {
        const u = unitById.get(routed)!;
        const a = pickAssignee(u, t0);
        ev.unitId = u.id;
        ev.assigneeId = a?.id ?? null;
        ev.assigneeName = a?.name ?? null;
        ev.status = 'dispatched';
        transRow(ev, t0, 'dispatch', 'accepted', 'dispatched', reporter, reporterLabel, {
          detail: { unitId: u.id, assigneeId: a?.id ?? null, mode: ev.mode, routed: true },
          respondLate: false,
          handleLate: false,
        });
      }
    }

    // A human step at `t`: the deadlines due before it fire first; a step that would lie in the future does not happen.
    let t = t0;
    const step = (minMinutes: number, maxMinutes: number, f: (at: Date) => void): boolean => {
      const next = gap(t, minMinutes, maxMinutes);
      if (next.getTime() > now.getTime() - 5 * 60_000) return false;
      fireUntil(ev, next);
      // The reporter's time to confirm ran out first (反馈期满自动结案).
      if (ev.status === 'closed') return false;
      t = next;
      f(next);
      ev.version++;
      ev.updatedAt = next;
      return true;
    };
    const move = (at: Date, action: Action, to: Status, actor: Person, extra: { reason?: string; detail?: unknown } = {}) => {
      const from = ev.status;
      transRow(ev, at, action, from, to, actor, actor.name, { ...extra, ...late(at) });
      ev.status = to;
    };
    const respond = (at: Date) => {
      ev.respondedAt ??= at;
      if (ev.respondDueAt < at) ev.respondOverdue = true;
    };
    const unitFor = (): Unit => {
      if (ev.suggestedUnitId) return unitById.get(ev.suggestedUnitId)!;
      // Unrouted: the community office picks the district's 住建局 (房屋安全) by hand.
      return unitsByRegion.get(ancestor(c, 'district').id)!.zj!;
    };
    const dispatchTo = (at: Date, u: Unit, action: 'dispatch' | 'accept') => {
      const a = pickAssignee(u, at);
      ev.unitId = u.id;
      ev.assigneeId = a?.id ?? null;
      ev.assigneeName = a?.name ?? null;
      const detail = { unitId: u.id, assigneeId: a?.id ?? null, mode: ev.mode };
      if (action === 'dispatch') move(at, 'dispatch', 'dispatched', admin, { detail });
      else {
        transRow(ev, at, 'dispatch', 'accepted', 'dispatched', admin, admin.name, { detail, ...late(at) });
        ev.status = 'dispatched';
      }
    };
    const handler = (): Person => {
      if (ev.assigneeId) return { id: ev.assigneeId, name: ev.assigneeName! };
      const u = unitById.get(ev.unitId!)!;
      const nonAdmin = u.members.filter((m) => m.id !== admin.id);
      return pick(nonAdmin.length ? nonAdmin : u.members.length ? u.members : [admin]);
    };
    const start = (at: Date) => {
      const h = handler();
      move(at, ev.mode === 'grab' && !ev.assigneeId ? 'grab' : 'start', 'in_progress', h);
      ev.assigneeId = h.id;
      ev.assigneeName = h.name;
    };
    const handle = (at: Date) => {
      const h = handler();
      const to: Status = ev.verify ? 'handled' : 'feedback';
      ev.handlerNote = pick(NOTES[ev.parentCode] ?? ['已处理完毕']);
      move(at, 'handle', to, h);
      ev.handledAt = at;
      if (ev.handleDueAt < at) ev.handleOverdue = true;
      cancel('grid.');
      if (to === 'feedback') ev.pending.push({ kind: 'grid.feedback', dueAt: addWorkingMinutes(cal, at, FEEDBACK_DAYS * DAY_MINUTES) });
    };
    const verifier = () => (ev.assigneeId === admin.id ? streetAdmin : admin);
    const verify = (at: Date) => {
      move(at, 'verify', 'feedback', verifier());
      ev.pending.push({ kind: 'grid.feedback', dueAt: addWorkingMinutes(cal, at, FEEDBACK_DAYS * DAY_MINUTES) });
    };
    const confirmer = () => (reporter && reporter.id !== admin.id ? reporter : admin);
    const confirm = (at: Date) => {
      const who = confirmer();
      const r = rand();
      ev.satisfaction = r < 0.55 ? 5 : r < 0.85 ? 4 : r < 0.93 ? 3 : r < 0.97 ? 2 : 1;
      ev.ratingComment = ev.satisfaction >= 4 ? pick(RATING_COMMENTS) : '处理速度偏慢';
      move(at, 'confirm', 'closed', who, { detail: { satisfaction: ev.satisfaction, onBehalf: ev.reporterUserId !== who.id } });
      ev.closedAt = at;
      cancel('grid.');
    };

    const target = s.target;
    // Read through a function: the steps change the status inside callbacks, which narrowing cannot see.
    const st = (): Status => ev.status;
    if (s.mergeInto) {
      const p = s.mergeInto.ev;
      step(20, 120, (at) => {
        // Merge into the first report while it is open; otherwise the office declines the repeat report.
        if (p.closedAt === null || p.closedAt > at) {
          move(at, 'merge', 'merged', admin, { reason: `与事件${p.number}重复`, detail: { into: p.number } });
          ev.mergedInto = p.id;
        } else {
          respond(at);
          move(at, 'reject', 'rejected', admin, { reason: '重复上报，原事件已办结' });
        }
        ev.closedAt = at;
        cancel('grid.');
      });
    } else if (target !== 'reported') {
      let ok = true;
      if (st() === 'reported') {
        // 受理 mostly within the limit (accepted late about one time in eight).
        const limit = workingMinutesBetween(cal, ev.reportedAt, ev.respondDueAt);
        const tardy = rand() < 0.12;
        ok = step(tardy ? limit * 1.1 : 5, tardy ? limit * 2 : Math.max(10, limit * 0.8), (at) => {
          respond(at);
          if (target === 'rejected') {
            move(at, 'reject', 'rejected', admin, { reason: pick(REJECT_REASONS) });
            ev.closedAt = at;
            cancel('grid.');
            return;
          }
          move(at, 'accept', 'accepted', admin);
          cancel('grid.respond');
          if (ev.suggestedUnitId && target !== 'accepted') dispatchTo(at, unitById.get(ev.suggestedUnitId)!, 'accept');
        });
      }
      if (ok && st() === 'accepted' && target !== 'accepted' && target !== 'rejected')
        ok = step(20, 240, (at) => dispatchTo(at, unitFor(), 'dispatch'));
      if (ok && target === 'suspended')
        step(60, 900, (at) => {
          ev.suspendedFrom = ev.status;
          ev.suspendedAt = at;
          move(at, 'suspend', 'suspended', admin, { reason: pick(SUSPEND_REASONS) });
          cancel('grid.');
        });
      const later = ['in_progress', 'handled', 'feedback', 'closed'].includes(target);
      // The handling time: mostly within the limit, sometimes well past it.
      // Handled mostly within the limit (late about one time in six), counted from the report.
      const handleSpan = () => {
        const f = rand() < 0.83 ? between(0.3, 0.9) : between(1.1, 2.2);
        const spent = workingMinutesBetween(cal, ev.reportedAt, t);
        return Math.max(20, ev.handleAllowedMinutes * f - spent);
      };
      if (ok && later && st() === 'dispatched') ok = step(5, Math.min(240, ev.handleAllowedMinutes * 0.15), start);
      if (ok && ['handled', 'feedback', 'closed'].includes(target) && st() === 'in_progress') {
        const span = handleSpan();
        ok = step(span * 0.9, span, handle);
      }
      if (ok && (target === 'feedback' || target === 'closed') && st() === 'handled') ok = step(30, 900, verify);
      if (ok && target === 'closed' && s.reopen && st() === 'feedback') {
        ok = step(60, 900, (at) => {
          const who = confirmer();
          move(at, 'reopen', 'dispatched', who, { reason: pick(REOPEN_REASONS) });
          ev.reopenCount++;
          ev.handledAt = null;
          ev.handleDueAt = addWorkingMinutes(cal, at, ev.handleAllowedMinutes);
          cancel('grid.');
          deadlinesFrom(at, false);
        });
        if (ok) ok = step(10, 240, start);
        if (ok) ok = step(60, ev.handleAllowedMinutes * 0.7, handle);
        if (ok && st() === 'handled') ok = step(30, 600, verify);
      }
      if (ok && target === 'closed' && !s.autoClose && st() === 'feedback') step(30, DAY_MINUTES * 2.5, confirm);
    }
    // Whatever was due by now has fired.
    fireUntil(ev, now);
    if (ev.status === 'rejected' || ev.status === 'merged') ev.pending = [];
  };
  // First reports before the duplicates that are merged into them.
  for (const s of specs) if (!s.mergeInto) play(s);
  for (const s of specs) if (s.mergeInto) play(s);

  // ---- writing ----
  const events = specs.map((s) => s.ev);
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  const eventRows = events.map((ev) => {
    const phone = ev.phone ? normalisePhone(ev.phone) : null;
    return {
      community_id: ev.communityId,
      id: ev.id,
      number: ev.number,
      tracking_code: trackingCode(randomBytes(10)),
      grid_id: ev.gridId,
      category_code: ev.categoryCode,
      urgency: ev.urgency,
      description: ev.description,
      photos: [],
      lng: ev.lng,
      lat: ev.lat,
      building_id: ev.buildingId,
      room_id: null,
      address: ev.address,
      reporter_kind: ev.reporterKind,
      reporter_user_id: ev.reporterUserId,
      reporter_name: ev.reporterName,
      reporter_phone_enc: phone ? '\\x' + encrypt(keys, phone, PHONE_CTX).toString('hex') : null,
      reporter_phone_hash: phone ? blindIndex(keys, 'phone', phone) : null,
      reporter_phone_masked: phone ? maskPhone(phone) : null,
      channel: ev.channel,
      partner_id: null,
      device_id: null,
      status: ev.status,
      suspended_from: ev.suspendedFrom,
      suspended_at: iso(ev.suspendedAt),
      unit_id: ev.unitId,
      assignee_id: ev.assigneeId,
      assignee_name: ev.assigneeName,
      suggested_unit_id: ev.suggestedUnitId,
      merged_into: ev.mergedInto,
      handler_note: ev.handlerNote,
      result_photos: [],
      satisfaction: ev.satisfaction,
      rating_comment: ev.ratingComment,
      escalation_level: ev.escalationLevel,
      reopen_count: ev.reopenCount,
      return_count: ev.returnCount,
      reported_at: iso(ev.reportedAt),
      responded_at: iso(ev.respondedAt),
      handled_at: iso(ev.handledAt),
      closed_at: iso(ev.closedAt),
      respond_due_at: iso(ev.respondDueAt),
      handle_due_at: iso(ev.handleDueAt),
      handle_allowed_minutes: ev.handleAllowedMinutes,
      respond_overdue: ev.respondOverdue,
      handle_overdue: ev.handleOverdue,
      warned_at: iso(ev.warnedAt),
      version: ev.version,
      updated_at: iso(ev.updatedAt),
    };
  });
  const transitions = events.flatMap((ev) => ev.trans);
  // The service chains handling deadlines (a pending warning schedules the limit and the escalation when
  // it fires), so an event whose warning is still pending stores only the warning.
  const deadlines = events.flatMap((ev) =>
    ev.pending
      .filter((d) => !(['grid.handle', 'grid.escalate'].includes(d.kind) && ev.pending.some((p) => p.kind === 'grid.warn')))
      .map((d) => ({
        community_id: ev.communityId,
        id: uuidv7(),
        kind: d.kind,
        subject_id: ev.id,
        due_at: iso(d.dueAt),
        attempts: 0,
      })),
  );
  const members = units.flatMap((u) =>
    u.members.map((m) => ({
      unit_id: u.id,
      user_id: m.id,
      last_assigned_at: u.last.has(m.id) ? new Date(u.last.get(m.id)!).toISOString() : null,
    })),
  );
  const days = [2026, 2027].flatMap((y) => CHINA_HOLIDAYS[y] ?? []);

  await db.transaction(async (tx: Executor) => {
    await tx.execute(sql`
      insert into grid_units (id, region_id, name, kind)
      select * from unnest(${sql.param(units.map((u) => u.id))}::uuid[], ${sql.param(units.map((u) => u.regionId))}::uuid[],
        ${sql.param(units.map((u) => u.name))}::text[], ${sql.param(units.map((u) => u.kind))}::text[])`);
    await tx.execute(sql`
      insert into grid_unit_members (unit_id, user_id, last_assigned_at)
      select * from unnest(${sql.param(members.map((m) => m.unit_id))}::uuid[], ${sql.param(members.map((m) => m.user_id))}::uuid[],
        ${sql.param(members.map((m) => m.last_assigned_at))}::timestamptz[]) on conflict do nothing`);
    await tx.execute(sql`
      insert into grid_routes (id, region_id, region_path, category_code, unit_id, created_by)
      select x.*, ${SYSTEM} from unnest(${sql.param(routes.map(() => uuidv7()))}::uuid[], ${sql.param(routes.map((r) => r.regionId))}::uuid[],
        ${sql.param(routes.map((r) => r.regionPath))}::text[], ${sql.param(routes.map((r) => r.categoryCode))}::text[],
        ${sql.param(routes.map((r) => r.unitId))}::uuid[]) as x`);
    await tx.execute(sql`
      insert into work_calendar_days (day, kind, name, updated_by)
      select x.*, ${SYSTEM} from unnest(${sql.param(days.map((d) => d.date))}::date[], ${sql.param(days.map((d) => d.kind))}::text[],
        ${sql.param(days.map((d) => d.name))}::text[]) as x on conflict (day) do nothing`);
    // Events and transitions have many columns: one JSON document per table, typed by the table itself.
    await tx.execute(sql`
      insert into grid_events select * from jsonb_populate_recordset(null::grid_events, ${JSON.stringify(eventRows)}::jsonb)`);
    await tx.execute(sql`
      insert into grid_event_transitions select * from jsonb_populate_recordset(null::grid_event_transitions, ${JSON.stringify(transitions)}::jsonb)`);
    if (deadlines.length)
      await tx.execute(sql`
        insert into deadlines (community_id, id, kind, subject_id, due_at, attempts)
        select community_id, id, kind, subject_id, due_at, attempts from jsonb_populate_recordset(null::deadlines, ${JSON.stringify(deadlines)}::jsonb)`);
  });
  const byStatus: Record<string, number> = {};
  for (const ev of events) byStatus[ev.status] = (byStatus[ev.status] ?? 0) + 1;
  return {
    units: units.length,
    routes: routes.length,
    calendarDays: days.length,
    events: events.length,
    transitions: transitions.length,
    deadlines: deadlines.length,
    byStatus,
  };
}
