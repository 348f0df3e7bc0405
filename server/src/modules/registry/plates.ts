// 数字门牌 (digital house plates, `004` 5.1): every building and room has a stable code printed as
// a QR. Scanning it opens a public page with the address, the grid and its grid workers, the
// community, and entry points to services; nothing about the people who live there.
import QRCode from 'qrcode';
import type { Db } from '../../db/pool.js';
import { problems } from '../../http/errors.js';
import { namesWithRole } from '../accounts/service.js';
import { regionNames } from '../regions/service.js';
import * as store from './store.js';

export interface PlateView {
  kind: 'building' | 'room';
  communityId: string;
  code: string;
  address: string;
  building: string;
  community: string;
  grid: string | null;
  gridWorkers: string[];
  /** Services a resident can start from the plate; later modules switch them on. */
  services: { key: string; label: string; available: boolean; href: string | null }[];
}

const SERVICES = [
  { key: 'report', label: '报事报修' },
  { key: 'notices', label: '社区通知' },
  { key: 'consult', label: '议事协商' },
  { key: 'help', label: '紧急求助' },
];

export async function plate(db: Db, communityId: string, code: string): Promise<PlateView> {
  const hit = await store.findByPlate(db, communityId, code);
  if (!hit) throw problems.notFound('门牌');
  const b = hit.building;
  const names = await regionNames(db, [b.communityId, ...(b.gridId ? [b.gridId] : [])]);
  const label = `${b.compound}${b.number}栋`;
  const address = hit.room ? hit.room.address : [b.road, label].filter(Boolean).join(' ');
  return {
    kind: hit.room ? 'room' : 'building',
    communityId,
    code,
    address,
    building: label,
    community: names.get(b.communityId)?.name ?? '',
    grid: b.gridId ? (names.get(b.gridId)?.name ?? null) : null,
    gridWorkers: b.gridId ? await namesWithRole(db, b.gridId, 'grid_worker') : [],
    // 报事报修 opens the grid module's resident report page with this plate (issue 5 §8).
    services: SERVICES.map((s) =>
      s.key === 'report'
        ? { ...s, available: true, href: `/m/report?community=${encodeURIComponent(communityId)}&plate=${encodeURIComponent(code)}` }
        : { ...s, available: false, href: null },
    ),
  };
}

export function plateUrl(origin: string, communityId: string, code: string): string {
  return `${origin}/plate/${communityId}/${encodeURIComponent(code)}`;
}

export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The printable sheet of a building: its own plate and one per room, A4, to cut out. */
export async function plateSheet(db: Db, origin: string, buildingId: string): Promise<string> {
  const b = await store.findBuilding(db, buildingId);
  if (!b) throw problems.notFound('楼栋');
  const rooms = await store.roomsOf(db, b.communityId, b.id);
  const cards = [
    { title: `${b.compound}${b.number}栋`, sub: b.road, code: b.plateCode },
    ...rooms.map(({ room }) => ({ title: `${room.number}室`, sub: room.address, code: room.plateCode })),
  ];
  const svgs = await Promise.all(cards.map((c) => qrSvg(plateUrl(origin, b.communityId, c.code))));
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>数字门牌 ${esc(cards[0]!.title)}</title>
<style>
body{font-family:"WenQuanYi Micro Hei","Microsoft YaHei",sans-serif;margin:0;padding:12mm}
h1{font-size:16pt;margin:0 0 6mm}
.grid{display:grid;grid-template-columns:repeat(4,1fr);gap:4mm}
.card{border:1px solid #1f5fbf;border-radius:3mm;padding:3mm;text-align:center;break-inside:avoid}
.card svg{width:32mm;height:32mm}
.t{font-size:13pt;font-weight:bold;color:#1f5fbf}.s{font-size:7pt;color:#555;margin-top:1mm}
@media print{body{padding:8mm}.noprint{display:none}}
</style></head><body>
<h1>数字门牌 · ${esc(cards[0]!.title)}<span class="noprint"> （${cards.length} 张，按 Ctrl+P 打印）</span></h1>
<div class="grid">${cards.map((c, i) => `<div class="card">${svgs[i]}<div class="t">${esc(c.title)}</div><div class="s">${esc(c.sub)}</div></div>`).join('')}</div>
</body></html>`;
}

/** The page a scanned plate opens: for residents' phones, public, nothing personal. */
export function platePage(p: PlateView): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(p.address)} · 数字门牌</title>
<style>
body{font-family:"WenQuanYi Micro Hei","PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f3f6fb;color:#1c2b3a}
header{background:#1f5fbf;color:#fff;padding:18px 16px}header .k{font-size:13px;opacity:.85}header h1{font-size:20px;margin:6px 0 0}
section{background:#fff;margin:12px;border-radius:10px;padding:14px 16px}
.row{display:flex;justify-content:space-between;padding:6px 0;border-bottom:1px solid #eef1f5}.row:last-child{border:0}
.l{color:#66788a}.svc{display:grid;grid-template-columns:1fr 1fr;gap:10px}
.svc div,.svc a{border:1px solid #d6e2f3;border-radius:8px;padding:12px;text-align:center;color:#1f5fbf;text-decoration:none;display:block}
.svc div.off{color:#9aa8b6;border-style:dashed}
</style></head><body>
<header><div class="k">家园 · 数字门牌</div><h1>${esc(p.address)}</h1></header>
<section>
<div class="row"><span class="l">所属社区</span><span>${esc(p.community)}</span></div>
<div class="row"><span class="l">所属网格</span><span>${esc(p.grid ?? '—')}</span></div>
<div class="row"><span class="l">网格员</span><span>${esc(p.gridWorkers.join('、') || '—')}</span></div>
</section>
<section><div class="svc">${p.services.map((s) => (s.available && s.href ? `<a href="${esc(s.href)}">${esc(s.label)}</a>` : `<div class="off">${esc(s.label)}<br><small>即将开通</small></div>`)).join('')}</div></section>
</body></html>`;
}
