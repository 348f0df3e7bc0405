// 社区评价: a community's live scorecard under an evaluation framework (山东 DB37/T 3890.3 加权得分 or
// 北京星级), with where every criterion's value comes from (平台数据 computed live, or 填报 with
// evidence), the gap to the next level, and the roll-up of all communities under the selected region.
// echarts is not a dependency of the console: the radar is a small SVG drawing plus a progress list,
// and the heat map is a coloured table.
import { EditOutlined, MinusCircleOutlined, PlusOutlined, PrinterOutlined, ReloadOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  DatePicker,
  Descriptions,
  Empty,
  Form,
  Input,
  InputNumber,
  List,
  Progress,
  Radio,
  Rate,
  Row,
  Select,
  Space,
  Spin,
  Statistic,
  Table,
  Tabs,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import type { TableColumnsType } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { errorText } from '../api/client';
import { evaluationApi } from '../api/evaluation';
import type {
  CriterionState,
  FrameworkSummary,
  GapAnalysis,
  IndicatorScore,
  Rollup,
  RollupCommunity,
  Scorecard,
  ValueQuality,
} from '../api/types';
import { useAuth } from '../auth/context';
import { FormModal } from '../components/FormModal';
import { formatTime, todayInZone } from '../lib/time';
import { useRegions } from '../regions/context';
import { AssessmentsPanel } from './evaluation/AssessmentsPanel';
import { SurveyPanel } from './evaluation/SurveyPanel';
import { FrameworkBrowser } from './evaluation/FrameworkBrowser';
import { Radar } from './evaluation/Radar';
import { TrendPanel } from './evaluation/TrendPanel';
import { RegionReportModal } from './evaluation/RegionReport';
import { ReportModal, ScorecardExportButton } from './evaluation/ReportModal';
import { selectedCommunity } from './registry/shared';

type Tab = 'scorecard' | 'assessments' | 'surveys' | 'rollup' | 'framework';

const DEFAULT_FRAMEWORK = 'DB37/T 3890.3-2020';
const FRAMEWORK_KEY = 'jiayuan.evaluationFramework';

const QUALITY: Record<ValueQuality, string> = {
  A: 'A 官方统计或现场核验',
  B: 'B 系统导出',
  C: 'C 抽样调查',
  D: 'D 估计',
};

type Loaded<T> = { key: string; data: T; error: null } | { key: string; data: null; error: string };

function storedFramework(): string | null {
  try {
    return sessionStorage.getItem(FRAMEWORK_KEY);
  } catch {
    return null;
  }
}

function pct(a: number): string {
  return `${Math.round(a * 1000) / 10}%`;
}

function isStars(rule: string | undefined): boolean {
  return rule === 'beijing-stars';
}

function valueText(c: CriterionState): string {
  if (c.value === null) return '—';
  if (c.kind === 'boolean') return c.value >= 1 ? '是' : '否';
  return `${c.value}${c.unit ?? ''}`;
}

function thresholdText(c: CriterionState): string | null {
  if (c.kind === 'boolean' || c.threshold === null) return null;
  return `${c.direction ?? ''}${c.threshold}${c.unit ?? ''}`;
}

/** A colour from red (0) through amber to green (1) for the heat map. */
function heatColor(a: number): string {
  const hue = Math.round(Math.max(0, Math.min(1, a)) * 120);
  return `hsl(${hue}, 65%, ${a >= 1 ? 80 : 86}%)`;
}

// ---------------------------------------------------------------------------------------------
// Provenance of one criterion's value
// ---------------------------------------------------------------------------------------------

function ProvenanceView({ c }: { c: CriterionState }) {
  const p = c.provenance;
  if (!p)
    return (
      <Tag color="default" data-provenance="none">
        未填报
      </Tag>
    );
  if (p.kind === 'measure') {
    return (
      <div data-provenance="measure">
        <Space size={4} wrap>
          <Tag color="blue">平台数据</Tag>
          <Typography.Text strong>{p.title}</Typography.Text>
        </Space>
        <div className="small-text">
          <Typography.Text type="secondary">口径：{p.method}</Typography.Text>
        </div>
        <div className="small-text">
          <Typography.Text type="secondary">
            记录数 {p.records}
            {p.numerator !== null && p.denominator !== null ? `（${p.numerator} / ${p.denominator}）` : ''} · 计算于{' '}
            {formatTime(p.computedAt)}
          </Typography.Text>
        </div>
      </div>
    );
  }
  return (
    <div data-provenance="entered">
      <Space size={4} wrap>
        <Tag color="purple">填报</Tag>
        <span>第 {p.version} 版</span>
        <Tooltip title={QUALITY[p.quality as ValueQuality] ?? p.quality}>
          <Tag>质量 {p.quality}</Tag>
        </Tooltip>
      </Space>
      <div className="small-text">
        <Typography.Text type="secondary">
          来源：{p.source} · 数据日期 {p.referenceDate} · {p.enteredBy ?? '—'} 填报于 {formatTime(p.enteredAt, 'YYYY-MM-DD HH:mm')}
        </Typography.Text>
      </div>
      {p.evidence.length > 0 && (
        <div className="small-text">
          <Typography.Text type="secondary">佐证：</Typography.Text>
          {p.evidence.map((e, k) => (
            <span key={k}>
              {k > 0 && '、'}
              {e.url ? (
                <a href={e.url} target="_blank" rel="noreferrer">
                  {e.title}
                </a>
              ) : (
                e.title
              )}
              {e.reference ? `（${e.reference}）` : ''}
            </span>
          ))}
        </div>
      )}
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// 填报 form
// ---------------------------------------------------------------------------------------------

interface ValueTarget {
  communityId: string;
  framework: string;
  criterion: CriterionState;
}

interface ValueFormValues {
  value: number;
  source: string;
  referenceDate: Dayjs;
  quality: ValueQuality;
  evidence: { title?: string; url?: string; reference?: string }[];
  note?: string;
}

const VALUE_FIELDS = ['value', 'source', 'referenceDate', 'quality', 'evidence', 'note'] as const;

function ValueFormModal({ target, onClose, onSaved }: { target: ValueTarget | null; onClose: () => void; onSaved: () => void }) {
  const [form] = Form.useForm<ValueFormValues>();
  const { message } = App.useApp();
  const c = target?.criterion;
  const today = todayInZone();

  const submit = async (v: ValueFormValues) => {
    if (!target) return;
    const evidence = (v.evidence ?? [])
      .filter((e) => e.title?.trim())
      .map((e) => ({
        title: e.title!.trim(),
        ...(e.url?.trim() ? { url: e.url.trim() } : {}),
        ...(e.reference?.trim() ? { reference: e.reference.trim() } : {}),
      }));
    await evaluationApi.enterValue({
      communityId: target.communityId,
      framework: target.framework,
      criterion: target.criterion.code,
      value: Number(v.value),
      source: v.source.trim(),
      referenceDate: v.referenceDate.format('YYYY-MM-DD'),
      quality: v.quality,
      evidence,
      ...(v.note?.trim() ? { note: v.note.trim() } : {}),
    });
    message.success(`已填报 ${target.criterion.code}`);
    onSaved();
  };

  return (
    <FormModal<ValueFormValues>
      title={c ? `填报 ${c.code}` : '填报'}
      open={target !== null}
      onClose={onClose}
      form={form}
      fields={VALUE_FIELDS}
      onSubmit={submit}
      width={600}
      testId="value-form"
      okText="提交填报"
      initialValues={{
        ...(c?.kind === 'boolean' ? { value: 1 } : {}),
        referenceDate: dayjs(today),
        quality: 'B',
        evidence: [{ title: '' }],
      }}
    >
      {c && (
        <Alert
          type="info"
          showIcon
          className="form-alert"
          title={c.text}
          description={
            <Space size={4} wrap>
              <span>条款 {c.clause}</span>
              {thresholdText(c) && <span>· 标准 {thresholdText(c)}</span>}
            </Space>
          }
        />
      )}
      <Form.Item
        name="value"
        label={c?.kind === 'boolean' ? '是否达到' : c?.kind === 'ratio' ? '比例（%）' : `数值${c?.unit ? `（${c.unit}）` : ''}`}
        rules={[{ required: true, message: '请填写数值' }]}
      >
        {c?.kind === 'boolean' ? (
          <Radio.Group
            options={[
              { value: 1, label: '达到' },
              { value: 0, label: '未达到' },
            ]}
            data-testid="value-boolean"
          />
        ) : (
          <InputNumber min={0} {...(c?.kind === 'ratio' ? { max: 100 } : {})} className="full-width" data-testid="value-number" />
        )}
      </Form.Item>
      <Form.Item name="source" label="数据来源" rules={[{ required: true, whitespace: true, message: '请填写数据来源' }, { max: 200 }]}>
        <Input placeholder="如：街道办核查记录、运营商证明" data-testid="value-source" />
      </Form.Item>
      <Row gutter={12}>
        <Col span={12}>
          <Form.Item name="referenceDate" label="数据日期" rules={[{ required: true, message: '请选择数据日期' }]}>
            <DatePicker className="full-width" disabledDate={(d) => d.format('YYYY-MM-DD') > today} data-testid="value-date" />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="quality" label="数据质量" rules={[{ required: true, message: '请选择数据质量' }]}>
            <Select
              options={(Object.keys(QUALITY) as ValueQuality[]).map((q) => ({ value: q, label: QUALITY[q] }))}
              data-testid="value-quality"
            />
          </Form.Item>
        </Col>
      </Row>
      <Form.List
        name="evidence"
        rules={[
          {
            validator: async (_, items?: { title?: string }[]) => {
              if (!items?.some((e) => e.title?.trim())) throw new Error('至少填写一项佐证材料');
            },
          },
        ]}
      >
        {(rows, { add, remove }, { errors }) => (
          <Form.Item label="佐证材料" required>
            {rows.map((row, k) => (
              <Space key={row.key} align="baseline" className="full-width" wrap>
                <Form.Item name={[row.name, 'title']} rules={[{ max: 200 }]} noStyle>
                  <Input placeholder="材料名称" style={{ width: 200 }} data-testid={`evidence-title-${k}`} />
                </Form.Item>
                <Form.Item name={[row.name, 'reference']} rules={[{ max: 200 }]} noStyle>
                  <Input placeholder="文号 / 档案编号（可选）" style={{ width: 150 }} />
                </Form.Item>
                <Form.Item name={[row.name, 'url']} rules={[{ pattern: /^https?:\/\//, message: '链接应以 http(s):// 开头' }]} noStyle>
                  <Input placeholder="链接（可选）" style={{ width: 150 }} />
                </Form.Item>
                {rows.length > 1 && <MinusCircleOutlined onClick={() => remove(row.name)} aria-label="删除佐证" />}
              </Space>
            ))}
            <Button type="dashed" size="small" icon={<PlusOutlined />} onClick={() => add({ title: '' })} style={{ marginTop: 8 }}>
              添加佐证
            </Button>
            <Form.ErrorList errors={errors} />
          </Form.Item>
        )}
      </Form.List>
      <Form.Item name="note" label="备注" rules={[{ max: 1000 }]}>
        <Input.TextArea rows={2} />
      </Form.Item>
    </FormModal>
  );
}

// ---------------------------------------------------------------------------------------------
// Scorecard tab
// ---------------------------------------------------------------------------------------------

function ScorecardView({
  card,
  gap,
  gapError,
  writable,
  onEnter,
  onReport,
  communityName,
}: {
  card: Scorecard;
  gap: GapAnalysis | null;
  gapError: string | null;
  writable: boolean;
  onEnter: (c: CriterionState) => void;
  onReport: () => void;
  communityName: string;
}) {
  const stars = isStars(card.rule);
  const counts = card.indicators.flatMap((i) => i.criteria);
  const measured = counts.filter((c) => c.provenance?.kind === 'measure').length;
  const entered = counts.filter((c) => c.provenance?.kind === 'entered').length;
  const met = counts.filter((c) => c.met).length;

  const criterionColumns: TableColumnsType<CriterionState> = [
    { title: '考核项', dataIndex: 'code', width: 80, render: (code: string) => <span className="mono nowrap">{code}</span> },
    {
      title: '内容',
      dataIndex: 'text',
      render: (text: string, c) => (
        <div>
          <div>{text}</div>
          <Typography.Text type="secondary" className="small-text">
            条款 {c.clause}
            {thresholdText(c) ? ` · 标准 ${thresholdText(c)}` : ''}
          </Typography.Text>
        </div>
      ),
    },
    { title: '当前值', key: 'value', width: 90, render: (_, c) => <span className="nowrap">{valueText(c)}</span> },
    {
      title: '是否达到',
      dataIndex: 'met',
      width: 90,
      render: (m: boolean) => (
        <Tag color={m ? 'success' : 'error'} data-met={m ? 'yes' : 'no'}>
          {m ? '达到' : '未达到'}
        </Tag>
      ),
    },
    { title: '数据来源', key: 'provenance', width: 360, render: (_, c) => <ProvenanceView c={c} /> },
    ...(writable
      ? [
          {
            title: '操作',
            key: 'actions',
            width: 80,
            render: (_: unknown, c: CriterionState) =>
              c.provenance?.kind === 'measure' ? (
                <Tooltip title="由平台数据自动计算，无需填报">
                  <Typography.Text type="secondary" className="small-text">
                    自动计算
                  </Typography.Text>
                </Tooltip>
              ) : (
                <Button size="small" type="link" icon={<EditOutlined />} onClick={() => onEnter(c)} data-testid={`enter-${c.code}`}>
                  填报
                </Button>
              ),
          },
        ]
      : []),
  ];

  const indicatorColumns: TableColumnsType<IndicatorScore> = [
    { title: '指标', dataIndex: 'code', width: 80, render: (code: string) => <span className="mono nowrap">{code}</span> },
    {
      title: '名称',
      dataIndex: 'name',
      render: (name: string, i) => (
        <div>
          <span className="strong-text">{name}</span>
          <div>
            <Typography.Text type="secondary" className="small-text">
              {i.group.name}
            </Typography.Text>
          </div>
        </div>
      ),
    },
    ...(stars ? [] : [{ title: '权重', dataIndex: 'weight', width: 70, align: 'right' as const, render: (w: number | null) => w ?? '—' }]),
    {
      title: '达成度',
      dataIndex: 'achievement',
      width: 160,
      render: (a: number) => <Progress percent={Math.round(a * 1000) / 10} size="small" status={a >= 1 ? 'success' : 'normal'} />,
    },
    {
      title: stars ? '是否达标' : '得分',
      dataIndex: 'score',
      width: 90,
      align: 'right',
      render: (s: number) => (stars ? <Tag color={s === 1 ? 'success' : 'default'}>{s === 1 ? '达标' : '未达标'}</Tag> : s),
    },
    {
      title: '数据来源',
      key: 'sources',
      width: 200,
      render: (_, i) => {
        const m = i.criteria.filter((c) => c.provenance?.kind === 'measure').length;
        const e = i.criteria.filter((c) => c.provenance?.kind === 'entered').length;
        const none = i.criteria.length - m - e;
        return (
          <Space size={2} wrap>
            {m > 0 && <Tag color="blue">平台数据 {m}</Tag>}
            {e > 0 && <Tag color="purple">填报 {e}</Tag>}
            {none > 0 && <Tag>未填报 {none}</Tag>}
          </Space>
        );
      },
    },
  ];

  return (
    <>
      <Space wrap style={{ marginBottom: 12 }}>
        <Button icon={<PrinterOutlined />} onClick={onReport} data-testid="scorecard-report">
          打印报告
        </Button>
        <ScorecardExportButton communityId={card.communityId} framework={card.framework} name={communityName} />
      </Space>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={8}>
          <Card size="small" title={stars ? '达标指标与星级' : '总分'} className="full-width">
            <div data-testid="scorecard-total" data-total={card.total} data-stars={card.stars ?? ''}>
              {stars ? (
                <>
                  <Statistic value={card.total} suffix={`/ ${card.indicators.length} 项达标`} />
                  <Space>
                    <Rate disabled count={5} value={card.stars ?? 0} />
                    <span>{card.stars ?? 0} 星</span>
                  </Space>
                </>
              ) : (
                <Statistic value={card.total} precision={2} suffix="/ 100 分" />
              )}
            </div>
            <div className="small-text" style={{ marginTop: 8 }}>
              <Typography.Text type="secondary">
                {card.framework}（{card.version}）· 考核项 {counts.length} 项，达到 {met} 项；平台数据 {measured} 项，填报 {entered} 项
              </Typography.Text>
            </div>
            <div className="small-text">
              <Typography.Text type="secondary">计算于 {formatTime(card.computedAt)}</Typography.Text>
            </div>
            {card.perception && (
              <div className="small-text" data-testid="scorecard-perception" title={card.perception.provenance.method}>
                <Typography.Text type="secondary">
                  {card.perception.name}（居民调查，{card.perception.clause}）：
                  {card.perception.value === null
                    ? '暂无调查结果'
                    : `满意度指数 ${card.perception.value.toFixed(2)}（${card.perception.provenance.records} 人参与），不计入星级`}
                </Typography.Text>
              </div>
            )}
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card size="small" title="各维度达成度">
            <div data-testid="scorecard-radar">
              <Radar groups={card.groups} />
              {card.groups.map((g) => (
                <div key={g.code} data-group={g.code} style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
                  <span className="nowrap small-text" style={{ width: 110, overflow: 'hidden', textOverflow: 'ellipsis' }} title={g.name}>
                    {g.name}
                  </span>
                  <Progress percent={Math.round(g.achievement * 1000) / 10} size="small" style={{ flex: 1, margin: 0 }} />
                </div>
              ))}
            </div>
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card size="small" title="差距分析" data-testid="gap-card">
            {gapError ? (
              <Alert type="error" showIcon title="差距分析加载失败" description={gapError} />
            ) : !gap ? (
              <div className="center-pad">
                <Spin />
              </div>
            ) : (
              <>
                <div style={{ marginBottom: 8 }}>
                  {stars
                    ? `当前 ${gap.current.stars ?? 0} 星，目标 ${gap.target} 星`
                    : `当前 ${gap.current.total} 分，目标 ${gap.target} 分`}
                  {gap.reachable ? (
                    gap.steps.length === 0 ? (
                      <Tag color="success" style={{ marginLeft: 8 }}>
                        已达到
                      </Tag>
                    ) : (
                      <span>
                        ：最少需补齐 <Typography.Text strong>{gap.criteriaToFix}</Typography.Text> 个考核项
                        {gap.reached !== null && `（可达 ${gap.reached}${stars ? ' 项达标' : ' 分'}）`}
                      </span>
                    )
                  ) : (
                    <Tag color="warning" style={{ marginLeft: 8 }}>
                      暂不可达
                    </Tag>
                  )}
                </div>
                <List
                  size="small"
                  dataSource={gap.steps}
                  locale={{ emptyText: gap.reachable ? '无需补齐' : '目标当前无法达到（如四、五星需已认定三星）' }}
                  renderItem={(s) => (
                    <List.Item key={s.indicator}>
                      <div className="full-width">
                        <Space size={4}>
                          <span className="mono">{s.indicator}</span>
                          <span className="strong-text">{s.name}</span>
                          <Tag color="green">+{Math.round(s.gain * 100) / 100}</Tag>
                        </Space>
                        {s.criteria.map((c) => (
                          <div key={c.code} className="small-text">
                            <Typography.Text type="secondary">
                              <span className="mono">{c.code}</span> {c.text}
                            </Typography.Text>
                          </div>
                        ))}
                      </div>
                    </List.Item>
                  )}
                />
              </>
            )}
          </Card>
        </Col>
      </Row>
      <div data-testid="indicator-table" style={{ marginTop: 16 }}>
        <Table<IndicatorScore>
          rowKey="code"
          size="middle"
          columns={indicatorColumns}
          dataSource={card.indicators}
          pagination={false}
          scroll={{ x: 'max-content' }}
          expandable={{
            expandRowByClick: true,
            expandedRowRender: (i) => (
              <div data-testid={`criteria-${i.code}`}>
                <Table<CriterionState> rowKey="code" size="small" columns={criterionColumns} dataSource={i.criteria} pagination={false} />
              </div>
            ),
          }}
        />
      </div>
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// Roll-up tab
// ---------------------------------------------------------------------------------------------

function RollupView({ rollup, onOpen }: { rollup: Rollup; onOpen: (id: string) => void }) {
  const stars = isStars(rollup.rule);
  const rankColumns: TableColumnsType<RollupCommunity> = [
    { title: '排名', dataIndex: 'rank', width: 70, align: 'center' },
    { title: '社区', dataIndex: 'name', render: (name: string) => <span className="strong-text nowrap">{name}</span> },
    { title: '街道', dataIndex: 'street', render: (s: string) => s || '—' },
    {
      title: stars ? '达标指标' : '总分',
      dataIndex: 'total',
      width: 100,
      align: 'right',
      render: (t: number) => (stars ? `${t} 项` : t.toFixed(2)),
    },
    ...(stars
      ? [
          {
            title: '星级',
            dataIndex: 'stars',
            width: 150,
            render: (s: number | undefined) => <Rate disabled count={5} value={s ?? 0} style={{ fontSize: 14 }} />,
          },
        ]
      : []),
  ];
  const sorted = [...rollup.communities].sort((a, b) => a.rank - b.rank);
  const heatColumns: TableColumnsType<RollupCommunity> = [
    { title: '社区', dataIndex: 'name', fixed: 'left', width: 120, render: (n: string) => <span className="nowrap">{n}</span> },
    ...rollup.indicators.map((i) => ({
      title: (
        <Tooltip title={`${i.code} ${i.name}`}>
          <span className="mono small-text">{i.code}</span>
        </Tooltip>
      ),
      key: i.code,
      width: 56,
      align: 'center' as const,
      onCell: (c: RollupCommunity) => ({ style: { background: heatColor(c.indicators[i.code] ?? 0), padding: 4 } }),
      render: (_: unknown, c: RollupCommunity) => (
        <Tooltip title={`${c.name} · ${i.code} ${i.name}：${pct(c.indicators[i.code] ?? 0)}`}>
          <span className="small-text">{Math.round((c.indicators[i.code] ?? 0) * 100)}</span>
        </Tooltip>
      ),
    })),
  ];
  return (
    <>
      <div className="stat-row">
        <Statistic title="社区数" value={rollup.summary.count} suffix="个" />
        <Statistic title={stars ? '平均达标项' : '平均分'} value={rollup.summary.average} />
        <Statistic title="最高" value={rollup.summary.best} />
        <Statistic title="最低" value={rollup.summary.worst} />
      </div>
      <div style={{ marginBottom: 12 }}>
        <Typography.Text type="secondary">分布：</Typography.Text>
        <Space size={4} wrap>
          {rollup.summary.distribution.map((d) => (
            <Tag key={d.label}>
              {d.label}：{d.count}
            </Tag>
          ))}
        </Space>
      </div>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={10}>
          <Card size="small" title="排名">
            <div data-testid="rollup-ranking">
              <Table<RollupCommunity>
                rowKey="id"
                size="small"
                columns={rankColumns}
                dataSource={sorted}
                pagination={{ defaultPageSize: 20, hideOnSinglePage: true }}
                rowClassName={() => 'clickable-row'}
                onRow={(c) => ({ onClick: () => onOpen(c.id) })}
                locale={{ emptyText: '辖区内暂无社区' }}
              />
            </div>
          </Card>
        </Col>
        <Col xs={24} xl={14}>
          <Card
            size="small"
            title="逐指标达成度热力图（%）"
            extra={
              <Space size={4} className="small-text">
                <span style={{ background: heatColor(0), padding: '0 6px' }}>0</span>
                <span style={{ background: heatColor(0.5), padding: '0 6px' }}>50</span>
                <span style={{ background: heatColor(1), padding: '0 6px' }}>100</span>
              </Space>
            }
          >
            <div data-testid="rollup-heatmap">
              <Table<RollupCommunity>
                rowKey="id"
                size="small"
                bordered
                columns={heatColumns}
                dataSource={sorted}
                pagination={false}
                scroll={{ x: 'max-content', y: 480 }}
              />
            </div>
          </Card>
        </Col>
      </Row>
      <Typography.Text type="secondary" className="small-text">
        {rollup.framework}（{rollup.version}）· 计算于 {formatTime(rollup.computedAt)}
      </Typography.Text>
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// Page
// ---------------------------------------------------------------------------------------------

export default function EvaluationPage() {
  const { can } = useAuth();
  const { selected, index } = useRegions();
  const [frameworks, setFrameworks] = useState<FrameworkSummary[] | null>(null);
  const [frameworksError, setFrameworksError] = useState<string | null>(null);
  const [framework, setFramework] = useState<string>(() => storedFramework() ?? DEFAULT_FRAMEWORK);
  const [tab, setTab] = useState<Tab>('scorecard');
  const [reportOpen, setReportOpen] = useState(false);
  const [regionReportOpen, setRegionReportOpen] = useState(false);
  const [picked, setPicked] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [card, setCard] = useState<Loaded<Scorecard> | null>(null);
  const [gap, setGap] = useState<Loaded<GapAnalysis> | null>(null);
  const [rollup, setRollup] = useState<Loaded<Rollup> | null>(null);
  const [valueTarget, setValueTarget] = useState<ValueTarget | null>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    evaluationApi
      .frameworks(ctrl.signal)
      .then((f) => setFrameworks(f))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setFrameworksError(errorText(err));
      });
    return () => ctrl.abort();
  }, []);

  const chooseFramework = (code: string) => {
    setFramework(code);
    try {
      sessionStorage.setItem(FRAMEWORK_KEY, code);
    } catch {
      // ignore
    }
  };

  // The community: the one selected in the region tree (or a grid's), else one picked from the roll-up.
  const treeCommunity = selectedCommunity(selected, index);
  const regionId = selected?.node.id ?? null;
  const rollupKey = JSON.stringify([framework, treeCommunity ? null : regionId, version]);
  useEffect(() => {
    if (treeCommunity && tab !== 'rollup') return;
    const ctrl = new AbortController();
    evaluationApi
      .rollup(framework, treeCommunity ? null : regionId, ctrl.signal)
      .then((data) => setRollup({ key: rollupKey, data, error: null }))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setRollup({ key: rollupKey, data: null, error: errorText(err) });
      });
    return () => ctrl.abort();
  }, [rollupKey, framework, regionId, treeCommunity, tab]);

  const rollupData = rollup?.key === rollupKey ? rollup.data : null;
  const communityOptions = useMemo(
    () =>
      [...(rollupData?.communities ?? [])]
        .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'))
        .map((c) => ({ value: c.id, label: c.street ? `${c.name}（${c.street}）` : c.name })),
    [rollupData],
  );
  const pickedValid = picked && (rollupData?.communities.some((c) => c.id === picked) ?? false) ? picked : null;
  const communityId = treeCommunity ?? pickedValid;
  const communityName = treeCommunity
    ? (index.get(treeCommunity)?.node.name ?? '')
    : (rollupData?.communities.find((c) => c.id === communityId)?.name ?? '');

  const cardKey = JSON.stringify([communityId, framework, version]);
  useEffect(() => {
    if (!communityId) return;
    const ctrl = new AbortController();
    evaluationApi
      .scorecard(communityId, framework, undefined, ctrl.signal)
      .then((data) => setCard({ key: cardKey, data, error: null }))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setCard({ key: cardKey, data: null, error: errorText(err) });
      });
    evaluationApi
      .gap(communityId, framework, undefined, ctrl.signal)
      .then((data) => setGap({ key: cardKey, data, error: null }))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setGap({ key: cardKey, data: null, error: errorText(err) });
      });
    return () => ctrl.abort();
  }, [cardKey, communityId, framework]);

  // While a refresh (after 填报) is under way, keep showing the previous card of the same community.
  const fresh = card?.key === cardKey ? card : null;
  const stale = !fresh && card?.data && card.data.communityId === communityId && card.data.framework === framework ? card : null;
  const current = fresh ?? stale;
  const currentGap = gap?.key === cardKey ? gap : null;
  const writable = can('evaluation.write');
  const summary = frameworks?.find((f) => f.code === framework);

  const communityPicker = !treeCommunity && (
    <Space wrap className="filter-bar">
      <Typography.Text>社区：</Typography.Text>
      <Select
        showSearch={{ optionFilterProp: 'label' }}
        placeholder={rollupData ? '选择社区' : '加载社区…'}
        value={pickedValid}
        options={communityOptions}
        onChange={(id: string) => setPicked(id)}
        style={{ minWidth: 260 }}
        loading={!rollupData && !rollup?.error}
        data-testid="community-select"
      />
      <Typography.Text type="secondary" className="small-text">
        也可在左侧区划树中直接选择社区
      </Typography.Text>
    </Space>
  );

  const assessmentsTab = (
    <>
      {communityPicker}
      {!communityId ? (
        <Empty description="请选择一个社区查看评估" />
      ) : (
        <AssessmentsPanel communityId={communityId} framework={framework} frameworks={frameworks} />
      )}
    </>
  );

  const surveysTab = (
    <>
      {communityPicker}
      {!communityId ? (
        <Empty description="请选择一个社区查看感知度调查" />
      ) : (
        <SurveyPanel communityId={communityId} framework={framework} frameworks={frameworks} />
      )}
    </>
  );

  const scorecardTab = (
    <>
      {communityPicker}
      {!communityId ? (
        <Empty description="请选择一个社区查看评分卡" />
      ) : !current ? (
        <div className="center-pad">
          <Spin />
        </div>
      ) : current.error !== null ? (
        <Alert type="error" showIcon title="评分卡加载失败" description={current.error} />
      ) : (
        <Spin spinning={stale !== null}>
          <ScorecardView
            card={current.data}
            gap={currentGap?.data ?? null}
            gapError={currentGap?.error ?? null}
            writable={writable}
            onEnter={(c) => setValueTarget({ communityId: communityId, framework, criterion: c })}
            onReport={() => setReportOpen(true)}
            communityName={communityName}
          />
          <Card size="small" title="跨周期趋势" style={{ marginTop: 16 }}>
            <TrendPanel framework={framework} regionId={communityId} version={version} />
          </Card>
        </Spin>
      )}
    </>
  );

  const rollupTab =
    rollup?.key === rollupKey && rollup.error ? (
      <Alert type="error" showIcon title="区域汇总加载失败" description={rollup.error} />
    ) : !rollupData ? (
      <div className="center-pad">
        <Spin />
      </div>
    ) : (
      <>
        <Space wrap style={{ marginBottom: 12 }}>
          <Button icon={<PrinterOutlined />} onClick={() => setRegionReportOpen(true)} data-testid="region-report-open">
            打印区域报告
          </Button>
        </Space>
        <RegionReportModal
          open={regionReportOpen}
          onClose={() => setRegionReportOpen(false)}
          rollup={rollupData}
          regionId={treeCommunity ? null : regionId}
          title={summary?.title ?? ''}
        />
        <RollupView
          rollup={rollupData}
          onOpen={(id) => {
            setPicked(id);
            setTab('scorecard');
          }}
        />
        <Card size="small" title="跨周期趋势（各评估周期与当前）" style={{ marginTop: 16 }}>
          <TrendPanel framework={framework} regionId={treeCommunity ? null : regionId} version={version} />
        </Card>
      </>
    );

  return (
    <div className="page">
      <Card
        className="page-card"
        title={
          <Space size={8}>
            <span>社区评价</span>
            <Typography.Text type="secondary" className="card-subtitle">
              {tab === 'rollup'
                ? `${selected?.node.name ?? ''}辖区汇总`
                : tab === 'framework'
                  ? framework
                  : communityName || selected?.node.name}
            </Typography.Text>
          </Space>
        }
        extra={
          <Space>
            <Select
              value={framework}
              onChange={chooseFramework}
              loading={!frameworks && !frameworksError}
              options={(frameworks ?? [{ code: framework, title: framework } as FrameworkSummary]).map((f) => ({
                value: f.code,
                label: f.title === f.code ? f.code : `${f.code} ${f.title}`,
              }))}
              style={{ width: 360 }}
              popupMatchSelectWidth={false}
              data-testid="framework-select"
            />
            <Tooltip title="重新计算">
              <Button icon={<ReloadOutlined />} onClick={() => setVersion((v) => v + 1)} aria-label="刷新" />
            </Tooltip>
          </Space>
        }
      >
        {frameworksError && <Alert type="error" showIcon title="评价标准加载失败" description={frameworksError} className="form-alert" />}
        {summary && (
          <Descriptions size="small" column={{ xs: 1, md: 3 }} style={{ marginBottom: 12 }}>
            <Descriptions.Item label="发布">{summary.issuer}</Descriptions.Item>
            <Descriptions.Item label="版本">
              {summary.version}
              {summary.effective ? `（${summary.effective} 实施）` : ''}
            </Descriptions.Item>
            <Descriptions.Item label="规则">
              {isStars(summary.rule) ? '星级评定（按达标指标数）' : '加权达成度（满分 100）'} · {summary.indicators} 项指标 /{' '}
              {summary.criteria} 个考核项
            </Descriptions.Item>
          </Descriptions>
        )}
        <Tabs
          activeKey={tab}
          onChange={(k) => setTab(k as Tab)}
          destroyOnHidden
          items={[
            { key: 'scorecard', label: '社区评分卡', children: scorecardTab },
            { key: 'assessments', label: '评估审核', children: assessmentsTab },
            { key: 'surveys', label: '感知度调查', children: surveysTab },
            { key: 'rollup', label: '区域汇总', children: rollupTab },
            { key: 'framework', label: '评价标准', children: <FrameworkBrowser framework={framework} /> },
          ]}
        />
      </Card>
      {current?.data && (
        <ReportModal
          open={reportOpen}
          onClose={() => setReportOpen(false)}
          card={current.data}
          communityName={communityName}
          summary={summary}
        />
      )}
      <ValueFormModal
        target={valueTarget}
        onClose={() => setValueTarget(null)}
        onSaved={() => {
          setValueTarget(null);
          setVersion((v) => v + 1);
        }}
      />
    </div>
  );
}
