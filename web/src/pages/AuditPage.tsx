import { formatTime } from '../lib/time';
import { CheckCircleOutlined, ReloadOutlined, SafetyCertificateOutlined, SearchOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Checkbox, DatePicker, Descriptions, Form, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { errorText } from '../api/client';
import { auditApi } from '../api/endpoints';
import type { AuditEntry, AuditOutcome, AuditQuery, AuditVerify } from '../api/types';
import { useAuth } from '../auth/context';
import { ACTION_LABEL, OUTCOME_LABEL, TARGET_TYPE_LABEL } from '../lib/labels';
import { useRegions } from '../regions/context';

const PAGE_SIZE = 50;

interface FilterValues {
  range?: [Dayjs | null, Dayjs | null] | null;
  action?: string;
  outcome?: AuditOutcome;
  onlySelected?: boolean;
}

interface Listing {
  query: AuditQuery;
  version: number;
  items: AuditEntry[];
  nextBefore: string | null;
  error: string | null;
}

function toQuery(v: FilterValues, regionId: string | null): AuditQuery {
  const [from, to] = v.range ?? [];
  return {
    ...(from ? { from: from.toISOString() } : {}),
    ...(to ? { to: to.toISOString() } : {}),
    ...(v.action ? { action: v.action } : {}),
    ...(v.outcome ? { outcome: v.outcome } : {}),
    ...(v.onlySelected && regionId ? { targetId: regionId } : {}),
  };
}

function AuditDetail({ entry }: { entry: AuditEntry }) {
  return (
    <div className="audit-detail">
      <Descriptions
        size="small"
        column={2}
        items={[
          { key: 'id', label: '记录 ID', children: <span className="mono">{entry.id}</span> },
          { key: 'actor', label: '操作人 ID', children: <span className="mono">{entry.actorId ?? '—'}</span> },
          { key: 'ua', label: '客户端', span: 2, children: entry.userAgent ?? '—' },
          {
            key: 'hash',
            label: '哈希',
            span: 2,
            children: entry.hash ? (
              <span className="mono">{entry.hash}</span>
            ) : (
              <Typography.Text type="secondary">尚未封存入链</Typography.Text>
            ),
          },
        ]}
      />
      <div className="section-label">详情</div>
      <pre className="json-block">{JSON.stringify(entry.detail, null, 2)}</pre>
    </div>
  );
}

export default function AuditPage() {
  const { roleLabel } = useAuth();
  const { selected, selectedId } = useRegions();
  const { message } = App.useApp();
  const [form] = Form.useForm<FilterValues>();
  const [filters, setFilters] = useState<FilterValues>({});
  const [version, setVersion] = useState(0);
  const [listing, setListing] = useState<Listing | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [verifying, setVerifying] = useState(false);
  const [verify, setVerify] = useState<{ result: AuditVerify; at: string } | null>(null);

  const query = useMemo(() => toQuery(filters, selectedId), [filters, selectedId]);

  useEffect(() => {
    let cancelled = false;
    auditApi
      .list({ ...query, limit: PAGE_SIZE })
      .then((page) => {
        if (!cancelled) setListing({ query, version, items: page.items, nextBefore: page.nextBefore, error: null });
      })
      .catch((err: unknown) => {
        if (!cancelled) setListing({ query, version, items: [], nextBefore: null, error: errorText(err) });
      });
    return () => {
      cancelled = true;
    };
  }, [query, version]);

  const current = listing && listing.query === query && listing.version === version ? listing : null;
  const loading = current === null;

  const loadMore = async () => {
    if (!current || current.nextBefore === null) return;
    setLoadingMore(true);
    try {
      const page = await auditApi.list({ ...query, before: current.nextBefore, limit: PAGE_SIZE });
      setListing((l) =>
        l && l.query === query && l.version === version ? { ...l, items: [...l.items, ...page.items], nextBefore: page.nextBefore } : l,
      );
    } catch (err) {
      message.error(errorText(err));
    } finally {
      setLoadingMore(false);
    }
  };

  const runVerify = async () => {
    setVerifying(true);
    try {
      const result = await auditApi.verify();
      setVerify({ result, at: formatTime(new Date(), 'HH:mm:ss') });
      // Verifying seals pending entries: reload so their sequence numbers show.
      setVersion((v) => v + 1);
    } catch (err) {
      message.error(errorText(err));
    } finally {
      setVerifying(false);
    }
  };

  const columns: TableColumnsType<AuditEntry> = [
    {
      title: '序号',
      dataIndex: 'seq',
      width: 80,
      render: (v: number | null) =>
        v === null ? (
          <Tooltip title="已记录，尚未封存入哈希链">
            <Tag>待封存</Tag>
          </Tooltip>
        ) : (
          <span className="mono">{v}</span>
        ),
    },
    { title: '时间', dataIndex: 'occurredAt', width: 170, render: (t: string) => formatTime(t, 'YYYY-MM-DD HH:mm:ss') },
    {
      title: '操作人',
      key: 'actor',
      width: 170,
      render: (_, e) => (
        <div>
          <div>{e.actorName ?? <Typography.Text type="secondary">匿名</Typography.Text>}</div>
          <Typography.Text type="secondary" className="small-text">
            {[e.actorRoles.map((r) => roleLabel(r)).join('、'), e.ip].filter(Boolean).join(' · ')}
          </Typography.Text>
        </div>
      ),
    },
    {
      title: '操作',
      dataIndex: 'action',
      width: 150,
      render: (a: string) => (
        <div>
          <div>{ACTION_LABEL[a] ?? a}</div>
          <Typography.Text type="secondary" className="small-text mono">
            {a}
          </Typography.Text>
        </div>
      ),
    },
    {
      title: '对象',
      key: 'target',
      render: (_, e) =>
        e.targetId || e.targetType ? (
          <div className="nowrap">
            {e.targetType && <Tag>{TARGET_TYPE_LABEL[e.targetType] ?? e.targetType}</Tag>}
            {e.targetId && (
              <Typography.Text className="small-text mono" copyable={{ text: e.targetId }}>
                {e.targetId.length > 13 ? `${e.targetId.slice(0, 13)}…` : e.targetId}
              </Typography.Text>
            )}
          </div>
        ) : (
          <Typography.Text type="secondary">—</Typography.Text>
        ),
    },
    {
      title: '结果',
      key: 'outcome',
      width: 110,
      render: (_, e) => {
        const l = OUTCOME_LABEL[e.outcome];
        return (
          <Space size={4}>
            <Tag color={l?.color} className="outcome-tag">
              {l?.text ?? e.outcome}
            </Tag>
            <Typography.Text type="secondary" className="small-text mono">
              {e.statusCode}
            </Typography.Text>
          </Space>
        );
      },
    },
  ];

  return (
    <div className="page">
      <Card
        className="page-card"
        title="审计日志"
        extra={
          <Space>
            <Tooltip title="刷新">
              <Button icon={<ReloadOutlined />} onClick={() => setVersion((v) => v + 1)} aria-label="刷新" />
            </Tooltip>
            <Button icon={<SafetyCertificateOutlined />} loading={verifying} onClick={() => void runVerify()} data-testid="audit-verify">
              校验哈希链
            </Button>
          </Space>
        }
      >
        <Form<FilterValues>
          form={form}
          layout="inline"
          className="filter-bar"
          onFinish={(v) => setFilters(v)}
          initialValues={{ onlySelected: false }}
        >
          <Form.Item name="range" label="时间范围">
            <DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" allowEmpty={[true, true]} />
          </Form.Item>
          <Form.Item name="action" label="操作">
            <Select
              allowClear
              showSearch={{ optionFilterProp: 'label' }}
              placeholder="全部操作"
              className="filter-select"
              options={Object.entries(ACTION_LABEL).map(([value, label]) => ({ value, label: `${label}（${value}）` }))}
            />
          </Form.Item>
          <Form.Item name="outcome" label="结果">
            <Select
              allowClear
              placeholder="全部结果"
              className="filter-select-sm"
              options={Object.entries(OUTCOME_LABEL).map(([value, l]) => ({ value, label: l.text }))}
            />
          </Form.Item>
          {selected && (
            <Form.Item name="onlySelected" valuePropName="checked">
              <Checkbox>仅看「{selected.node.name}」的记录</Checkbox>
            </Form.Item>
          )}
          <Form.Item>
            <Space>
              <Button type="primary" htmlType="submit" icon={<SearchOutlined />}>
                查询
              </Button>
              <Button
                onClick={() => {
                  form.resetFields();
                  setFilters({});
                }}
              >
                重置
              </Button>
            </Space>
          </Form.Item>
        </Form>

        {verify && (
          <Alert
            className="form-alert"
            data-testid="audit-verify-result"
            type={verify.result.ok ? 'success' : 'error'}
            showIcon
            icon={verify.result.ok ? <CheckCircleOutlined /> : undefined}
            closable={{ onClose: () => setVerify(null) }}
            title={verify.result.ok ? '哈希链完整，未发现篡改' : '哈希链校验失败：日志可能被篡改'}
            description={
              verify.result.ok
                ? `已校验 ${verify.result.checked} 条记录，最新序号 ${verify.result.lastSeq}${verify.result.pending ? `，另有 ${verify.result.pending} 条待封存` : ''}（${verify.at} 校验）`
                : `已校验 ${verify.result.checked} 条记录；在序号 ${verify.result.break?.seq ?? '?'} 处断裂：${verify.result.break?.reason ?? '未知原因'}（${verify.at} 校验）`
            }
          />
        )}
        {current?.error && <Alert type="error" showIcon title="审计日志加载失败" description={current.error} className="form-alert" />}

        <div data-testid="audit-table">
          <Table<AuditEntry>
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={listing?.items ?? []}
            loading={loading}
            pagination={false}
            scroll={{ x: 860 }}
            expandable={{ expandedRowRender: (e) => <AuditDetail entry={e} /> }}
          />
        </div>
        <div className="load-more">
          {current && current.nextBefore !== null ? (
            <Button onClick={() => void loadMore()} loading={loadingMore} data-testid="audit-load-more">
              加载更多
            </Button>
          ) : current && current.items.length > 0 ? (
            <Typography.Text type="secondary">已显示全部 {current.items.length} 条记录</Typography.Text>
          ) : null}
        </div>
      </Card>
    </div>
  );
}
