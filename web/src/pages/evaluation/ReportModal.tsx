// 打印报告: a full-screen, print-friendly view of a community's scorecard — cover, radar, and every
// indicator with its criteria, values, whether met, source, evidence and reviewer. The review comes
// from the community's latest assessment under the framework: when that is locked, the report prints
// its locked result, otherwise the live scorecard with the review so far. 打印 calls window.print();
// the @media print rules in styles.css hide the console around it. Also 导出 Excel (with the token).
import { DownloadOutlined, PrinterOutlined } from '@ant-design/icons';
import { App, Button, Modal, Space } from 'antd';
import { useEffect, useState, type ReactNode } from 'react';
import { errorText, saveBlob, type Download } from '../../api/client';
import { evaluationApi } from '../../api/evaluation';
import type { Assessment, CriterionState, FrameworkSummary, IndicatorReview, Scorecard } from '../../api/types';
import { formatTime, todayInZone } from '../../lib/time';
import { Radar } from './Radar';

function valueText(c: CriterionState): string {
  if (c.value === null) return '—';
  if (c.kind === 'boolean') return c.value >= 1 ? '是' : '否';
  return `${c.value}${c.unit ?? ''}`;
}

function standardText(c: CriterionState): string {
  if (c.kind === 'boolean' || c.threshold === null) return '达到';
  return `${c.direction ?? ''}${c.threshold}${c.unit ?? ''}`;
}

function sourceText(c: CriterionState): string {
  const p = c.provenance;
  if (!p) return '未填报';
  if (p.kind === 'measure') return `平台数据：${p.title}（${p.method}；记录数 ${p.records}）`;
  return `填报第 ${p.version} 版：${p.source}，数据日期 ${p.referenceDate}，质量 ${p.quality}${p.enteredBy ? `，${p.enteredBy}` : ''}`;
}

function evidenceText(c: CriterionState): string {
  const p = c.provenance;
  if (!p || p.kind !== 'entered' || p.evidence.length === 0) return '—';
  return p.evidence.map((e) => `${e.title}${e.reference ? `（${e.reference}）` : ''}`).join('；');
}

/** 导出 Excel: a workbook fetched with the bearer token like the residents export. */
export function ExportXlsxButton({
  fetch,
  fallbackName,
  testId,
}: {
  fetch: () => Promise<Download>;
  fallbackName: string;
  testId: string;
}) {
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try {
      const { blob, filename } = await fetch();
      const file = filename ?? fallbackName;
      saveBlob(blob, file);
      message.success(`已导出 ${file}`);
    } catch (err) {
      message.error(`导出失败：${errorText(err)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button icon={<DownloadOutlined />} loading={busy} onClick={() => void run()} data-testid={testId}>
      导出 Excel
    </Button>
  );
}

/** The scorecard workbook (cover, dimensions, every criterion with source and evidence). */
export function ScorecardExportButton({ communityId, framework, name }: { communityId: string; framework: string; name: string }) {
  return (
    <ExportXlsxButton
      fetch={() => evaluationApi.scorecardXlsx(communityId, framework)}
      fallbackName={`${name || '社区'}评分卡.xlsx`}
      testId="scorecard-export"
    />
  );
}

/**
 * The full-screen preview every printed report opens in: 打印 (window.print(); the @media print rules
 * in styles.css hide the console around `.print-report`) and the report's export beside it.
 */
export function PrintPreview({
  open,
  onClose,
  title,
  printTestId,
  extra,
  children,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  printTestId: string;
  extra: ReactNode;
  children: ReactNode;
}) {
  return (
    <Modal
      open={open}
      onCancel={onClose}
      footer={null}
      width="100%"
      style={{ top: 0, maxWidth: '100vw', paddingBottom: 0 }}
      rootClassName="print-report-root"
      title={
        <Space className="print-hide">
          <span>{title}</span>
          <Button type="primary" icon={<PrinterOutlined />} onClick={() => window.print()} data-testid={printTestId}>
            打印
          </Button>
          {extra}
        </Space>
      }
      destroyOnHidden
    >
      {children}
    </Modal>
  );
}

const REVIEW_STATE: Record<string, string> = { pending: '待审核', accepted: '通过', returned: '退回', reopened: '数据变更后重开' };

function reviewText(r: IndicatorReview | undefined): string {
  if (!r || r.state === 'pending') return '审核：待审核';
  const who = r.reviewer ? `${r.reviewer}${r.reviewerKindLabel ? `（${r.reviewerKindLabel}）` : ''}` : '';
  const when = r.reviewedAt ? ` ${formatTime(r.reviewedAt)}` : '';
  const why = r.state === 'returned' && r.reason ? `：${r.reason}` : '';
  return `审核：${REVIEW_STATE[r.state] ?? r.state}${why}${who ? ` · ${who}` : ''}${when}`;
}

/** The community's latest assessment under the framework (most recent period), with its reviews. */
function useLatestAssessment(open: boolean, communityId: string, framework: string) {
  const [found, setFound] = useState<{ key: string; assessment: Assessment | null } | null>(null);
  const key = `${communityId}|${framework}`;
  useEffect(() => {
    if (!open) return;
    const ctrl = new AbortController();
    evaluationApi
      .assessments(communityId, ctrl.signal)
      .then(async (list) => {
        const latest = list.filter((a) => a.framework === framework).sort((a, b) => b.period.localeCompare(a.period, 'zh-CN'))[0];
        const assessment = latest ? await evaluationApi.assessment(latest.id, ctrl.signal) : null;
        if (!ctrl.signal.aborted) setFound({ key, assessment });
      })
      .catch(() => {
        // Without the review the report still prints the scorecard; the cover says so.
        if (!ctrl.signal.aborted) setFound({ key, assessment: null });
      });
    return () => ctrl.abort();
  }, [open, communityId, framework, key]);
  return found?.key === key ? found : null;
}

const STATUS_TEXT: Record<string, string> = { draft: '自评草稿', submitted: '已提交，审核中', locked: '已锁定' };

export function ReportModal({
  open,
  onClose,
  card: live,
  communityName,
  summary,
}: {
  open: boolean;
  onClose: () => void;
  card: Scorecard;
  communityName: string;
  summary: FrameworkSummary | undefined;
}) {
  const latest = useLatestAssessment(open, live.communityId, live.framework);
  const assessment = latest?.assessment ?? null;
  const card = assessment?.status === 'locked' ? assessment.scorecard : live;
  const reviews = new Map((assessment?.reviews ?? []).map((r) => [r.indicator, r]));
  const stars = card.rule === 'beijing-stars';
  return (
    <PrintPreview
      open={open}
      onClose={onClose}
      title="评价报告预览"
      printTestId="report-print"
      extra={<ScorecardExportButton communityId={card.communityId} framework={card.framework} name={communityName} />}
    >
      <div className="print-report" data-testid="print-report">
        <section className="report-cover">
          <h1>{communityName} 智慧社区评价报告</h1>
          <p className="report-framework">
            {card.framework}
            {summary && summary.title !== summary.code ? ` ${summary.title}` : ''}
          </p>
          <p>版本 {card.version}</p>
          <p>报告日期 {todayInZone()}</p>
          <div className="report-total" data-testid="report-total">
            {stars
              ? `达标指标 ${card.total} / ${card.indicators.length} 项 · ${card.stars ?? 0} 星`
              : `总分 ${card.total.toFixed(2)} / 100`}
          </div>
          <p className="small-text">数据计算于 {formatTime(card.computedAt)}</p>
          <p data-testid="report-assessment">
            {!latest
              ? '评估审核：读取中…'
              : assessment
                ? `评估期 ${assessment.period} · ${STATUS_TEXT[assessment.status] ?? assessment.status}${
                    assessment.status === 'locked'
                      ? `（${assessment.lockedBy ?? ''} 锁定于 ${assessment.lockedAt ? formatTime(assessment.lockedAt) : ''}，本报告为锁定结果）`
                      : '（本报告按当前数据计算）'
                  }`
                : '尚无评估审核记录（本报告按当前数据计算）'}
          </p>
        </section>
        <section className="report-section">
          <h2>各维度达成度</h2>
          <div className="report-radar">
            <Radar groups={card.groups} />
            <table className="report-table">
              <thead>
                <tr>
                  <th>维度</th>
                  <th>达成度</th>
                  {!stars && <th>权重</th>}
                </tr>
              </thead>
              <tbody>
                {card.groups.map((g) => (
                  <tr key={g.code}>
                    <td>{g.name}</td>
                    <td>{Math.round(g.achievement * 1000) / 10}%</td>
                    {!stars && <td>{g.weight ?? '—'}</td>}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
        <section className="report-section">
          <h2>逐项指标</h2>
          <table className="report-table report-indicators">
            <thead>
              <tr>
                <th>指标 / 考核项</th>
                <th>内容</th>
                <th>标准</th>
                <th>当前值</th>
                <th>是否达到</th>
                <th>数据来源</th>
                <th>佐证材料</th>
              </tr>
            </thead>
            <tbody>
              {card.indicators.flatMap((i) => [
                <tr key={i.code} className="report-indicator-row">
                  <td className="mono">{i.code}</td>
                  <td colSpan={3}>
                    <strong>{i.name}</strong>（{i.group.name}）
                  </td>
                  <td colSpan={3}>
                    达成度 {Math.round(i.achievement * 1000) / 10}%
                    {stars ? (i.score === 1 ? ' · 达标' : ' · 未达标') : ` · 得分 ${i.score}`}
                    {!stars && i.weight !== null ? ` / ${i.weight}` : ''}
                    {assessment && (
                      <div className="small-text" data-testid="report-review">
                        {reviewText(reviews.get(i.code))}
                      </div>
                    )}
                  </td>
                </tr>,
                ...i.criteria.map((c) => (
                  <tr key={`${i.code}/${c.code}`}>
                    <td className="mono">{c.code}</td>
                    <td>{c.text}</td>
                    <td>{standardText(c)}</td>
                    <td>{valueText(c)}</td>
                    <td>{c.met ? '达到' : '未达到'}</td>
                    <td>{sourceText(c)}</td>
                    <td>{evidenceText(c)}</td>
                  </tr>
                )),
              ])}
            </tbody>
          </table>
        </section>
      </div>
    </PrintPreview>
  );
}
