// 投票表决: the votes of the selected region (title, kind, method, status, 参与/应参与, closing time);
// 发起投票 drafts one; a row opens the vote's drawer (publish, check-in, paper ballots, result).
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useEffect, useState } from 'react';
import { errorText } from '../../api/client';
import { useAuth } from '../../auth/context';
import { formatTime } from '../../lib/time';
import { useRegions } from '../../regions/context';
import { democracyApi, STATUS_COLOR, turnoutText, type Vote } from './api';
import { CreateVoteModal } from './CreateVoteModal';
import { VoteDrawer } from './VoteDrawer';

type Loaded = { key: string; data: Vote[]; error: null } | { key: string; data: null; error: string };

export default function DemocracyVotesPage() {
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
      .then((data) => setLoaded({ key, data, error: null }))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setLoaded({ key, data: null, error: errorText(err) });
      });
    return () => ctrl.abort();
  }, [key, communityId]);

  const loading = loaded?.key !== key;

  const columns: TableColumnsType<Vote> = [
    { title: '标题', dataIndex: 'title', render: (v: string) => <Typography.Link>{v}</Typography.Link> },
    { title: '类型', dataIndex: 'kindLabel', width: 130 },
    { title: '方式', dataIndex: 'methodLabel', width: 150, render: (v: string, r) => (r.kind === 'owners' ? '同意/不同意/弃权' : v) },
    {
      title: '状态',
      dataIndex: 'status',
      width: 110,
      render: (_: string, r) => (
        <Tag color={STATUS_COLOR[r.status] ?? 'default'} data-status={r.status}>
          {r.statusLabel}
        </Tag>
      ),
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
      title: '截止时间',
      dataIndex: 'closesAt',
      width: 150,
      render: (v: string) => <span className="nowrap">{formatTime(v, 'YYYY-MM-DD HH:mm')}</span>,
    },
  ];

  return (
    <div className="page">
      <Card
        className="page-card"
        title={
          <Space size={8}>
            <span>投票表决</span>
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
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="vote-create">
                发起投票
              </Button>
            )}
          </Space>
        }
      >
        {loaded?.error && <Alert type="error" showIcon title={loaded.error} className="form-alert" />}
        <Table<Vote>
          rowKey="id"
          size="middle"
          loading={loading}
          columns={columns}
          dataSource={loaded?.data ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          onRow={(r) => ({ onClick: () => setOpenId(r.id), style: { cursor: 'pointer' } })}
          data-testid="vote-table"
        />
      </Card>
      {creating && (
        <CreateVoteModal
          onClose={() => setCreating(false)}
          onCreated={(v) => {
            setCreating(false);
            setVersion((x) => x + 1);
            setOpenId(v.id);
          }}
        />
      )}
      <VoteDrawer voteId={openId} onClose={() => setOpenId(null)} onChanged={() => setVersion((x) => x + 1)} />
    </div>
  );
}
