// A line chart of one telemetry key (SVG): the bucket averages as a line over a min–max band, time
// along the bottom in China Standard Time. The console has no chart library.
import { formatTime } from '../../lib/time';
import type { SeriesPoint } from './api';

const W = 640;
const H = 240;
const L = 48;
const R = 12;
const T = 12;
const B = 28;

function ticks(min: number, max: number, n = 4): number[] {
  if (min === max) return [min];
  const step = (max - min) / n;
  return Array.from({ length: n + 1 }, (_, i) => min + step * i);
}

function short(v: number): string {
  const a = Math.abs(v);
  if (a >= 1000) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

export function LineChart({ points, from, to, label }: { points: SeriesPoint[]; from: number; to: number; label: string }) {
  if (!points.length) return <div className="center-pad">所选时间段内没有数据</div>;
  let lo = Math.min(...points.map((p) => p.min));
  let hi = Math.max(...points.map((p) => p.max));
  if (lo === hi) {
    lo -= 1;
    hi += 1;
  }
  const pad = (hi - lo) * 0.08;
  lo -= pad;
  hi += pad;
  const span = Math.max(to - from, 1);
  const x = (t: number) => L + ((t - from) / span) * (W - L - R);
  const y = (v: number) => T + ((hi - v) / (hi - lo)) * (H - T - B);
  const pts = points.map((p) => ({ ...p, ms: Date.parse(p.t) }));
  const line = pts.map((p) => `${x(p.ms).toFixed(1)},${y(p.avg).toFixed(1)}`).join(' ');
  const band = [
    ...pts.map((p) => `${x(p.ms).toFixed(1)},${y(p.max).toFixed(1)}`),
    ...[...pts].reverse().map((p) => `${x(p.ms).toFixed(1)},${y(p.min).toFixed(1)}`),
  ].join(' ');
  const xTicks = Array.from({ length: 5 }, (_, i) => from + (span * i) / 4);
  const sameDay = span <= 86400_000;
  return (
    <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" data-testid="device-chart">
      <title>{`${label} 曲线`}</title>
      {ticks(lo, hi).map((v) => (
        <g key={v}>
          <line x1={L} x2={W - R} y1={y(v)} y2={y(v)} stroke="#f0f0f0" />
          <text x={L - 6} y={y(v)} fontSize={10} textAnchor="end" dominantBaseline="middle" fill="#8c8c8c">
            {short(v)}
          </text>
        </g>
      ))}
      {xTicks.map((t) => (
        <text key={t} x={x(t)} y={H - 8} fontSize={10} textAnchor="middle" fill="#8c8c8c">
          {formatTime(new Date(t), sameDay ? 'HH:mm' : 'MM-DD HH:mm')}
        </text>
      ))}
      <line x1={L} x2={W - R} y1={H - B} y2={H - B} stroke="#d9d9d9" />
      {pts.length > 1 && <polygon points={band} fill="rgba(22, 119, 255, 0.12)" stroke="none" />}
      <polyline points={line} fill="none" stroke="#1677ff" strokeWidth={2} />
      {pts.map((p) => (
        <circle key={p.t} cx={x(p.ms)} cy={y(p.avg)} r={pts.length > 60 ? 1.5 : 3} fill="#1677ff">
          <title>{`${formatTime(p.t, 'MM-DD HH:mm')}  平均 ${short(p.avg)}（${short(p.min)}–${short(p.max)}，${p.n} 个样本）`}</title>
        </circle>
      ))}
    </svg>
  );
}
