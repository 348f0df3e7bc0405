// 五议两公开 (民主决策): decision items with their chain (提议 → 两委商议 → 监督委员会核议 → 党员大会审议 →
// 居民（代表）会议决议 → 决议公开 → 实施结果公开); the drawer shows every stage's record (who, when,
// attendance and votes), the objections with their due dates and answers, and completes the current
// stage with what it needs (proposal text; meeting attendance, resolution and votes; publicity note).
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Drawer,
  Form,
  Input,
  InputNumber,
  Modal,
  Radio,
  Select,
  Space,
  Spin,
  Steps,
  Table,
  Tag,
  Timeline,
  Tooltip,
  Typography,
} from 'antd';
import type { TableColumnsType } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { errorText } from '../../api/client';
import { useAuth } from '../../auth/context';
import { applyServerErrors } from '../../lib/formErrors';
import { formatTime } from '../../lib/time';
import { useRegions } from '../../regions/context';
import {
  DECISION_STATUS_COLOR,
  democracy2Api,
  type DecisionDetail,
  type DecisionItem,
  type DecisionObjection,
  type StageCompletion,
} from './api2';

const STEP_KINDS: Record<string, string> = {
  created: '创建事项',
  completed: '完成环节',
  objection: '收到异议',
  'objection-answered': '答复异议',
};

function CreateModal({ onClose, onDone }: { onClose: () => void; onDone: (d: DecisionItem) => void }) {
  const { message } = App.useApp();
  const { selected, index } = useRegions();
  const communities = useMemo(() => {
    const out: { value: string; label: string }[] = [];
    for (const r of index.values()) {
      if (r.node.level !== 'community') continue;
      if (selected && !r.path.some((p) => p.id === selected.node.id)) continue;
      out.push({ value: r.node.id, label: r.path.map((p) => p.name).join(' / ') });
    }
    return out;
  }, [index, selected]);
  const [form] = Form.useForm<{ regionId: string; title: string; description?: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      const d = await democracy2Api.createDecision({
        regionId: v.regionId,
        title: v.title.trim(),
        ...(v.description?.trim() ? { description: v.description.trim() } : {}),
      });
      message.success('决策事项已创建');
      onDone(d);
    } catch (err) {
      setError(applyServerErrors(form, err, ['regionId', 'title', 'description']));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title="新建决策事项"
      okText="创建"
      confirmLoading={busy}
      onCancel={onClose}
      onOk={() => void submit().catch(() => setBusy(false))}
    >
      {error && <Alert type="error" showIcon title={error} className="form-alert" />}
      <Form form={form} layout="vertical" initialValues={{ regionId: communities.length === 1 ? communities[0]!.value : undefined }}>
        <Form.Item name="regionId" label="社区" rules={[{ required: true, message: '请选择社区' }]}>
          <Select options={communities} />
        </Form.Item>
        <Form.Item name="title" label="事项" rules={[{ required: true, whitespace: true, min: 2, message: '请填写事项' }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="description" label="说明">
          <Input.TextArea rows={3} maxLength={5000} />
        </Form.Item>
        <Typography.Paragraph type="secondary" style={{ fontSize: 13 }}>
          按“五议两公开”默认环节办理：提议 → 两委商议 → 监督委员会核议 → 党员大会审议 → 居民（代表）会议决议 → 决议公开 →
          实施结果公开。会议出席须超过应到人数的一半；公开环节公示不少于 7 天，异议须在 5 个工作日内答复，公示期满且异议均已答复方可完成。
        </Typography.Paragraph>
      </Form>
    </Modal>
  );
}

function StageForm({ d, onDone }: { d: DecisionDetail; onDone: (x: DecisionDetail) => void }) {
  const { message } = App.useApp();
  const [form] = Form.useForm<StageCompletion>();
  const [busy, setBusy] = useState(false);
  const stage = d.chain[d.currentStage];
  if (d.status !== 'in_progress' || !stage) return <Typography.Text type="secondary">事项已{d.statusLabel}。</Typography.Text>;
  const unanswered = d.objections.filter((o) => o.stageIndex === d.currentStage && !o.answeredAt).length;
  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      const body: StageCompletion = { stage: stage.key };
      if (v.text?.trim()) body.text = v.text.trim();
      if (stage.kind === 'meeting') {
        Object.assign(body, {
          expected: v.expected,
          attendees: v.attendees,
          resolution: v.resolution,
          votesFor: v.votesFor ?? 0,
          votesAgainst: v.votesAgainst ?? 0,
          votesAbstain: v.votesAbstain ?? 0,
        });
        if (v.minutes?.trim()) body.minutes = v.minutes.trim();
      }
      const x = await democracy2Api.completeStage(d.id, body);
      message.success(`「${stage.name}」已完成`);
      form.resetFields();
      onDone(x);
    } catch (err) {
      message.error(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form form={form} layout="vertical" initialValues={{ resolution: 'passed' }} data-testid="decision-stage-form">
      <Typography.Paragraph>
        当前环节：<strong>{stage.name}</strong>（{stage.rule}）
      </Typography.Paragraph>
      {stage.kind === 'proposal' && (
        <Form.Item name="text" label="提议内容（提议人、事由）" rules={[{ required: true, whitespace: true, message: '请填写提议内容' }]}>
          <Input.TextArea rows={4} maxLength={5000} />
        </Form.Item>
      )}
      {stage.kind === 'meeting' && (
        <>
          <Space wrap>
            <Form.Item name="expected" label="应到人数" rules={[{ required: true, message: '必填' }]}>
              <InputNumber min={0} />
            </Form.Item>
            <Form.Item name="attendees" label="实到人数" rules={[{ required: true, message: '必填' }]}>
              <InputNumber min={0} />
            </Form.Item>
            <Form.Item name="votesFor" label="赞成">
              <InputNumber min={0} />
            </Form.Item>
            <Form.Item name="votesAgainst" label="反对">
              <InputNumber min={0} />
            </Form.Item>
            <Form.Item name="votesAbstain" label="弃权">
              <InputNumber min={0} />
            </Form.Item>
          </Space>
          <Form.Item name="resolution" label="表决结果" rules={[{ required: true }]}>
            <Radio.Group
              options={[
                { value: 'passed', label: '通过' },
                { value: 'not_passed', label: '未通过（事项终止）' },
              ]}
            />
          </Form.Item>
          <Form.Item name="minutes" label="会议纪要">
            <Input.TextArea rows={3} maxLength={5000} />
          </Form.Item>
        </>
      )}
      {stage.kind === 'publicity' && (
        <>
          <Alert
            type={unanswered ? 'warning' : 'info'}
            showIcon
            style={{ marginBottom: 12 }}
            title={`公示期至 ${formatTime(d.publicityEndsAt, 'YYYY-MM-DD HH:mm')}；${unanswered ? `还有 ${unanswered} 条异议未答复` : '异议均已答复'}。公示期满且异议均已答复方可完成。`}
          />
          <Form.Item name="text" label="公开说明">
            <Input.TextArea rows={3} maxLength={5000} />
          </Form.Item>
        </>
      )}
      <Button type="primary" loading={busy} onClick={() => void submit().catch(() => setBusy(false))}>
        完成「{stage.name}」
      </Button>
    </Form>
  );
}

function stepText(data: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof data.expected === 'number') parts.push(`应到 ${data.expected} 人，实到 ${String(data.attendees)} 人`);
  if (data.resolution) parts.push(data.resolution === 'passed' ? '表决通过' : '表决未通过');
  if (typeof data.votesFor === 'number')
    parts.push(`赞成 ${data.votesFor}，反对 ${String(data.votesAgainst)}，弃权 ${String(data.votesAbstain)}`);
  if (typeof data.text === 'string') parts.push(data.text);
  if (typeof data.minutes === 'string') parts.push(`纪要：${data.minutes}`);
  if (typeof data.dueAt === 'string') parts.push(`答复期限 ${formatTime(data.dueAt, 'YYYY-MM-DD HH:mm')}`);
  if (data.late === true) parts.push('逾期答复');
  return parts.join('；');
}

function DecisionDrawer({ id, onClose, onChanged }: { id: string | null; onClose: () => void; onChanged: () => void }) {
  const { can } = useAuth();
  const { message } = App.useApp();
  const [d, setD] = useState<DecisionDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [answering, setAnswering] = useState<DecisionObjection | null>(null);
  const [answer, setAnswer] = useState('');
  useEffect(() => {
    if (!id) return;
    let cancelled = false;
    democracy2Api
      .decision(id)
      .then((x) => !cancelled && setD(x))
      .catch((err: unknown) => !cancelled && setError(errorText(err)));
    return () => {
      cancelled = true;
    };
  }, [id]);
  const cur = d && d.id === id ? d : null;
  const manage = can('democracy.manage');
  return (
    <Drawer title={cur?.title ?? '决策事项'} open={id !== null} onClose={onClose} size={880} destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} />}
      {!cur && !error && <Spin />}
      {cur && (
        <div data-testid="decision-drawer">
          <Descriptions size="small" bordered column={2} style={{ marginBottom: 16 }}>
            <Descriptions.Item label="状态">
              <Tag color={DECISION_STATUS_COLOR[cur.status] ?? 'default'}>{cur.statusLabel}</Tag>
            </Descriptions.Item>
            <Descriptions.Item label="创建">
              {cur.createdBy} · {formatTime(cur.createdAt, 'YYYY-MM-DD HH:mm')}
            </Descriptions.Item>
            {cur.description ? (
              <Descriptions.Item label="说明" span={2}>
                <span style={{ whiteSpace: 'pre-wrap' }}>{cur.description}</span>
              </Descriptions.Item>
            ) : null}
          </Descriptions>
          <Steps
            size="small"
            current={cur.status === 'completed' ? cur.chain.length : cur.currentStage}
            status={cur.status === 'rejected' ? 'error' : undefined}
            items={cur.chain.map((s) => ({ title: s.name }))}
            style={{ marginBottom: 16 }}
          />
          <Typography.Title level={5}>办理记录</Typography.Title>
          <Timeline
            items={cur.steps.map((s) => ({
              content: (
                <div>
                  <strong>
                    {cur.chain[s.stageIndex]?.name ?? s.stageKey} · {STEP_KINDS[s.kind] ?? s.kind}
                  </strong>
                  <Typography.Text type="secondary" style={{ marginLeft: 8 }}>
                    {s.actorName} · {formatTime(s.at, 'YYYY-MM-DD HH:mm')}
                  </Typography.Text>
                  {stepText(s.data) && <div style={{ whiteSpace: 'pre-wrap' }}>{stepText(s.data)}</div>}
                </div>
              ),
            }))}
          />
          <Typography.Title level={5}>异议（{cur.objections.length}）</Typography.Title>
          {cur.objections.length === 0 ? (
            <Typography.Text type="secondary">暂无</Typography.Text>
          ) : (
            cur.objections.map((o) => (
              <div key={o.id} style={{ marginBottom: 10 }}>
                {o.answeredAt ? (
                  <Tag color="success">已答复</Tag>
                ) : o.overdue ? (
                  <Tag color="error">已逾期</Tag>
                ) : (
                  <Tag color="gold">待答复</Tag>
                )}
                <strong>{o.filedByName}</strong>（{cur.chain[o.stageIndex]?.name}）{formatTime(o.filedAt, 'MM-DD HH:mm')} · 期限{' '}
                {formatTime(o.dueAt, 'MM-DD HH:mm')}
                <div style={{ whiteSpace: 'pre-wrap' }}>{o.text}</div>
                {o.answer ? (
                  <div style={{ color: '#1f5fbf' }}>
                    答复（{o.answeredBy}）：{o.answer}
                  </div>
                ) : (
                  manage && (
                    <Button
                      size="small"
                      onClick={() => {
                        setAnswer('');
                        setAnswering(o);
                      }}
                    >
                      答复
                    </Button>
                  )
                )}
              </div>
            ))
          )}
          {manage && (
            <>
              <Typography.Title level={5} style={{ marginTop: 16 }}>
                办理当前环节
              </Typography.Title>
              <StageForm
                d={cur}
                onDone={(x) => {
                  setD(x);
                  onChanged();
                }}
              />
            </>
          )}
        </div>
      )}
      <Modal
        open={answering !== null}
        title="答复异议"
        okText="答复"
        okButtonProps={{ disabled: !answer.trim() }}
        onCancel={() => setAnswering(null)}
        onOk={async () => {
          try {
            setD(await democracy2Api.answerObjection(cur!.id, answering!.id, answer.trim()));
            setAnswering(null);
            message.success('已答复');
          } catch (err) {
            message.error(errorText(err));
          }
        }}
      >
        <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>{answering?.text}</Typography.Paragraph>
        <Input.TextArea rows={4} value={answer} onChange={(e) => setAnswer(e.target.value)} maxLength={2000} />
      </Modal>
    </Drawer>
  );
}

export default function DecisionsPage() {
  const { can } = useAuth();
  const { selected } = useRegions();
  const communityId = selected?.node.level === 'community' ? selected.node.id : undefined;
  const [items, setItems] = useState<DecisionItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [openId, setOpenId] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  useEffect(() => {
    let cancelled = false;
    democracy2Api
      .decisions(communityId)
      .then((r) => !cancelled && setItems(r))
      .catch((err: unknown) => !cancelled && setError(errorText(err)));
    return () => {
      cancelled = true;
    };
  }, [communityId, version]);
  const columns: TableColumnsType<DecisionItem> = [
    { title: '事项', dataIndex: 'title', render: (v: string) => <Typography.Link>{v}</Typography.Link> },
    {
      title: '当前环节',
      key: 'stage',
      width: 200,
      render: (_: unknown, r) =>
        r.currentStageName ? (
          <span>
            {r.currentStage + 1}/{r.chain.length} {r.currentStageName}
          </span>
        ) : (
          '—'
        ),
    },
    {
      title: '公示至',
      dataIndex: 'publicityEndsAt',
      width: 150,
      render: (v: string | null) => (v ? formatTime(v, 'YYYY-MM-DD HH:mm') : '—'),
    },
    {
      title: '状态',
      dataIndex: 'status',
      width: 110,
      render: (s: string, r) => <Tag color={DECISION_STATUS_COLOR[s] ?? 'default'}>{r.statusLabel}</Tag>,
    },
    { title: '创建', dataIndex: 'createdAt', width: 150, render: (v: string) => formatTime(v, 'YYYY-MM-DD HH:mm') },
  ];
  return (
    <div className="page">
      <Card
        className="page-card"
        title={
          <Space size={8}>
            <span>五议两公开</span>
            {selected && (
              <Typography.Text type="secondary" className="card-subtitle">
                {selected.node.name}
              </Typography.Text>
            )}
          </Space>
        }
        extra={
          <Space>
            <Tooltip title="刷新">
              <Button icon={<ReloadOutlined />} onClick={() => setVersion((v) => v + 1)} aria-label="刷新" />
            </Tooltip>
            {can('democracy.manage') && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
                新建事项
              </Button>
            )}
          </Space>
        }
      >
        {error && <Alert type="error" showIcon title={error} className="form-alert" />}
        <Table<DecisionItem>
          rowKey="id"
          size="middle"
          loading={items === null && !error}
          columns={columns}
          dataSource={items ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          onRow={(r) => ({ onClick: () => setOpenId(r.id), style: { cursor: 'pointer' } })}
          data-testid="decision-table"
        />
      </Card>
      {creating && (
        <CreateModal
          onClose={() => setCreating(false)}
          onDone={(d) => {
            setCreating(false);
            setVersion((x) => x + 1);
            setOpenId(d.id);
          }}
        />
      )}
      <DecisionDrawer id={openId} onClose={() => setOpenId(null)} onChanged={() => setVersion((x) => x + 1)} />
    </div>
  );
}
