// 协商议事 (民主协商): the consultations of the selected region; 录入议题 records one raised offline; the
// drawer shows every step (who, when, what), the residents' comments and the meetings, and takes the
// next step the server allows from the current state (审核, 方案, 公告, 规则, 协商, 会议, 意见, 结果告知).
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
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
  Table,
  Tag,
  Timeline,
  Tooltip,
  Typography,
} from 'antd';
import type { TableColumnsType } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { errorText } from '../../api/client';
import { useAuth } from '../../auth/context';
import { applyServerErrors } from '../../lib/formErrors';
import { formatTime, ZONE } from '../../lib/time';
import { useRegions } from '../../regions/context';
import {
  CONSULTATION_STATUSES,
  CONSULTATION_STEPS,
  democracy2Api,
  type Consultation,
  type ConsultationDetail,
  type MeetingRecord,
} from './api2';

const STATUS_COLOR: Record<string, string> = { proposed: 'gold', rejected: 'error', deliberating: 'processing', communicated: 'success' };

function RecordModal({ onClose, onDone }: { onClose: () => void; onDone: (c: Consultation) => void }) {
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
  const [form] = Form.useForm<{ regionId: string; title: string; description?: string; proposerName: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      const c = await democracy2Api.record({
        regionId: v.regionId,
        title: v.title.trim(),
        proposerName: v.proposerName.trim(),
        ...(v.description?.trim() ? { description: v.description.trim() } : {}),
      });
      message.success('议题已录入');
      onDone(c);
    } catch (err) {
      setError(applyServerErrors(form, err, ['regionId', 'title', 'description', 'proposerName']));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title="录入协商议题"
      okText="录入"
      confirmLoading={busy}
      onCancel={onClose}
      onOk={() => void submit().catch(() => setBusy(false))}
    >
      {error && <Alert type="error" showIcon title={error} className="form-alert" />}
      <Form form={form} layout="vertical" initialValues={{ regionId: communities.length === 1 ? communities[0]!.value : undefined }}>
        <Form.Item name="regionId" label="社区" rules={[{ required: true, message: '请选择社区' }]}>
          <Select options={communities} />
        </Form.Item>
        <Form.Item name="title" label="议题" rules={[{ required: true, whitespace: true, min: 2, message: '请填写议题' }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="description" label="说明">
          <Input.TextArea rows={3} maxLength={5000} />
        </Form.Item>
        <Form.Item name="proposerName" label="提议人" rules={[{ required: true, whitespace: true, message: '请填写提议人姓名' }]}>
          <Input maxLength={50} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

interface StepValues {
  step: string;
  text?: string;
  reason?: string;
  mKind?: 'online' | 'offline';
  heldAt?: Dayjs;
  place?: string;
  attendeesCount?: number;
  minutes?: string;
  attendees?: string;
}

function StepForm({ c, onDone }: { c: ConsultationDetail; onDone: () => void }) {
  const { message } = App.useApp();
  const [form] = Form.useForm<StepValues>();
  const [busy, setBusy] = useState(false);
  const options = Object.entries(CONSULTATION_STEPS)
    .filter(([, s]) => s.from.includes(c.status))
    .map(([value, s]) => ({ value, label: s.label }));
  const step = Form.useWatch('step', form);
  const mKind = Form.useWatch('mKind', form);
  const needs = step ? CONSULTATION_STEPS[step]?.needs : null;
  if (options.length === 0) return <Typography.Text type="secondary">该议题已办结。</Typography.Text>;

  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      let meeting: MeetingRecord | undefined;
      if (needs === 'meeting') {
        const names = (v.attendees ?? '')
          .split(/[,，、\s]+/)
          .map((s) => s.trim())
          .filter(Boolean);
        meeting = {
          kind: v.mKind ?? 'offline',
          heldAt: dayjs.tz(v.heldAt!.format('YYYY-MM-DD HH:mm'), ZONE).toISOString(),
          attendeesCount: v.attendeesCount ?? 0,
          minutes: (v.minutes ?? '').trim(),
          ...(v.place?.trim() ? { place: v.place.trim() } : {}),
          ...(names.length ? { attendees: names.map((name) => ({ name })) } : {}),
        };
      }
      await democracy2Api.step(c.id, {
        step: v.step,
        ...(needs === 'text' && v.text?.trim() ? { text: v.text.trim() } : {}),
        ...(needs === 'reason' && v.reason?.trim() ? { reason: v.reason.trim() } : {}),
        ...(meeting ? { meeting } : {}),
      });
      message.success(`${CONSULTATION_STEPS[v.step]?.label ?? v.step}：已办理`);
      form.resetFields();
      onDone();
    } catch (err) {
      message.error(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Form form={form} layout="vertical" initialValues={{ step: options[0]!.value, mKind: 'offline' }} data-testid="consultation-step-form">
      <Form.Item name="step" label="下一步" rules={[{ required: true }]}>
        <Radio.Group optionType="button" options={options} />
      </Form.Item>
      {needs === 'text' && (
        <Form.Item name="text" label="内容" rules={[{ required: true, whitespace: true, message: '请填写内容' }]}>
          <Input.TextArea rows={4} maxLength={5000} />
        </Form.Item>
      )}
      {needs === 'reason' && (
        <Form.Item name="reason" label="不通过理由" rules={[{ required: true, whitespace: true, message: '请说明理由' }]}>
          <Input.TextArea rows={3} maxLength={1000} />
        </Form.Item>
      )}
      {needs === 'meeting' && (
        <>
          <Space wrap>
            <Form.Item name="mKind" label="形式">
              <Radio.Group
                options={[
                  { value: 'offline', label: '线下会议' },
                  { value: 'online', label: '线上会议' },
                ]}
              />
            </Form.Item>
            <Form.Item name="heldAt" label="会议时间" rules={[{ required: true, message: '请选择时间' }]}>
              <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" />
            </Form.Item>
            <Form.Item name="attendeesCount" label="参会人数" rules={[{ required: true, message: '请填写人数' }]}>
              <InputNumber min={0} />
            </Form.Item>
          </Space>
          {mKind === 'offline' && (
            <Form.Item name="place" label="地点" rules={[{ required: true, whitespace: true, message: '线下会议须填写地点' }]}>
              <Input maxLength={200} />
            </Form.Item>
          )}
          <Form.Item name="attendees" label="记名参会人员（以逗号或空格分隔，可选）">
            <Input />
          </Form.Item>
          <Form.Item name="minutes" label="会议纪要" rules={[{ required: true, whitespace: true, message: '请填写会议纪要' }]}>
            <Input.TextArea rows={4} maxLength={5000} />
          </Form.Item>
        </>
      )}
      <Button type="primary" loading={busy} onClick={() => void submit().catch(() => setBusy(false))}>
        办理
      </Button>
    </Form>
  );
}

function ConsultationDrawer({ id, onClose, onChanged }: { id: string | null; onClose: () => void; onChanged: () => void }) {
  const { can } = useAuth();
  const [d, setD] = useState<ConsultationDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    if (!id) return;
    let cancelled = false;
    democracy2Api
      .consultation(id)
      .then((x) => !cancelled && setD(x))
      .catch((err: unknown) => !cancelled && setError(errorText(err)));
    return () => {
      cancelled = true;
    };
  }, [id, version]);
  const cur = d && d.id === id ? d : null;
  return (
    <Drawer title={cur?.title ?? '协商议题'} open={id !== null} onClose={onClose} size={820} destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} />}
      {!cur && !error && <Spin />}
      {cur && (
        <div data-testid="consultation-drawer">
          <Descriptions size="small" bordered column={2} style={{ marginBottom: 16 }}>
            <Descriptions.Item label="状态">
              <Tag color={STATUS_COLOR[cur.status] ?? 'blue'}>{cur.statusLabel}</Tag>
            </Descriptions.Item>
            <Descriptions.Item label="提议人">{cur.proposerName}</Descriptions.Item>
            {cur.description ? (
              <Descriptions.Item label="说明" span={2}>
                <span style={{ whiteSpace: 'pre-wrap' }}>{cur.description}</span>
              </Descriptions.Item>
            ) : null}
          </Descriptions>
          <Typography.Title level={5}>办理过程</Typography.Title>
          <Timeline
            items={cur.steps.map((s) => ({
              content: (
                <div>
                  <strong>{s.label}</strong>
                  <Typography.Text type="secondary" style={{ marginLeft: 8 }}>
                    {s.actorName} · {formatTime(s.at, 'YYYY-MM-DD HH:mm')} → {CONSULTATION_STATUSES[s.toStatus] ?? s.toStatus}
                  </Typography.Text>
                  {s.text && <div style={{ whiteSpace: 'pre-wrap' }}>{s.text}</div>}
                  {s.reason && <div style={{ color: '#cf1322' }}>理由：{s.reason}</div>}
                  {s.meeting && (
                    <div style={{ color: '#6b778c' }}>
                      {s.meeting.kind === 'online' ? '线上会议' : `线下会议 · ${s.meeting.place ?? ''}`} ·{' '}
                      {formatTime(s.meeting.heldAt, 'MM-DD HH:mm')} · 参会 {s.meeting.attendeesCount} 人
                      <div style={{ whiteSpace: 'pre-wrap' }}>纪要：{s.meeting.minutes}</div>
                    </div>
                  )}
                </div>
              ),
            }))}
          />
          <Typography.Title level={5}>居民意见（{cur.comments.length}）</Typography.Title>
          {cur.comments.length === 0 ? (
            <Typography.Text type="secondary">暂无</Typography.Text>
          ) : (
            cur.comments.map((x) => (
              <div key={x.id} style={{ marginBottom: 8 }}>
                <strong>{x.authorName}</strong>
                <Typography.Text type="secondary" style={{ marginLeft: 8 }}>
                  {formatTime(x.at, 'MM-DD HH:mm')}
                </Typography.Text>
                <div style={{ whiteSpace: 'pre-wrap' }}>{x.text}</div>
              </div>
            ))
          )}
          {can('democracy.manage') && (
            <>
              <Typography.Title level={5} style={{ marginTop: 16 }}>
                办理
              </Typography.Title>
              <StepForm
                c={cur}
                onDone={() => {
                  setVersion((x) => x + 1);
                  onChanged();
                }}
              />
            </>
          )}
        </div>
      )}
    </Drawer>
  );
}

export default function ConsultationsPage() {
  const { can } = useAuth();
  const { selected } = useRegions();
  const communityId = selected?.node.level === 'community' ? selected.node.id : undefined;
  const [items, setItems] = useState<Consultation[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [openId, setOpenId] = useState<string | null>(null);
  const [recording, setRecording] = useState(false);
  useEffect(() => {
    let cancelled = false;
    democracy2Api
      .consultations(communityId)
      .then((r) => !cancelled && setItems(r))
      .catch((err: unknown) => !cancelled && setError(errorText(err)));
    return () => {
      cancelled = true;
    };
  }, [communityId, version]);

  const columns: TableColumnsType<Consultation> = [
    { title: '议题', dataIndex: 'title', render: (v: string) => <Typography.Link>{v}</Typography.Link> },
    { title: '提议人', dataIndex: 'proposerName', width: 120 },
    {
      title: '状态',
      dataIndex: 'status',
      width: 140,
      render: (s: string, r) => <Tag color={STATUS_COLOR[s] ?? 'blue'}>{r.statusLabel}</Tag>,
    },
    { title: '提出时间', dataIndex: 'createdAt', width: 150, render: (v: string) => formatTime(v, 'YYYY-MM-DD HH:mm') },
    { title: '更新时间', dataIndex: 'updatedAt', width: 150, render: (v: string) => formatTime(v, 'YYYY-MM-DD HH:mm') },
  ];
  return (
    <div className="page">
      <Card
        className="page-card"
        title={
          <Space size={8}>
            <span>协商议事</span>
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
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setRecording(true)}>
                录入议题
              </Button>
            )}
          </Space>
        }
      >
        {error && <Alert type="error" showIcon title={error} className="form-alert" />}
        <Table<Consultation>
          rowKey="id"
          size="middle"
          loading={items === null && !error}
          columns={columns}
          dataSource={items ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          onRow={(r) => ({ onClick: () => setOpenId(r.id), style: { cursor: 'pointer' } })}
          data-testid="consultation-table"
        />
      </Card>
      {recording && (
        <RecordModal
          onClose={() => setRecording(false)}
          onDone={(c) => {
            setRecording(false);
            setVersion((x) => x + 1);
            setOpenId(c.id);
          }}
        />
      )}
      <ConsultationDrawer id={openId} onClose={() => setOpenId(null)} onChanged={() => setVersion((x) => x + 1)} />
    </div>
  );
}
