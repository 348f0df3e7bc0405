// A small SVG drawing of a GeoJSON Polygon / MultiPolygon (WGS 84), north up.
import { Empty } from 'antd';

type Ring = [number, number][];

function isPosition(v: unknown): v is [number, number] {
  return (
    Array.isArray(v) &&
    v.length >= 2 &&
    typeof v[0] === 'number' &&
    typeof v[1] === 'number' &&
    Number.isFinite(v[0]) &&
    Number.isFinite(v[1])
  );
}

function ringsOf(polygon: unknown): Ring[] {
  if (!Array.isArray(polygon)) return [];
  return polygon
    .filter((r): r is unknown[] => Array.isArray(r))
    .map((r) => r.filter(isPosition).map((p) => [p[0], p[1]] as [number, number]));
}

/** Polygons (each a list of rings, outer first) of a boundary; empty when it is not drawable. */
export function polygonsOf(boundary: { type: string; coordinates: unknown[] } | null | undefined): Ring[][] {
  if (!boundary) return [];
  if (boundary.type === 'Polygon') return [ringsOf(boundary.coordinates)];
  if (boundary.type === 'MultiPolygon') return boundary.coordinates.map(ringsOf);
  return [];
}

export function BoundaryPreview({
  boundary,
  width = 280,
  height = 200,
}: {
  boundary: { type: string; coordinates: unknown[] } | null | undefined;
  width?: number;
  height?: number;
}) {
  const polygons = polygonsOf(boundary).filter((p) => p.some((r) => r.length >= 3));
  const points = polygons.flat(2);
  if (points.length === 0) {
    return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="未设置边界" className="boundary-empty" />;
  }

  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const [x, y] of points) {
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  // Equirectangular with longitude shrunk by cos(latitude), so shapes keep their proportions.
  const kx = Math.cos((((minY + maxY) / 2) * Math.PI) / 180) || 1;
  const w = Math.max((maxX - minX) * kx, 1e-9);
  const h = Math.max(maxY - minY, 1e-9);
  const pad = 12;
  const scale = Math.min((width - 2 * pad) / w, (height - 2 * pad) / h);
  const ox = (width - w * scale) / 2;
  const oy = (height - h * scale) / 2;
  const project = ([x, y]: [number, number]) => `${(ox + (x - minX) * kx * scale).toFixed(1)},${(oy + (maxY - y) * scale).toFixed(1)}`;
  const d = polygons
    .map((rings) =>
      rings
        .filter((r) => r.length >= 3)
        .map((r) => `M${r.map(project).join('L')}Z`)
        .join(''),
    )
    .join('');

  return (
    <svg
      className="boundary-preview"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`边界示意图：经度 ${minX.toFixed(4)}–${maxX.toFixed(4)}，纬度 ${minY.toFixed(4)}–${maxY.toFixed(4)}`}
      data-testid="boundary-preview"
    >
      <defs>
        <pattern id="boundary-grid" width="20" height="20" patternUnits="userSpaceOnUse">
          <path d="M20 0H0V20" fill="none" stroke="#e8edf5" strokeWidth="1" />
        </pattern>
      </defs>
      <rect width={width} height={height} fill="url(#boundary-grid)" />
      <path d={d} fill="#1f5fbf" fillOpacity={0.16} stroke="#1f5fbf" strokeWidth={1.5} fillRule="evenodd" strokeLinejoin="round" />
      <text x={width - 6} y={14} textAnchor="end" fontSize="11" fill="#8c8c8c">
        N ↑
      </text>
    </svg>
  );
}
