// The grids and open events of the dashboard, drawn in SVG: longitude/latitude projected into the box
// of all boundaries (projection.ts).
import type { Dashboard, Geometry } from './api';
import { fitProjection } from './projection';

const W = 640;
const H = 440;
const PAD = 16;

function rings(g: Geometry): number[][][] {
  return g.type === 'Polygon' ? g.coordinates : g.coordinates.flat();
}

const FILLS = ['#e6f0ff', '#e8f7ee', '#fff4e0', '#f3e8ff', '#e0f7f7', '#fde8ec'];

export function GridMap({ data, onEvent }: { data: Dashboard; onEvent?: (id: string) => void }) {
  const shapes = data.grids.filter((g) => g.boundary).map((g) => ({ ...g, rings: rings(g.boundary!) }));
  const points: [number, number][] = [];
  for (const s of shapes) for (const r of s.rings) for (const [x, y] of r) points.push([x!, y!]);
  if (!shapes.length) for (const e of data.events) points.push([e.lng, e.lat]);
  const projection = fitProjection(points, W, H, PAD);
  if (!projection) {
    return <div className="center-pad">暂无网格边界数据</div>;
  }
  const { px, py } = projection;

  return (
    <svg
      viewBox={`0 0 ${W} ${H}`}
      width="100%"
      style={{ maxHeight: 520, background: '#fafbfd', border: '1px solid #e5e8ee' }}
      role="img"
      aria-label="网格与事件分布"
    >
      {shapes.map((s, i) => {
        const d = s.rings
          .map((r) => r.map(([x, y], j) => `${j ? 'L' : 'M'}${px(x!).toFixed(1)},${py(y!).toFixed(1)}`).join('') + 'Z')
          .join('');
        const outer = s.rings[0] ?? [];
        const cx = outer.reduce((a, p) => a + px(p[0]!), 0) / Math.max(outer.length, 1);
        const cy = outer.reduce((a, p) => a + py(p[1]!), 0) / Math.max(outer.length, 1);
        return (
          <g key={s.id} data-grid={s.id}>
            <path d={d} fill={FILLS[i % FILLS.length]} stroke="#5b7db8" strokeWidth={1.2} fillRule="evenodd">
              <title>{s.name}</title>
            </path>
            <text x={cx} y={cy} textAnchor="middle" fontSize={12} fill="#34495e" style={{ pointerEvents: 'none' }}>
              {s.name}
            </text>
          </g>
        );
      })}
      {data.events.map((e) => (
        <circle
          key={e.id}
          data-event={e.number}
          cx={px(e.lng)}
          cy={py(e.lat)}
          r={5}
          fill={e.overdue ? '#cf1322' : '#1f5fbf'}
          stroke="#fff"
          strokeWidth={1.5}
          style={{ cursor: onEvent ? 'pointer' : undefined }}
          onClick={() => onEvent?.(e.id)}
        >
          <title>{`${e.number} ${e.category}${e.overdue ? '（超期）' : ''}`}</title>
        </circle>
      ))}
    </svg>
  );
}
