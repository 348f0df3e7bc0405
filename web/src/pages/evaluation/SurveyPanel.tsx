// 感知度调查 (`002` 六 6.1/6.2): a community's resident perception surveys — one questionnaire per
// framework and period, one question per dimension (协同度、便利度、安全度、感知度), answered 1–5 by
// residents on their phones. Officials open and close a survey; results per dimension (mean, bars,
// distribution), respondents, eligible residents and the response rate. Answers are anonymous.
import { PlusOutlined, StopOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Empty,
  Form,
  Popconfirm,
  Select,
  Space,
  Spin,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import type { TableColumnsType } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { errorText } from '../../api/client';
import { surveysApi, type Survey, type SurveyResults } from '../../api/surveys';
import type { FrameworkSummary } from '../../api/types';
import { useAuth } from '../../auth/context';
import { FormModal } from '../../components/FormModal';
import { formatTime, ZONE } from '../../lib/time';
import { periodOptions } from './AssessmentsPanel';

const SCORE_COLORS = ['#cf1322', '#fa8c16', '#fadb14', '#73d13d', '#389e0d'];

/** Horizontal bars of each dimension's mean (1–5), as SVG (the console carries no chart library). */
export function MeanBars({ dimensions }: { dimensions: SurveyResults['dimensions'] }) {
  const rowH = 34;
  const left = 72;
  const width = 420;
  const barW = width - left - 48;
  const height = dimensions.length * rowH + 24;
  const x = (v: number) => left + (v / 5) * barW;
  return (
    <svg viewBox={`0 0 ${width} ${height}`} width="100%" style={{ maxWidth: width }} role="img" data-testid="survey-bars">
      <title>各维度平均分</title>
      {[1, 2, 3, 4, 5].map((v) => (
        <g key={v}>
          <line x1={x(v)} x2={x(v)} y1={4} y2={height - 18} stroke="#f0f0f0" />
          <text x={x(v)} y={height - 4} fontSize={11} textAnchor="middle" fill="#8c8c8c">
            {v}
          </text>
        </g>
      ))}
      {dimensions.map((d, k) => {
        const y = 8 + k * rowH;
        const mean = d.mean ?? 0;
        return (
          <g key={d.code}>
            <text x={left - 8} y={y + 13} fontSize={12} textAnchor="end" fill="#595959">
              {d.name}
            </text>
            <rect x={left} y={y} width={Math.max(0, x(mean) - left)} height={18} rx={3} fill="#1677ff" opacity={0.8} />
            <text x={x(mean) + 6} y={y + 13} fontSize={12} fill="#262626">
              {d.mean === null ? '—' : d.mean.toFixed(2)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/** One dimension's answers 1–5 as a stacked bar. */
function Distribution({ d }: { d: SurveyResults['dimensions'][number] }) {
  const total = d.distribution.reduce((s, x) => s + x.count, 0);
  if (!total) return <Typography.Text type="secondary">暂无</Typography.Text>;
  return (
    <div style={{ display: 'flex', height: 16, borderRadius: 4, overflow: 'hidden', minWidth: 180 }} title="1 很不满意 … 5 很满意">
      {d.distribution.map((x, i) =>
        x.count ? (
          <div
            key={x.score}
            style={{ width: `${(x.count / total) * 100}%`, background: SCORE_COLORS[i], color: '#fff', fontSize: 11, textAlign: 'center' }}
            title={`${x.label}：${x.count}`}
          >
            {x.count}
          </div>
        ) : null,
      )}
    </div>
  );
}

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);

function Results({ id, onChanged }: { id: string; onChanged: () => void }) {
  const { can } = useAuth();
  const { message } = App.useApp();
  const [data, setData] = useState<{ id: string; r: SurveyResults | null; error: string | null } | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const ctrl = new AbortController();
    surveysApi
      .results(id, ctrl.signal)
      .then((r) => setData({ id, r, error: null }))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setData({ id, r: null, error: errorText(err) });
      });
    return () => ctrl.abort();
  }, [id]);

  const current = data?.id === id ? data : null;
  if (!current)
    return (
      <div className="center-pad">
        <Spin />
      </div>
    );
  if (!current.r) return <Alert type="error" showIcon title="调查结果加载失败" description={current.error} />;
  const r = current.r;
  const close = async () => {
    setBusy(true);
    try {
      setData({ id, r: await surveysApi.close(id), error: null });
      message.success('调查已结束');
      onChanged();
    } catch (err) {
      message.error(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const columns: TableColumnsType<SurveyResults['dimensions'][number]> = [
    {
      title: '维度（问题）',
      dataIndex: 'name',
      width: 110,
      render: (n: string, d) => (
        <Tooltip title={d.text}>
          <span className="nowrap">{n}</span>
        </Tooltip>
      ),
    },
    { title: '平均分', dataIndex: 'mean', width: 80, render: (m: number | null) => (m === null ? '—' : m.toFixed(2)) },
    { title: '满意率（4–5 分）', dataIndex: 'satisfiedShare', width: 120, render: (s: number | null) => pct(s) },
    { title: '评分分布（1→5）', key: 'dist', width: 220, render: (_, d) => <Distribution d={d} /> },
  ];
  return (
    <Card
      size="small"
      data-testid="survey-results"
      title={
        <Space>
          <span>
            {r.framework} · {r.period} 感知度调查
          </span>
          <Tag color={r.status === 'open' ? 'processing' : 'default'} data-status={r.status}>
            {r.status === 'open' ? '进行中' : '已结束'}
          </Tag>
        </Space>
      }
      extra={
        r.status === 'open' &&
        can('evaluation.write') && (
          <Popconfirm title="结束后居民不能再提交，确定结束？" onConfirm={() => void close()}>
            <Button icon={<StopOutlined />} loading={busy} data-testid="survey-close">
              结束调查
            </Button>
          </Popconfirm>
        )
      }
    >
      <Descriptions size="small" column={{ xs: 1, md: 3 }} style={{ marginBottom: 12 }}>
        <Descriptions.Item label="参与居民">
          <span data-testid="survey-respondents">{r.respondents}</span>
        </Descriptions.Item>
        <Descriptions.Item label="应答居民（已开通账号）">{r.eligible}</Descriptions.Item>
        <Descriptions.Item label="参与率">
          <span data-testid="survey-rate">{pct(r.responseRate)}</span>
        </Descriptions.Item>
        <Descriptions.Item label="总体平均分">{r.mean === null ? '—' : r.mean.toFixed(2)}</Descriptions.Item>
        <Descriptions.Item label="满意度指数">{r.index === null ? '—' : r.index.toFixed(2)}</Descriptions.Item>
        <Descriptions.Item label="截止">{formatTime(r.closedAt ?? r.closesAt, 'YYYY-MM-DD HH:mm')}</Descriptions.Item>
      </Descriptions>
      {r.respondents > 0 ? <MeanBars dimensions={r.dimensions} /> : <Empty description="尚无居民提交" />}
      <Table rowKey="code" size="small" columns={columns} dataSource={r.dimensions} pagination={false} style={{ marginTop: 12 }} />
      {r.comments.length > 0 && (
        <div style={{ marginTop: 12 }}>
          <Typography.Text strong>居民意见（匿名）</Typography.Text>
          <ul className="small-text">
            {r.comments.map((c, i) => (
              <li key={i}>{c}</li>
            ))}
          </ul>
        </div>
      )}
      <Typography.Paragraph type="secondary" className="small-text" style={{ marginTop: 8 }}>
        满意度指数 =（全部评分平均分 − 1）÷ 4 × 100（1 分为 0，5 分为 100），依据 002 六
        6.1/6.2；社区评分卡的“感知度”取最近一次已结束的调查。回答匿名统计，不显示答卷人。
      </Typography.Paragraph>
    </Card>
  );
}

interface OpenValues {
  period: string;
  closesOn: Dayjs;
}

export function SurveyPanel({
  communityId,
  framework,
  frameworks,
}: {
  communityId: string;
  framework: string;
  frameworks?: FrameworkSummary[] | null;
}) {
  const { can } = useAuth();
  const { message } = App.useApp();
  const [list, setList] = useState<{ key: string; items: Survey[] | null; error: string | null } | null>(null);
  const [picked, setPicked] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [opening, setOpening] = useState(false);
  const [form] = Form.useForm<OpenValues>();
  const key = `${communityId}:${version}`;

  useEffect(() => {
    const ctrl = new AbortController();
    surveysApi
      .list(communityId, ctrl.signal)
      .then((items) => setList({ key, items, error: null }))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setList({ key, items: null, error: errorText(err) });
      });
    return () => ctrl.abort();
  }, [communityId, key]);

  const items = list?.key === key ? list.items : null;
  const ofFramework = items?.filter((s) => s.framework === framework) ?? [];
  const selected = ofFramework.find((s) => s.id === picked)?.id ?? ofFramework[0]?.id ?? null;
  const title = frameworks?.find((f) => f.code === framework)?.title ?? framework;

  const columns: TableColumnsType<Survey> = [
    { title: '周期', dataIndex: 'period', width: 90 },
    {
      title: '状态',
      dataIndex: 'status',
      width: 80,
      render: (s: string) => <Tag color={s === 'open' ? 'processing' : 'default'}>{s === 'open' ? '进行中' : '已结束'}</Tag>,
    },
    { title: '参与', dataIndex: 'respondents', width: 60 },
    { title: '截止', dataIndex: 'closesAt', render: (t: string) => formatTime(t, 'YYYY-MM-DD HH:mm') },
  ];

  return (
    <div data-testid="survey-panel">
      <Space style={{ marginBottom: 12 }} wrap>
        <Typography.Text type="secondary">
          {title}：按评估维度向本社区居民发放问卷（1 很不满意 … 5 很满意），每位居民一份，匿名统计
        </Typography.Text>
        {can('evaluation.write') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpening(true)} data-testid="survey-open">
            发起调查
          </Button>
        )}
      </Space>
      {list?.key === key && list.error && <Alert type="error" showIcon title="调查列表加载失败" description={list.error} />}
      {!items ? (
        list?.error ? null : (
          <div className="center-pad">
            <Spin />
          </div>
        )
      ) : ofFramework.length === 0 ? (
        <Empty description="本标准尚无感知度调查" />
      ) : (
        <div style={{ display: 'flex', gap: 16, flexWrap: 'wrap', alignItems: 'flex-start' }}>
          <Table
            rowKey="id"
            size="small"
            style={{ width: 360 }}
            columns={columns}
            dataSource={ofFramework}
            pagination={false}
            onRow={(s) => ({ onClick: () => setPicked(s.id), style: { cursor: 'pointer' } })}
            rowClassName={(s) => (s.id === selected ? 'ant-table-row-selected' : '')}
          />
          <div style={{ flex: 1, minWidth: 420 }}>{selected && <Results id={selected} onChanged={() => setVersion((v) => v + 1)} />}</div>
        </div>
      )}
      <FormModal<OpenValues>
        title="发起感知度调查"
        open={opening}
        onClose={() => setOpening(false)}
        form={form}
        fields={['period', 'closesAt', 'framework']}
        aliases={{ closesAt: 'closesOn' }}
        initialValues={{ period: String(new Date().getFullYear()), closesOn: dayjs().add(14, 'day') }}
        okText="发起"
        testId="survey-open-modal"
        onSubmit={async (v) => {
          const closesAt = dayjs.tz(`${v.closesOn.format('YYYY-MM-DD')} 23:59:59`, ZONE).toISOString();
          const s = await surveysApi.open({ communityId, framework, period: v.period, closesAt });
          message.success('调查已发起，居民可在手机端“满意度调查”中填写');
          setOpening(false);
          setPicked(s.id);
          setVersion((x) => x + 1);
        }}
      >
        <Form.Item label="评价标准">
          <Typography.Text>{title}</Typography.Text>
        </Form.Item>
        <Form.Item name="period" label="评估周期" rules={[{ required: true, message: '请选择周期' }]}>
          <Select options={periodOptions()} data-testid="survey-period" />
        </Form.Item>
        <Form.Item name="closesOn" label="截止日期（当日 23:59）" rules={[{ required: true, message: '请选择截止日期' }]}>
          <DatePicker disabledDate={(d) => d.isBefore(dayjs(), 'day')} data-testid="survey-closes" />
        </Form.Item>
      </FormModal>
    </div>
  );
}
