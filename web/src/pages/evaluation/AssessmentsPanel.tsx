// 评估审核: a community's self-assessments (发起自评 → 提交审核), reviewed indicator by indicator by
// evaluators (通过 / 退回 with a reason, 全部通过), then 锁定结果 with the frozen total.
import { CheckOutlined, LockOutlined, PlusOutlined, RollbackOutlined, SendOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Empty,
  Form,
  Input,
  Modal,
  Progress,
  Select,
  Space,
  Spin,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { TableColumnsType } from 'antd';
import { useEffect, useState } from 'react';
import { errorText } from '../../api/client';
import { evaluationApi } from '../../api/evaluation';
import type {
  Assessment,
  AssessmentSummary,
  FrameworkSummary,
  IndicatorReview,
  IndicatorScore,
  ReviewKindCount,
  ReviewState,
} from '../../api/types';
import { useAuth } from '../../auth/context';
import { FormModal } from '../../components/FormModal';
import { formatTime } from '../../lib/time';

const STATUS: Record<string, { label: string; color: string }> = {
  draft: { label: '自评中', color: 'processing' },
  submitted: { label: '待审核', color: 'warning' },
  locked: { label: '已锁定', color: 'success' },
};

const REVIEW: Record<ReviewState, { label: string; color: string }> = {
  pending: { label: '待审', color: 'default' },
  accepted: { label: '通过', color: 'success' },
  returned: { label: '退回', color: 'error' },
  reopened: { label: '数据变更重开', color: 'warning' },
};

/** Review records per evaluator kind (`002` 6.2: 专家、第三方社会组织、辖区单位、新闻媒体), the kinds that reviewed. */
function ReviewKinds({ kinds }: { kinds: ReviewKindCount[] }) {
  const used = kinds.filter((k) => k.count > 0);
  if (!used.length) return <Typography.Text type="secondary">尚无审核记录</Typography.Text>;
  return (
    <Space size={4} wrap>
      {used.map((k) => (
        <Tag key={k.kind} data-kind={k.kind}>
          {k.label} {k.count} 条{k.reviewers !== undefined ? ` · ${k.reviewers} 人` : ''}
        </Tag>
      ))}
    </Space>
  );
}

function StatusTag({ status }: { status: string }) {
  const s = STATUS[status] ?? { label: status, color: 'default' };
  return (
    <Tag color={s.color} data-status={status}>
      {s.label}
    </Tag>
  );
}

function totalText(total: number | null | undefined, stars: number | null | undefined, starRule: boolean): string {
  if (total === null || total === undefined) return '—';
  return starRule ? `${total} 项达标 · ${stars ?? 0} 星` : `${total.toFixed(2)} 分`;
}

interface CreateValues {
  period: string;
  framework: string;
}

export function periodOptions(): { value: string; label: string }[] {
  const y = new Date().getFullYear();
  const out: { value: string; label: string }[] = [];
  for (const year of [y, y - 1]) {
    out.push({ value: String(year), label: `${year} 年度` });
    out.push({ value: `${year}-H1`, label: `${year} 上半年` }, { value: `${year}-H2`, label: `${year} 下半年` });
    for (const q of [1, 2, 3, 4]) out.push({ value: `${year}-Q${q}`, label: `${year} 第${q}季度` });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

function AssessmentDetail({ id, starRuleOf, onChanged }: { id: string; starRuleOf: (f: string) => boolean; onChanged: () => void }) {
  const { can } = useAuth();
  const { message } = App.useApp();
  const [data, setData] = useState<{ id: string; a: Assessment | null; error: string | null } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [returning, setReturning] = useState<IndicatorScore | null>(null);
  const [reason, setReason] = useState('');

  useEffect(() => {
    const ctrl = new AbortController();
    evaluationApi
      .assessment(id, ctrl.signal)
      .then((a) => setData({ id, a, error: null }))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setData({ id, a: null, error: errorText(err) });
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
  if (!current.a) return <Alert type="error" showIcon title="评估加载失败" description={current.error} />;
  const a = current.a;
  const starRule = starRuleOf(a.framework);
  const reviews = new Map<string, IndicatorReview>(a.reviews.map((r) => [r.indicator, r]));
  const reviewing = a.status === 'submitted' && can('evaluation.review');

  const run = async (key: string, action: () => Promise<Assessment>, done?: string) => {
    setBusy(key);
    setActionError(null);
    try {
      const next = await action();
      setData({ id, a: next, error: null });
      if (done) message.success(done);
      onChanged();
      return true;
    } catch (err) {
      setActionError(errorText(err));
      return false;
    } finally {
      setBusy(null);
    }
  };

  const acceptAll = async () => {
    const open = a.reviews.filter((r) => r.state !== 'accepted').map((r) => r.indicator);
    setBusy('all');
    setActionError(null);
    let last: Assessment | null = null;
    try {
      for (const indicator of open) last = await evaluationApi.review(id, { indicator, decision: 'accepted' });
      message.success(`已通过 ${open.length} 项指标`);
    } catch (err) {
      setActionError(errorText(err));
    } finally {
      if (last) setData({ id, a: last, error: null });
      setBusy(null);
      onChanged();
    }
  };

  const columns: TableColumnsType<IndicatorScore> = [
    { title: '指标', dataIndex: 'code', width: 70, render: (c: string) => <span className="mono nowrap">{c}</span> },
    { title: '名称', dataIndex: 'name', render: (n: string) => <span className="strong-text">{n}</span> },
    {
      title: '达成度',
      dataIndex: 'achievement',
      width: 140,
      render: (v: number) => <Progress percent={Math.round(v * 1000) / 10} size="small" status={v >= 1 ? 'success' : 'normal'} />,
    },
    {
      title: starRule ? '是否达标' : '得分',
      dataIndex: 'score',
      width: 80,
      align: 'right',
      render: (s: number) => (starRule ? (s === 1 ? '达标' : '未达标') : s),
    },
    {
      title: '审核',
      key: 'state',
      width: 120,
      render: (_, i) => {
        const r = reviews.get(i.code);
        const s = REVIEW[r?.state ?? 'pending'];
        return (
          <Tag color={s.color} data-review={r?.state ?? 'pending'}>
            {s.label}
          </Tag>
        );
      },
    },
    { title: '理由', key: 'reason', render: (_, i) => reviews.get(i.code)?.reason ?? '' },
    {
      title: '审核人',
      key: 'reviewer',
      width: 150,
      render: (_, i) => {
        const r = reviews.get(i.code);
        return r?.reviewer ? (
          <div className="small-text">
            <div>
              {r.reviewer}
              {r.reviewerKindLabel && (
                <Tag style={{ marginLeft: 4 }} data-testid="reviewer-kind">
                  {r.reviewerKindLabel}
                </Tag>
              )}
            </div>
            {r.reviewedAt && <Typography.Text type="secondary">{formatTime(r.reviewedAt, 'YYYY-MM-DD HH:mm')}</Typography.Text>}
          </div>
        ) : (
          '—'
        );
      },
    },
    ...(reviewing
      ? [
          {
            title: '操作',
            key: 'actions',
            width: 140,
            render: (_: unknown, i: IndicatorScore) => {
              const state = reviews.get(i.code)?.state ?? 'pending';
              return (
                <Space size={0}>
                  <Button
                    size="small"
                    type="link"
                    icon={<CheckOutlined />}
                    disabled={state === 'accepted' || busy !== null}
                    loading={busy === `accept-${i.code}`}
                    onClick={() =>
                      void run(`accept-${i.code}`, () => evaluationApi.review(id, { indicator: i.code, decision: 'accepted' }))
                    }
                    data-testid={`accept-${i.code}`}
                  >
                    通过
                  </Button>
                  <Button
                    size="small"
                    type="link"
                    danger
                    icon={<RollbackOutlined />}
                    disabled={busy !== null}
                    onClick={() => {
                      setReason('');
                      setReturning(i);
                    }}
                    data-testid={`return-${i.code}`}
                  >
                    退回
                  </Button>
                </Space>
              );
            },
          },
        ]
      : []),
  ];

  const pendingCount = a.reviews.filter((r) => r.state !== 'accepted').length;

  return (
    <div data-testid="assessment-detail" data-status={a.status}>
      <Descriptions size="small" column={{ xs: 1, md: 3 }} style={{ marginBottom: 12 }}>
        <Descriptions.Item label="周期">{a.period}</Descriptions.Item>
        <Descriptions.Item label="标准">
          {a.framework}（{a.frameworkVersion}）
        </Descriptions.Item>
        <Descriptions.Item label="状态">
          <StatusTag status={a.status} />
        </Descriptions.Item>
        <Descriptions.Item label="发起">
          {a.createdBy ?? '—'} · {formatTime(a.createdAt, 'YYYY-MM-DD HH:mm')}
        </Descriptions.Item>
        <Descriptions.Item label="提交">{a.submittedAt ? formatTime(a.submittedAt, 'YYYY-MM-DD HH:mm') : '—'}</Descriptions.Item>
        <Descriptions.Item label="审核进度">
          {a.reviews.length - pendingCount} / {a.reviews.length} 项通过
        </Descriptions.Item>
        <Descriptions.Item label="评估主体" span={3}>
          <span data-testid="reviews-by-kind">
            <ReviewKinds kinds={a.reviewsByKind} />
          </span>
        </Descriptions.Item>
      </Descriptions>
      {a.status === 'locked' && (
        <div data-testid="assessment-locked">
          <Alert
            type="success"
            showIcon
            icon={<LockOutlined />}
            className="form-alert"
            title={
              <span>
                已锁定 · 锁定结果{' '}
                <strong data-testid="locked-total" data-total={a.scorecard.total}>
                  {totalText(a.scorecard.total, a.scorecard.stars, starRule)}
                </strong>
              </span>
            }
            description={`${a.lockedBy ?? '—'} 锁定于 ${a.lockedAt ? formatTime(a.lockedAt) : '—'}；锁定后的结果不随数据变化`}
          />
        </div>
      )}
      {actionError && (
        <div data-testid="assessment-error">
          <Alert type="error" showIcon className="form-alert" title={actionError} closable onClose={() => setActionError(null)} />
        </div>
      )}
      <Space wrap style={{ marginBottom: 12 }}>
        {a.status === 'draft' && can('evaluation.write') && (
          <Button
            type="primary"
            icon={<SendOutlined />}
            loading={busy === 'submit'}
            disabled={busy !== null}
            onClick={() => void run('submit', () => evaluationApi.submitAssessment(id), '已提交审核')}
            data-testid="assessment-submit"
          >
            提交审核
          </Button>
        )}
        {reviewing && (
          <>
            <Button
              icon={<CheckOutlined />}
              loading={busy === 'all'}
              disabled={busy !== null || pendingCount === 0}
              onClick={() => void acceptAll()}
              data-testid="accept-all"
            >
              全部通过
            </Button>
            <Button
              type="primary"
              icon={<LockOutlined />}
              loading={busy === 'lock'}
              disabled={busy !== null}
              onClick={() => void run('lock', () => evaluationApi.lockAssessment(id), '已锁定评估结果')}
              data-testid="assessment-lock"
            >
              锁定结果
            </Button>
          </>
        )}
        {a.status !== 'locked' && (
          <Typography.Text type="secondary" className="small-text">
            当前实时结果：{totalText(a.scorecard.total, a.scorecard.stars, starRule)}
          </Typography.Text>
        )}
      </Space>
      <div data-testid="review-table">
        <Table<IndicatorScore>
          rowKey="code"
          size="small"
          columns={columns}
          dataSource={a.scorecard.indicators}
          pagination={false}
          scroll={{ x: 'max-content' }}
        />
      </div>
      <Modal
        title={returning ? `退回 ${returning.code} ${returning.name}` : '退回'}
        open={returning !== null}
        okText="确认退回"
        okButtonProps={{
          danger: true,
          disabled: !reason.trim(),
          loading: busy === 'return',
          ...({ 'data-testid': 'return-confirm' } as object),
        }}
        onCancel={() => setReturning(null)}
        onOk={() => {
          if (!returning) return;
          void run(
            'return',
            () => evaluationApi.review(id, { indicator: returning.code, decision: 'returned', reason: reason.trim() }),
            `已退回 ${returning.code}`,
          ).then((ok) => {
            if (ok) setReturning(null);
          });
        }}
        destroyOnHidden
      >
        <Form layout="vertical">
          <Form.Item label="退回理由" required>
            <Input.TextArea
              rows={3}
              maxLength={1000}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              data-testid="return-reason"
            />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------

export function AssessmentsPanel({
  communityId,
  framework,
  frameworks,
}: {
  communityId: string;
  framework: string;
  frameworks: FrameworkSummary[] | null;
}) {
  const { can } = useAuth();
  const { message } = App.useApp();
  const [form] = Form.useForm<CreateValues>();
  const [list, setList] = useState<{ key: string; data: AssessmentSummary[] | null; error: string | null } | null>(null);
  const [version, setVersion] = useState(0);
  const [openId, setOpenId] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const starRuleOf = (code: string) => frameworks?.find((f) => f.code === code)?.rule === 'beijing-stars';

  const key = `${communityId}:${version}`;
  useEffect(() => {
    const ctrl = new AbortController();
    evaluationApi
      .assessments(communityId, ctrl.signal)
      .then((data) => setList({ key, data, error: null }))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setList({ key, data: null, error: errorText(err) });
      });
    return () => ctrl.abort();
  }, [key, communityId]);

  const current = list && list.key.startsWith(`${communityId}:`) ? list : null;
  const rows = current?.data ?? [];
  const openValid = openId && rows.some((r) => r.id === openId) ? openId : null;

  const columns: TableColumnsType<AssessmentSummary> = [
    { title: '周期', dataIndex: 'period', width: 90 },
    { title: '标准', dataIndex: 'framework' },
    { title: '状态', dataIndex: 'status', width: 90, render: (s: string) => <StatusTag status={s} /> },
    {
      title: '锁定结果',
      key: 'total',
      width: 150,
      render: (_, r) => (r.status === 'locked' ? totalText(r.total, r.stars, starRuleOf(r.framework)) : '—'),
    },
    {
      title: '审核记录（按评估主体）',
      key: 'kinds',
      render: (_, r) => <ReviewKinds kinds={r.reviewsByKind ?? []} />,
    },
  ];

  const create = async (v: CreateValues) => {
    const a = await evaluationApi.createAssessment({ communityId, framework: v.framework, period: v.period });
    message.success(`已发起 ${a.period} 自评`);
    setCreating(false);
    setOpenId(a.id);
    setVersion((x) => x + 1);
  };

  return (
    <div data-testid="assessments-panel">
      <Space wrap style={{ marginBottom: 12 }}>
        {can('evaluation.write') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="assessment-create">
            发起自评
          </Button>
        )}
        <Typography.Text type="secondary" className="small-text">
          自评提交后由评估人员逐项审核，全部通过后锁定结果
        </Typography.Text>
      </Space>
      {current?.error ? (
        <Alert type="error" showIcon title="评估列表加载失败" description={current.error} />
      ) : (
        <div data-testid="assessment-list">
          <Table<AssessmentSummary>
            rowKey="id"
            size="small"
            loading={!current}
            columns={columns}
            dataSource={rows}
            pagination={false}
            rowClassName={(r) => (r.id === openValid ? 'clickable-row ant-table-row-selected' : 'clickable-row')}
            onRow={(r) => ({ onClick: () => setOpenId(r.id) })}
            locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="本社区暂无评估" /> }}
          />
        </div>
      )}
      {openValid && (
        <Card size="small" title="评估详情" style={{ marginTop: 16 }}>
          <AssessmentDetail id={openValid} starRuleOf={starRuleOf} onChanged={() => setVersion((x) => x + 1)} />
        </Card>
      )}
      <FormModal<CreateValues>
        title="发起自评"
        open={creating}
        onClose={() => setCreating(false)}
        form={form}
        fields={['period', 'framework']}
        onSubmit={create}
        okText="发起自评"
        testId="assessment-form"
        initialValues={{ period: String(new Date().getFullYear()), framework }}
      >
        <Form.Item name="period" label="评估周期" rules={[{ required: true, message: '请选择评估周期' }]}>
          <Select options={periodOptions()} data-testid="assessment-period" />
        </Form.Item>
        <Form.Item name="framework" label="评价标准" rules={[{ required: true, message: '请选择评价标准' }]}>
          <Select
            options={(frameworks ?? [{ code: framework, title: framework } as FrameworkSummary]).map((f) => ({
              value: f.code,
              label: f.title === f.code ? f.code : `${f.code} ${f.title}`,
            }))}
            data-testid="assessment-framework"
          />
        </Form.Item>
      </FormModal>
    </div>
  );
}
