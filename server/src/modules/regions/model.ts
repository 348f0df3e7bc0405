// The region tree 市 → 区 → 街道 → 社区 → 网格 and its codes. Pure: no I/O.
// `001`: one platform with the four administrative levels 市/区/街道/社区; `002` #30 and `004` 5.2.4
// add the grid (网格) under the community for grid governance.

export const LEVELS = ['city', 'district', 'street', 'community', 'grid'] as const;
export type Level = (typeof LEVELS)[number];

export const LEVEL_LABELS: Record<Level, string> = {
  city: '市',
  district: '区',
  street: '街道',
  community: '社区',
  grid: '网格',
};

export function childLevel(level: Level): Level | null {
  const i = LEVELS.indexOf(level);
  return LEVELS[i + 1] ?? null;
}

/**
 * Code rules. City and district: six-digit GB/T 2260 codes (city `PPCC00`, its districts `PPCCxx`).
 * Street: district code + 3 digits, community: street code + 3 digits (the 12-digit statistical
 * division code of GB/T 10114 / 统计用区划代码). Grid: community code + 3 digits.
 * Returns a Chinese message when the code does not fit, or null.
 */
export function codeProblem(level: Level, code: string, parentCode: string | null): string | null {
  const digits = (n: number) => new RegExp(`^\\d{${n}}$`).test(code);
  switch (level) {
    case 'city':
      if (!digits(6) || !code.endsWith('00') || code.endsWith('0000')) return '市级代码应为 6 位 GB/T 2260 代码，且以 00 结尾（如 990100）';
      return parentCode === null ? null : '市级区划不能有上级';
    case 'district':
      if (!digits(6) || code.endsWith('00')) return '区级代码应为 6 位 GB/T 2260 代码，且不以 00 结尾';
      return parentCode && code.slice(0, 4) === parentCode.slice(0, 4) ? null : '区级代码前 4 位应与所属市一致';
    case 'street':
      if (!digits(9)) return '街道代码应为 9 位（所属区代码 + 3 位）';
      return parentCode && code.startsWith(parentCode) ? null : '街道代码应以所属区代码开头';
    case 'community':
      if (!digits(12)) return '社区代码应为 12 位（所属街道代码 + 3 位）';
      return parentCode && code.startsWith(parentCode) ? null : '社区代码应以所属街道代码开头';
    case 'grid':
      if (!digits(15)) return '网格代码应为 15 位（所属社区代码 + 3 位）';
      return parentCode && code.startsWith(parentCode) ? null : '网格代码应以所属社区代码开头';
  }
}

export function childPath(parentPath: string | null, id: string): string {
  return `${parentPath ?? '/'}${id}/`;
}

/** Is the node at `path` inside the subtree rooted at `scopePath` (itself included)? */
export function pathWithin(path: string, scopePath: string): boolean {
  return path.startsWith(scopePath);
}

export type Position = [number, number];
export type Geometry = { type: 'Polygon'; coordinates: Position[][] } | { type: 'MultiPolygon'; coordinates: Position[][][] };

/** Validates a GeoJSON Polygon/MultiPolygon in WGS 84 (RFC 7946); returns a Chinese message or null. */
export function geometryProblem(g: unknown): string | null {
  if (typeof g !== 'object' || g === null) return '边界应为 GeoJSON 几何对象';
  const { type, coordinates } = g as { type?: unknown; coordinates?: unknown };
  const ringProblem = (ring: unknown): string | null => {
    if (!Array.isArray(ring) || ring.length < 4) return '每个环至少需要 4 个坐标点';
    for (const p of ring) {
      if (!Array.isArray(p) || p.length < 2 || !p.every((v) => typeof v === 'number' && Number.isFinite(v)))
        return '坐标点应为 [经度, 纬度] 数字对';
      const [lng, lat] = p as number[];
      if (lng! < -180 || lng! > 180 || lat! < -90 || lat! > 90) return '经度应在 -180..180，纬度应在 -90..90';
    }
    const a = ring[0] as number[];
    const z = ring[ring.length - 1] as number[];
    if (a[0] !== z[0] || a[1] !== z[1]) return '多边形的环应首尾闭合';
    return null;
  };
  const polygonProblem = (poly: unknown): string | null => {
    if (!Array.isArray(poly) || poly.length === 0) return '多边形至少需要一个外环';
    for (const ring of poly) {
      const p = ringProblem(ring);
      if (p) return p;
    }
    return null;
  };
  if (type === 'Polygon') return polygonProblem(coordinates);
  if (type === 'MultiPolygon') {
    if (!Array.isArray(coordinates) || coordinates.length === 0) return 'MultiPolygon 至少需要一个多边形';
    for (const poly of coordinates) {
      const p = polygonProblem(poly);
      if (p) return p;
    }
    return null;
  }
  return '边界类型应为 Polygon 或 MultiPolygon';
}

/** Ray casting on each ring; holes subtract. For later use by dispatch (point in grid). */
export function pointInGeometry(pt: Position, g: Geometry): boolean {
  const inRing = (ring: Position[]): boolean => {
    let inside = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i]!;
      const [xj, yj] = ring[j]!;
      if (yi > pt[1] !== yj > pt[1] && pt[0] < ((xj - xi) * (pt[1] - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  };
  const inPolygon = (poly: Position[][]) => inRing(poly[0]!) && !poly.slice(1).some(inRing);
  return g.type === 'Polygon' ? inPolygon(g.coordinates) : g.coordinates.some(inPolygon);
}

export interface RegionNode {
  id: string;
  parentId: string | null;
  name: string;
  level: Level;
  code: string;
  sortOrder: number;
}

export interface RegionTreeNode {
  id: string;
  name: string;
  level: Level;
  code: string;
  children: RegionTreeNode[];
}

/** Builds the forest of the given nodes; a node whose parent is not among them becomes a root. */
export function buildTree(nodes: readonly RegionNode[]): RegionTreeNode[] {
  const byId = new Map<string, RegionTreeNode>();
  for (const n of nodes) byId.set(n.id, { id: n.id, name: n.name, level: n.level, code: n.code, children: [] });
  const roots: RegionTreeNode[] = [];
  const sorted = [...nodes].sort((a, b) => a.sortOrder - b.sortOrder || a.code.localeCompare(b.code));
  for (const n of sorted) {
    const node = byId.get(n.id)!;
    const parent = n.parentId ? byId.get(n.parentId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}
