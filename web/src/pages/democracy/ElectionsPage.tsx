// 民主选举: the elections of the selected region (votes of kind 'election'); 发起选举 creates one, a row
// opens its drawer (nominations, 公示候选人, 发布投票, the vote's tabs).
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useEffect, useState } from 'react';
import { errorText } from '../../api/client';
import { useAuth } from '../../auth/context';
import { formatTime } from '../../lib/time';
import { useRegions } from '../../regions/context';
import { democracyApi, STATUS_COLOR, turnoutText, type Vote } from './api';
import { CreateElectionModal } from './CreateElectionModal';
import { ElectionDrawer } from './ElectionDrawer';

type Loaded = { key: string; data: Vote[]; error: null } | { key: string; data: null; error: string };

export default function ElectionsPage() {
  const { can } = useAuth();
  const { selected } = useRegions();
  const [version, setVersion] = useState(0);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);

  const communityId = selected?.node.level === 'community' ? selected.node.id : undefined;
  const key = JSON.stringify([communityId ?? null, version]);
  useEffect(() => {
    const ctrl = new AbortController();
    democracyApi
      .votes(communityId, ctrl.signal)
      .then((data) => setLoaded({ key, data: data.filter((v) => (v.kind as string) === 'election'), error: null }))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setLoaded({ key, data: null, error: errorText(err) });
      });
    return () => ctrl.abort();
  }, [key, communityId]);

  const columns: TableColumnsType<Vote> = [
    { title: '选举', dataIndex: 'title', render: (v: string) => <Typography.Link>{v}</Typography.Link> },
    { title: '应选名额', dataIndex: 'maxChoices', width: 100, render: (v: number | null) => (v ? `${v} 名` : '—') },
    {
      title: '候选人',
      key: 'candidates',
      width: 100,
      render: (_: unknown, r) => (r.options.length ? `${r.options.length} 名` : <Typography.Text type="secondary">未公示</Typography.Text>),
    },
    {
      title: '状态',
      dataIndex: 'status',
      width: 110,
      render: (_: string, r) => <Tag color={STATUS_COLOR[r.status] ?? 'default'}>{r.status === 'draft' ? '筹备中' : r.statusLabel}</Tag>,
    },
    {
      title: '参与/应参与',
      key: 'turnout',
      width: 170,
      render: (_: unknown, r) => (
        <span className="nowrap">{r.status === 'draft' ? '—' : turnoutText(r.participants, r.eligibleCount)}</span>
      ),
    },
    {
      title: '投票时间',
      key: 'period',
      width: 230,
      render: (_: unknown, r) => (
        <span className="nowrap">
          {formatTime(r.opensAt, 'MM-DD HH:mm')} 至 {formatTime(r.closesAt, 'MM-DD HH:mm')}
        </span>
      ),
    },
  ];

  return (
    <div className="page">
      <Card
        className="page-card"
        title={
          <Space size={8}>
            <span>民主选举</span>
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
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="election-create">
                发起选举
              </Button>
            )}
          </Space>
        }
      >
        {loaded?.error && <Alert type="error" showIcon title={loaded.error} className="form-alert" />}
        <Table<Vote>
          rowKey="id"
          size="middle"
          loading={loaded?.key !== key}
          columns={columns}
          dataSource={loaded?.data ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          onRow={(r) => ({ onClick: () => setOpenId(r.id), style: { cursor: 'pointer' } })}
          data-testid="election-table"
        />
      </Card>
      {creating && (
        <CreateElectionModal
          onClose={() => setCreating(false)}
          onCreated={(e) => {
            setCreating(false);
            setVersion((x) => x + 1);
            setOpenId(e.vote.id);
          }}
        />
      )}
      <ElectionDrawer voteId={openId} onClose={() => setOpenId(null)} onChanged={() => setVersion((x) => x + 1)} />
    </div>
  );
}
