// Trend across assessment periods (issue 4 §6), as SVG like the radar (the console carries no chart
// library): a region's mean and median per period, or a community's own total per period, then the
// live "now" point from current data. Below the chart, the figures per period.
import { Alert, Empty, Rate, Spin, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useEffect, useState } from 'react';
import { errorText } from '../../api/client';
import { evaluationApi } from '../../api/evaluation';
import type { Trend, TrendPeriod, TrendPoint } from '../../api/types';
import { formatTime } from '../../lib/time';

interface Series {
  name: string;
  color: string;
  dashed?: boolean;
  /** One value per x position (null: no point there). */
  values: (number | null)[];
  /** Hollow markers at these positions (a self-assessment, not a locked result). */
  hollow?: boolean[];
}

const NOW = '当前';

/** A line chart of one or two series over the periods and the live point; the last segment (to 当前) is dotted. */
export function TrendChart({ labels, series, max, unit }: { labels: string[]; series: Series[]; max: number; unit: string }) {
  const width = 640;
  const height = 220;
  const pad = { left: 40, right: 16, top: 16, bottom: 28 };
  const w = width - pad.left - pad.right;
  const h = height - pad.top - pad.bottom;
  const x = (k: number) => pad.left + (labels.length === 1 ? w / 2 : (w * k) / (labels.length - 1));
  const y = (v: number) => pad.top + h - (h * Math.max(0, Math.min(max, v))) / max;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(max * f * 10) / 10);
  const live = labels.length - 1; // the last position is the live point
  return (
    <svg viewBox={`0 0 ${width} ${height}`} width="100%" style={{ maxWidth: width, display: 'block' }} role="img">
      <title>跨周期趋势图</title>
      {ticks.map((t) => (
        <g key={t}>
          <line x1={pad.left} x2={width - pad.right} y1={y(t)} y2={y(t)} stroke="#f0f0f0" />
          <text x={pad.left - 6} y={y(t)} fontSize={10} textAnchor="end" dominantBaseline="middle" fill="#8c8c8c">
            {t}
          </text>
        </g>
      ))}
      {labels.map((l, k) => (
        <text key={l} x={x(k)} y={height - 8} fontSize={11} textAnchor="middle" fill={k === live ? '#1677ff' : '#595959'}>
          {l}
        </text>
      ))}
      {series.map((s) => {
        const pts = s.values.map((v, k) => (v === null ? null : ([x(k), y(v), k] as const))).filter((p) => p !== null);
        const periods = pts.filter((p) => p[2] !== live);
        const last = periods[periods.length - 1];
        const nowPt = pts.find((p) => p[2] === live);
        return (
          <g key={s.name} data-series={s.name}>
            {periods.length > 1 && (
              <polyline
                points={periods.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ')}
                fill="none"
                stroke={s.color}
                strokeWidth={2}
                strokeDasharray={s.dashed ? '6 4' : undefined}
              />
            )}
            {last && nowPt && (
              <line x1={last[0]} y1={last[1]} x2={nowPt[0]} y2={nowPt[1]} stroke={s.color} strokeWidth={1.5} strokeDasharray="2 4" />
            )}
            {pts.map(([px, py, k]) => (
              <circle
                key={k}
                cx={px}
                cy={py}
                r={k === live ? 5 : 4}
                fill={s.hollow?.[k] || k === live ? '#fff' : s.color}
                stroke={s.color}
                strokeWidth={2}
              >
                <title>{`${labels[k]} · ${s.name}：${s.values[k]}${unit}`}</title>
              </circle>
            ))}
          </g>
        );
      })}
    </svg>
  );
}

function Legend({ items }: { items: { label: string; color: string; dashed?: boolean; hollow?: boolean }[] }) {
  return (
    <div className="small-text" style={{ display: 'flex', gap: 16, flexWrap: 'wrap', margin: '4px 0 8px' }}>
      {items.map((i) => (
        <span key={i.label} style={{ display: 'inline-flex', alignItems: 'center', gap: 4 }}>
          <svg width={28} height={10} aria-hidden>
            {i.hollow ? (
              <circle cx={14} cy={5} r={4} fill="#fff" stroke={i.color} strokeWidth={2} />
            ) : (
              <line x1={0} x2={28} y1={5} y2={5} stroke={i.color} strokeWidth={2} strokeDasharray={i.dashed ? '6 4' : undefined} />
            )}
          </svg>
          {i.label}
        </span>
      ))}
    </div>
  );
}

const niceMax = (values: (number | null)[], stars: boolean) => {
  if (!stars) return 100;
  const top = Math.max(10, ...values.filter((v): v is number => v !== null));
  return Math.ceil(top / 5) * 5;
};

function RegionTrend({ trend }: { trend: Trend }) {
  const stars = trend.rule === 'beijing-stars';
  const unit = stars ? ' 项' : ' 分';
  const labels = [...trend.periods.map((p) => p.period), NOW];
  const mean = [...trend.periods.map((p) => p.mean), trend.now.mean];
  const median = [...trend.periods.map((p) => p.median), trend.now.median];
  const figure = (v: number | null) => (v === null ? '—' : stars ? v : v.toFixed(2));
  const columns: TableColumnsType<TrendPeriod & { live?: boolean }> = [
    { title: '周期', dataIndex: 'period', width: 90, render: (p: string, r) => (r.live ? <Tag color="blue">{NOW}</Tag> : p) },
    { title: '参评社区', dataIndex: 'assessed', width: 90, align: 'right' },
    { title: stars ? '平均达标项' : '平均分', dataIndex: 'mean', width: 100, align: 'right', render: figure },
    { title: '中位数', dataIndex: 'median', width: 90, align: 'right', render: figure },
    {
      title: stars ? '星级分布' : '分数分布',
      key: 'distribution',
      render: (_, r) =>
        r.distribution
          .filter((d) => d.count > 0)
          .map((d) => (
            <Tag key={d.label}>
              {d.label}：{d.count}
            </Tag>
          )),
    },
    {
      title: '依据',
      key: 'basis',
      render: (_, r) =>
        r.live ? (
          <Typography.Text type="secondary">当前数据实时计算（辖区全部社区）</Typography.Text>
        ) : (
          <span className="small-text">
            锁定 {r.locked} · 自评 {r.selfAssessed}
            {r.drafts > 0 && <Typography.Text type="secondary">（另有 {r.drafts} 个自评未提交，不计）</Typography.Text>}
          </span>
        ),
    },
  ];
  const rows = [
    ...trend.periods,
    { period: NOW, ...trend.now, locked: 0, selfAssessed: 0, drafts: 0, live: true } as TrendPeriod & { live?: boolean },
  ];
  return (
    <>
      <Legend
        items={[
          { label: stars ? '平均达标项' : '平均分', color: '#1677ff' },
          { label: '中位数', color: '#fa8c16', dashed: true },
        ]}
      />
      <TrendChart
        labels={labels}
        max={niceMax([...mean, ...median], stars)}
        unit={unit}
        series={[
          { name: stars ? '平均达标项' : '平均分', color: '#1677ff', values: mean },
          { name: '中位数', color: '#fa8c16', dashed: true, values: median },
        ]}
      />
      <Table rowKey="period" size="small" columns={columns} dataSource={rows} pagination={false} style={{ marginTop: 8 }} />
    </>
  );
}

function CommunityTrend({ trend }: { trend: Trend }) {
  const c = trend.community!;
  const stars = trend.rule === 'beijing-stars';
  const unit = stars ? ' 项' : ' 分';
  const labels = [...c.points.map((p) => p.period), NOW];
  const values = [...c.points.map((p) => p.total), c.now.total];
  const columns: TableColumnsType<TrendPoint> = [
    { title: '周期', dataIndex: 'period', width: 90, render: (p: string) => (p === NOW ? <Tag color="blue">{NOW}</Tag> : p) },
    {
      title: stars ? '达标指标' : '总分',
      dataIndex: 'total',
      width: 90,
      align: 'right',
      render: (v: number) => (stars ? `${v} 项` : v.toFixed(2)),
    },
    ...(stars
      ? [
          {
            title: '星级',
            dataIndex: 'stars',
            width: 140,
            render: (s: number | undefined) => <Rate disabled count={5} value={s ?? 0} style={{ fontSize: 12 }} />,
          },
        ]
      : []),
    {
      title: '依据',
      dataIndex: 'basisLabel',
      render: (l: string, p) => <Tag color={p.basis === 'locked' ? 'green' : p.basis === 'submitted' ? 'gold' : 'default'}>{l}</Tag>,
    },
  ];
  const rows: TrendPoint[] = [
    ...c.points,
    {
      assessmentId: 'now',
      period: NOW,
      status: '',
      basis: 'now',
      basisLabel: '当前数据实时计算',
      total: c.now.total,
      ...(c.now.stars !== undefined ? { stars: c.now.stars } : {}),
    },
  ];
  return (
    <>
      <Legend
        items={[
          { label: '锁定结果', color: '#52c41a' },
          { label: '自评（未锁定）', color: '#52c41a', hollow: true },
        ]}
      />
      <TrendChart
        labels={labels}
        max={niceMax(values, stars)}
        unit={unit}
        series={[
          {
            name: stars ? '达标指标' : '总分',
            color: '#52c41a',
            values,
            hollow: [...c.points.map((p) => p.basis !== 'locked'), true],
          },
        ]}
      />
      <Table rowKey="assessmentId" size="small" columns={columns} dataSource={rows} pagination={false} style={{ marginTop: 8 }} />
    </>
  );
}

/** Loads and shows the trend of a region (or of a community: its own totals) for a framework. */
export function TrendPanel({ framework, regionId, version }: { framework: string; regionId: string | null; version: number }) {
  const key = JSON.stringify([framework, regionId, version]);
  const [state, setState] = useState<{ key: string; data: Trend | null; error: string | null } | null>(null);
  useEffect(() => {
    const ctrl = new AbortController();
    evaluationApi
      .trend(framework, regionId, ctrl.signal)
      .then((data) => setState({ key, data, error: null }))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setState({ key, data: null, error: errorText(err) });
      });
    return () => ctrl.abort();
  }, [key, framework, regionId]);
  const current = state?.key === key ? state : null;
  if (!current)
    return (
      <div className="center-pad">
        <Spin />
      </div>
    );
  if (current.error !== null) return <Alert type="error" showIcon title="趋势加载失败" description={current.error} />;
  const t = current.data!;
  const empty = t.community ? t.community.points.length === 0 : t.periods.length === 0;
  return (
    <div data-testid="evaluation-trend" data-periods={t.periods.length}>
      {empty && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="尚无评估周期，仅显示当前数据" style={{ margin: '8px 0' }} />}
      {t.community ? <CommunityTrend trend={t} /> : <RegionTrend trend={t} />}
      <Typography.Text type="secondary" className="small-text">
        周期得分取锁定结果，未锁定的取提交时的自评结果 · 当前点计算于 {formatTime(t.now.computedAt)}
      </Typography.Text>
    </div>
  );
}
