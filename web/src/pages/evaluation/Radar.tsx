// Radar (SVG) of the groups' achievement: echarts is not a dependency of the console.
import type { GroupAchievement } from '../../api/types';

export function Radar({ groups }: { groups: GroupAchievement[] }) {
  const n = groups.length;
  if (n < 3) return null;
  const size = 280;
  const c = size / 2;
  const r = 92;
  const point = (k: number, scale: number) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * k) / n;
    return [c + Math.cos(angle) * r * scale, c + Math.sin(angle) * r * scale] as const;
  };
  const ring = (scale: number) =>
    groups
      .map((_, k) => point(k, scale))
      .map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`)
      .join(' ');
  const shape = groups
    .map((g, k) => point(k, Math.max(0, Math.min(1, g.achievement))))
    .map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`)
    .join(' ');
  return (
    <svg viewBox={`0 0 ${size} ${size}`} width="100%" style={{ maxWidth: size, display: 'block', margin: '0 auto' }} role="img">
      <title>各维度达成度雷达图</title>
      {[0.25, 0.5, 0.75, 1].map((s) => (
        <polygon key={s} points={ring(s)} fill="none" stroke="#d9d9d9" strokeWidth={1} />
      ))}
      {groups.map((g, k) => {
        const [x, y] = point(k, 1);
        return <line key={g.code} x1={c} y1={c} x2={x} y2={y} stroke="#e8e8e8" />;
      })}
      <polygon points={shape} fill="rgba(22, 119, 255, 0.25)" stroke="#1677ff" strokeWidth={2} />
      {groups.map((g, k) => {
        const [x, y] = point(k, 1.22);
        return (
          <text key={g.code} x={x} y={y} fontSize={11} textAnchor="middle" dominantBaseline="middle" fill="#595959">
            {g.name.length > 7 ? `${g.name.slice(0, 7)}…` : g.name}
          </text>
        );
      })}
    </svg>
  );
}
