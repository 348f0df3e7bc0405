// 打印区域报告 (issue 4 §8): a print-friendly report of a street's, district's or city's communities
// under one framework — cover, totals and distribution, radar of the mean achievement per level-1
// group, the ranking, and every indicator with its mean achievement and how many communities reach
// it. Same print rules as the community report (styles.css .print-report); 导出 Excel is the roll-up
// workbook from the server.
import { evaluationApi } from '../../api/evaluation';
import type { Rollup } from '../../api/types';
import { formatTime, todayInZone } from '../../lib/time';
import { Radar } from './Radar';
import { ExportXlsxButton, PrintPreview } from './ReportModal';

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

/** Mean achievement per group, and per indicator with the number of communities achieving it fully. */
function regionFigures(rollup: Rollup) {
  const n = rollup.communities.length;
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
  const groups = rollup.groups.map((g) => ({
    ...g,
    achievement: mean(rollup.communities.map((c) => c.groups.find((x) => x.code === g.code)?.achievement ?? 0)),
  }));
  const indicators = rollup.indicators.map((i) => ({
    ...i,
    groupName: rollup.groups.find((g) => g.code === i.group)?.name ?? i.group,
    mean: mean(rollup.communities.map((c) => c.indicators[i.code] ?? 0)),
    full: rollup.communities.filter((c) => (c.indicators[i.code] ?? 0) >= 1).length,
    of: n,
  }));
  return { groups, indicators };
}

export function RegionReportModal({
  open,
  onClose,
  rollup,
  regionId,
  title,
}: {
  open: boolean;
  onClose: () => void;
  rollup: Rollup;
  regionId: string | null;
  title: string;
}) {
  const stars = rollup.rule === 'beijing-stars';
  const { groups, indicators } = regionFigures(rollup);
  const ranked = [...rollup.communities].sort((a, b) => a.rank - b.rank);
  const name = rollup.region.name;
  return (
    <PrintPreview
      open={open}
      onClose={onClose}
      title="区域评价报告预览"
      printTestId="region-report-print"
      extra={
        <ExportXlsxButton
          fetch={() => evaluationApi.rollupXlsx(rollup.framework, regionId)}
          fallbackName={`${name}社区评价汇总.xlsx`}
          testId="rollup-export"
        />
      }
    >
      <div className="print-report" data-testid="region-report">
        <section className="report-cover">
          <h1>{name} 智慧社区评价汇总报告</h1>
          <p className="report-framework">
            {rollup.framework}
            {title && title !== rollup.framework ? ` ${title}` : ''}
          </p>
          <p>版本 {rollup.version}</p>
          <p>报告日期 {todayInZone()}</p>
          <div className="report-total" data-testid="region-report-summary">
            {rollup.summary.count} 个社区 ·{' '}
            {stars ? `平均达标 ${rollup.summary.average} 项` : `平均分 ${rollup.summary.average.toFixed(2)}`}
            {' · '}最高 {rollup.summary.best} · 最低 {rollup.summary.worst}
          </div>
          <p>{rollup.summary.distribution.map((d) => `${d.label}：${d.count}`).join('　')}</p>
          <p className="small-text">数据计算于 {formatTime(rollup.computedAt)}（各社区按当前数据计算）</p>
        </section>
        <section className="report-section">
          <h2>各维度平均达成度</h2>
          <div className="report-radar">
            <Radar groups={groups} />
            <table className="report-table">
              <thead>
                <tr>
                  <th>维度</th>
                  <th>平均达成度</th>
                  {!stars && <th>权重</th>}
                </tr>
              </thead>
              <tbody>
                {groups.map((g) => (
                  <tr key={g.code}>
                    <td>{g.name}</td>
                    <td>{pct(g.achievement)}</td>
                    {!stars && <td>{g.weight ?? '—'}</td>}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
        <section className="report-section">
          <h2>社区排名</h2>
          <table className="report-table" data-testid="region-report-ranking">
            <thead>
              <tr>
                <th>排名</th>
                <th>社区</th>
                <th>街道</th>
                <th>{stars ? '达标指标' : '总分'}</th>
                {stars && <th>星级</th>}
              </tr>
            </thead>
            <tbody>
              {ranked.map((c) => (
                <tr key={c.id}>
                  <td>{c.rank}</td>
                  <td>{c.name}</td>
                  <td>{c.street || '—'}</td>
                  <td>{stars ? `${c.total} 项` : c.total.toFixed(2)}</td>
                  {stars && <td>{'★'.repeat(c.stars ?? 0) || '—'}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section className="report-section">
          <h2>逐项指标</h2>
          <table className="report-table report-indicators" data-testid="region-report-indicators">
            <thead>
              <tr>
                <th>指标</th>
                <th>名称</th>
                <th>维度</th>
                <th>平均达成度</th>
                <th>完全达到的社区</th>
              </tr>
            </thead>
            <tbody>
              {indicators.map((i) => (
                <tr key={i.code}>
                  <td className="mono">{i.code}</td>
                  <td>{i.name}</td>
                  <td>{i.groupName}</td>
                  <td>{pct(i.mean)}</td>
                  <td>
                    {i.full} / {i.of}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
    </PrintPreview>
  );
}
