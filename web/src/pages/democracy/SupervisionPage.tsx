// 民主监督: 公开清单 — the published matters, finances (ledger with its total) and decisions, each with the
// 居务监督委员会's opinions and the questions on it; 发布公开事项 with a ledger editor (a running total for
// finances); 质询与举报 — every question and report with its due date (5 working days), overdue ones
// marked, and 答复.
import { MinusCircleOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
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
  Segmented,
  Select,
  Space,
  Spin,
  Table,
  Tabs,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import type { TableColumnsType } from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { errorText } from '../../api/client';
import { useAuth } from '../../auth/context';
import { applyServerErrors } from '../../lib/formErrors';
import { formatTime } from '../../lib/time';
import { useRegions } from '../../regions/context';
import {
  democracy2Api,
  ledgerTotal,
  money,
  SUPERVISION_KINDS,
  type LedgerLine,
  type SupervisionDetail,
  type SupervisionItem,
  type SupervisionKind,
  type SupervisionQuestion,
} from './api2';

interface PublishValues {
  regionId: string;
  kind: SupervisionKind;
  title: string;
  period: string;
  content?: string;
  ledger?: { date?: Dayjs; item?: string; amount?: number | null; note?: string }[];
}

function useCommunities() {
  const { selected, index } = useRegions();
  return useMemo(() => {
    const out: { value: string; label: string }[] = [];
    for (const r of index.values()) {
      if (r.node.level !== 'community') continue;
      if (selected && !r.path.some((p) => p.id === selected.node.id)) continue;
      out.push({ value: r.node.id, label: r.path.map((p) => p.name).join(' / ') });
    }
    return out;
  }, [index, selected]);
}

function PublishModal({ onClose, onDone }: { onClose: () => void; onDone: (d: SupervisionDetail) => void }) {
  const { message } = App.useApp();
  const communities = useCommunities();
  const [form] = Form.useForm<PublishValues>();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const kind = Form.useWatch('kind', form) ?? 'finance';
  const ledger = Form.useWatch('ledger', form);
  const total = ledgerTotal((ledger ?? []).map((l) => ({ date: '', item: '', amount: l?.amount ?? 0 })));

  const submit = async () => {
    const v = await form.validateFields();
    setSaving(true);
    setError(null);
    const lines: LedgerLine[] = (v.ledger ?? []).map((l) => ({
      date: l.date!.format('YYYY-MM-DD'),
      item: (l.item ?? '').trim(),
      ...(l.amount !== undefined && l.amount !== null ? { amount: l.amount } : {}),
      ...(l.note?.trim() ? { note: l.note.trim() } : {}),
    }));
    try {
      const d = await democracy2Api.publishSupervision({
        regionId: v.regionId,
        kind: v.kind,
        title: v.title.trim(),
        period: v.period.trim(),
        ...(v.content?.trim() ? { content: v.content.trim() } : {}),
        ...(lines.length ? { ledger: lines } : {}),
      });
      message.success('已发布');
      onDone(d);
    } catch (err) {
      setError(applyServerErrors(form, err, ['regionId', 'kind', 'title', 'period', 'content', 'ledger']));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open
      title="发布公开事项"
      okText="发布"
      width={860}
      onOk={() => void submit().catch(() => setSaving(false))}
      onCancel={onClose}
      confirmLoading={saving}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} className="form-alert" />}
      <Form
        form={form}
        layout="vertical"
        initialValues={{ kind: 'finance', regionId: communities.length === 1 ? communities[0]!.value : undefined, ledger: [{}] }}
        data-testid="supervision-form"
      >
        <Form.Item name="regionId" label="社区" rules={[{ required: true, message: '请选择社区' }]}>
          <Select options={communities} placeholder="选择社区" />
        </Form.Item>
        <Form.Item name="kind" label="类别" rules={[{ required: true }]}>
          <Radio.Group optionType="button" options={Object.entries(SUPERVISION_KINDS).map(([value, label]) => ({ value, label }))} />
        </Form.Item>
        <Space style={{ width: '100%' }} align="start">
          <Form.Item
            name="title"
            label="标题"
            rules={[{ required: true, whitespace: true, min: 2, message: '请填写标题' }]}
            style={{ width: 460 }}
          >
            <Input maxLength={100} placeholder="如：2026年第三季度社区公益金收支" />
          </Form.Item>
          <Form.Item
            name="period"
            label="所属期间"
            rules={[{ required: true, whitespace: true, message: '请填写期间' }]}
            style={{ width: 260 }}
          >
            <Input maxLength={40} placeholder="如：2026年第三季度" />
          </Form.Item>
        </Space>
        <Form.Item name="content" label="说明">
          <Input.TextArea rows={3} maxLength={10000} />
        </Form.Item>
        <Typography.Text strong>台账{kind === 'finance' ? '（财务公开必填：收入填正数，支出填负数）' : '（可选）'}</Typography.Text>
        <Form.List name="ledger">
          {(fields, { add, remove }) => (
            <div style={{ marginTop: 8 }} data-testid="supervision-ledger">
              {fields.map((f, i) => (
                <Space key={f.key} align="start" style={{ display: 'flex' }}>
                  <Form.Item name={[f.name, 'date']} rules={[{ required: true, message: '日期' }]}>
                    <DatePicker placeholder={`日期 ${i + 1}`} style={{ width: 140 }} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'item']} rules={[{ required: true, whitespace: true, message: '请填写事项' }]}>
                    <Input placeholder={`事项 ${i + 1}`} style={{ width: 260 }} maxLength={200} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'amount']} rules={kind === 'finance' ? [{ required: true, message: '金额' }] : []}>
                    <InputNumber placeholder={`金额 ${i + 1}`} precision={2} style={{ width: 140 }} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'note']}>
                    <Input placeholder="备注" style={{ width: 150 }} maxLength={500} />
                  </Form.Item>
                  <MinusCircleOutlined style={{ marginTop: 9 }} onClick={() => remove(f.name)} aria-label="删除此行" />
                </Space>
              ))}
              <Space>
                <Button icon={<PlusOutlined />} onClick={() => add({})} data-testid="supervision-add-line">
                  添加一行
                </Button>
                {kind === 'finance' && (
                  <Typography.Text data-testid="supervision-running-total">
                    合计：<strong>{money(total)}</strong>
                  </Typography.Text>
                )}
              </Space>
            </div>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
}

function AnswerModal({ q, onClose, onDone }: { q: SupervisionQuestion; onClose: () => void; onDone: () => void }) {
  const { message } = App.useApp();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <Modal
      open
      title={q.kind === 'report' ? '答复举报' : '答复质询'}
      okText="答复"
      okButtonProps={{ disabled: text.trim().length < 2, loading: busy }}
      onCancel={onClose}
      onOk={async () => {
        setBusy(true);
        try {
          await democracy2Api.answer(q.id, text.trim());
          message.success('已答复');
          onDone();
        } catch (err) {
          message.error(errorText(err));
        } finally {
          setBusy(false);
        }
      }}
    >
      <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>{q.text}</Typography.Paragraph>
      <Input.TextArea
        rows={4}
        value={text}
        onChange={(e) => setText(e.target.value)}
        maxLength={5000}
        placeholder="答复内容（居民可在公示栏看到）"
      />
    </Modal>
  );
}

function dueTag(q: SupervisionQuestion) {
  if (q.answeredAt) return <Tag color="success">已答复</Tag>;
  if (q.overdue) return <Tag color="error">已逾期</Tag>;
  return <Tag color="gold">待答复</Tag>;
}

function ItemDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  const [d, setD] = useState<SupervisionDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!id) return;
    let cancelled = false;
    democracy2Api
      .supervisionItem(id)
      .then((x) => !cancelled && setD(x))
      .catch((err: unknown) => !cancelled && setError(errorText(err)));
    return () => {
      cancelled = true;
    };
  }, [id]);
  const cur = d && d.id === id ? d : null;
  const ledgerColumns: TableColumnsType<LedgerLine> = [
    { title: '日期', dataIndex: 'date', width: 110 },
    { title: '事项', dataIndex: 'item' },
    { title: '金额', dataIndex: 'amount', width: 140, align: 'right', render: (v: number | null | undefined) => money(v) },
    { title: '备注', dataIndex: 'note', width: 160, render: (v: string | null | undefined) => v ?? '' },
  ];
  return (
    <Drawer title={cur?.title ?? '公开事项'} open={id !== null} onClose={onClose} size={820} destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} />}
      {!cur && !error && <Spin />}
      {cur && (
        <div data-testid="supervision-drawer">
          <Descriptions size="small" bordered column={2} style={{ marginBottom: 16 }}>
            <Descriptions.Item label="类别">{cur.kindLabel}</Descriptions.Item>
            <Descriptions.Item label="期间">{cur.period}</Descriptions.Item>
            <Descriptions.Item label="发布">
              {cur.publishedBy} · {formatTime(cur.publishedAt, 'YYYY-MM-DD HH:mm')}
            </Descriptions.Item>
            <Descriptions.Item label="合计">{money(cur.total)}</Descriptions.Item>
            {cur.content ? (
              <Descriptions.Item label="说明" span={2}>
                <span style={{ whiteSpace: 'pre-wrap' }}>{cur.content}</span>
              </Descriptions.Item>
            ) : null}
          </Descriptions>
          {cur.ledger.length > 0 && (
            <Table<LedgerLine>
              rowKey={(_, i) => String(i)}
              size="small"
              columns={ledgerColumns}
              dataSource={cur.ledger}
              pagination={false}
              summary={() =>
                cur.total !== null ? (
                  <Table.Summary.Row>
                    <Table.Summary.Cell index={0} colSpan={2}>
                      <strong>合计</strong>
                    </Table.Summary.Cell>
                    <Table.Summary.Cell index={2} align="right">
                      <strong>{money(cur.total)}</strong>
                    </Table.Summary.Cell>
                    <Table.Summary.Cell index={3} />
                  </Table.Summary.Row>
                ) : null
              }
            />
          )}
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            居务监督委员会意见
          </Typography.Title>
          {cur.reviews.length === 0 ? (
            <Typography.Text type="secondary">暂无（由居务监督委员会成员在其账号中提出）</Typography.Text>
          ) : (
            cur.reviews.map((r, i) => (
              <div key={i} style={{ marginBottom: 8 }}>
                <Tag color={r.opinion === 'approved' ? 'green' : 'orange'}>{r.opinionLabel}</Tag>
                {r.reviewer} · {formatTime(r.at, 'YYYY-MM-DD HH:mm')}
                {r.text && <div style={{ whiteSpace: 'pre-wrap' }}>{r.text}</div>}
              </div>
            ))
          )}
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            质询与举报
          </Typography.Title>
          {cur.questions.length === 0 ? (
            <Typography.Text type="secondary">暂无</Typography.Text>
          ) : (
            cur.questions.map((q) => (
              <div key={q.id} style={{ marginBottom: 8 }}>
                {dueTag(q)} {q.kind === 'report' ? '举报（匿名）' : `质询 · ${q.asker ?? '未公开姓名'}`}：{q.text}
                {q.answer && <div style={{ color: '#1f5fbf' }}>答复：{q.answer}</div>}
              </div>
            ))
          )}
        </div>
      )}
    </Drawer>
  );
}

export default function SupervisionPage() {
  const { can } = useAuth();
  const manage = can('democracy.manage');
  const { selected } = useRegions();
  const communityId = selected?.node.level === 'community' ? selected.node.id : undefined;
  const [tab, setTab] = useState('items');
  const [kind, setKind] = useState<SupervisionKind | 'all'>('all');
  const [items, setItems] = useState<SupervisionItem[] | null>(null);
  const [questions, setQuestions] = useState<SupervisionQuestion[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [publishing, setPublishing] = useState(false);
  const [openId, setOpenId] = useState<string | null>(null);
  const [answering, setAnswering] = useState<SupervisionQuestion | null>(null);

  useEffect(() => {
    let cancelled = false;
    democracy2Api
      .supervision(communityId, kind === 'all' ? undefined : kind)
      .then((r) => !cancelled && setItems(r))
      .catch((err: unknown) => !cancelled && setError(errorText(err)));
    if (manage)
      democracy2Api
        .questions(communityId)
        .then((r) => !cancelled && setQuestions(r))
        .catch((err: unknown) => !cancelled && setError(errorText(err)));
    return () => {
      cancelled = true;
    };
  }, [communityId, kind, version, manage]);

  const titles = new Map((items ?? []).map((i) => [i.id, i.title]));
  const itemColumns: TableColumnsType<SupervisionItem> = [
    { title: '标题', dataIndex: 'title', render: (v: string) => <Typography.Link>{v}</Typography.Link> },
    { title: '类别', dataIndex: 'kindLabel', width: 100 },
    { title: '期间', dataIndex: 'period', width: 150 },
    { title: '合计', dataIndex: 'total', width: 140, align: 'right', render: (v: number | null) => money(v) },
    { title: '发布', dataIndex: 'publishedAt', width: 150, render: (v: string) => formatTime(v, 'YYYY-MM-DD HH:mm') },
  ];
  const questionColumns: TableColumnsType<SupervisionQuestion> = [
    {
      title: '类型',
      dataIndex: 'kind',
      width: 90,
      render: (k: string) => (k === 'report' ? <Tag color="red">举报</Tag> : <Tag color="blue">质询</Tag>),
    },
    {
      title: '内容',
      dataIndex: 'text',
      render: (t: string, q) => (
        <div>
          <div style={{ whiteSpace: 'pre-wrap' }}>{t}</div>
          {q.itemId && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              关于：{titles.get(q.itemId) ?? '公开事项'}
            </Typography.Text>
          )}
          {q.answer && <div style={{ color: '#1f5fbf' }}>答复：{q.answer}</div>}
        </div>
      ),
    },
    { title: '提出人', dataIndex: 'asker', width: 110, render: (a: string | null, q) => (q.kind === 'report' ? '匿名' : (a ?? '未公开')) },
    { title: '提出时间', dataIndex: 'askedAt', width: 140, render: (v: string) => formatTime(v, 'MM-DD HH:mm') },
    {
      title: '答复期限',
      dataIndex: 'dueAt',
      width: 170,
      render: (v: string, q) => (
        <span data-testid="question-due">
          {formatTime(v, 'YYYY-MM-DD HH:mm')} {dueTag(q)}
        </span>
      ),
    },
    {
      title: '操作',
      key: 'ops',
      width: 90,
      render: (_: unknown, q) =>
        q.answeredAt ? null : (
          <Button size="small" type="primary" onClick={() => setAnswering(q)} data-testid="question-answer">
            答复
          </Button>
        ),
    },
  ];

  const pending = (questions ?? []).filter((q) => !q.answeredAt).length;
  return (
    <div className="page">
      <Card
        className="page-card"
        title={
          <Space size={8}>
            <span>民主监督</span>
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
            {manage && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setPublishing(true)} data-testid="supervision-create">
                发布公开事项
              </Button>
            )}
          </Space>
        }
      >
        {error && <Alert type="error" showIcon title={error} className="form-alert" />}
        <Tabs
          activeKey={tab}
          onChange={setTab}
          items={[
            {
              key: 'items',
              label: '公开清单',
              children: (
                <>
                  <Segmented
                    style={{ marginBottom: 12 }}
                    value={kind}
                    onChange={(v) => setKind(v as SupervisionKind | 'all')}
                    options={[
                      { value: 'all', label: '全部' },
                      ...Object.entries(SUPERVISION_KINDS).map(([value, label]) => ({ value, label })),
                    ]}
                  />
                  <Table<SupervisionItem>
                    rowKey="id"
                    size="middle"
                    loading={items === null}
                    columns={itemColumns}
                    dataSource={items ?? []}
                    pagination={{ pageSize: 20, hideOnSinglePage: true }}
                    onRow={(r) => ({ onClick: () => setOpenId(r.id), style: { cursor: 'pointer' } })}
                    data-testid="supervision-table"
                  />
                </>
              ),
            },
            ...(manage
              ? [
                  {
                    key: 'questions',
                    label: `质询与举报${pending ? `（待答复 ${pending}）` : ''}`,
                    children: (
                      <Table<SupervisionQuestion>
                        rowKey="id"
                        size="middle"
                        loading={questions === null}
                        columns={questionColumns}
                        dataSource={questions ?? []}
                        pagination={{ pageSize: 20, hideOnSinglePage: true }}
                        data-testid="question-table"
                      />
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>
      {publishing && (
        <PublishModal
          onClose={() => setPublishing(false)}
          onDone={(d) => {
            setPublishing(false);
            setVersion((x) => x + 1);
            setOpenId(d.id);
          }}
        />
      )}
      {answering && (
        <AnswerModal
          q={answering}
          onClose={() => setAnswering(null)}
          onDone={() => {
            setAnswering(null);
            setVersion((x) => x + 1);
          }}
        />
      )}
      <ItemDrawer id={openId} onClose={() => setOpenId(null)} />
    </div>
  );
}
