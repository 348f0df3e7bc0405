// 现场签到: the electorate (search by name, paged) with who has taken part and through which channel;
// 签到 records an on-site voter before they cast a paper ballot.
import { Alert, App, Button, Input, Table, Tag } from 'antd';
import type { TableColumnsType } from 'antd';
import { useEffect, useState } from 'react';
import { errorText } from '../../api/client';
import type { Page } from '../../api/types';
import { area, channelLabel, democracyApi, type Vote, type Voter } from './api';

export function CheckInTab({ vote, onChanged }: { vote: Vote; onChanged: () => void }) {
  const { message } = App.useApp();
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [version, setVersion] = useState(0);
  const [data, setData] = useState<Page<Voter> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    democracyApi
      .voters(vote.id, { ...(q ? { q } : {}), page, pageSize })
      .then((d) => {
        if (cancelled) return;
        setData(d);
        setError(null);
      })
      .catch((err: unknown) => !cancelled && setError(errorText(err)));
    return () => {
      cancelled = true;
    };
  }, [vote.id, q, page, pageSize, version]);

  const checkIn = async (v: Voter) => {
    setBusy(v.voterKey);
    try {
      await democracyApi.checkIn(vote.id, v.voterKey);
      message.success(`${v.label} 已签到`);
      setVersion((x) => x + 1);
      onChanged();
    } catch (err) {
      message.error(errorText(err));
    } finally {
      setBusy(null);
    }
  };

  const columns: TableColumnsType<Voter> = [
    { title: '投票人', dataIndex: 'label' },
    ...(vote.kind === 'owners'
      ? [{ title: '专有部分面积', dataIndex: 'area', width: 130, render: (a: number | null) => (a === null ? '—' : area(a)) }]
      : []),
    {
      title: '参与',
      key: 'state',
      width: 200,
      render: (_: unknown, v: Voter) =>
        v.participated ? (
          <Tag color="success">已参与（{channelLabel(v.channel)}）</Tag>
        ) : (
          <Button
            size="small"
            type="primary"
            loading={busy === v.voterKey}
            disabled={vote.status !== 'open'}
            onClick={() => void checkIn(v)}
          >
            签到
          </Button>
        ),
    },
  ];

  return (
    <div data-testid="vote-checkin">
      {vote.status !== 'open' && <Alert type="info" showIcon title="只有投票进行中才能现场签到" style={{ marginBottom: 12 }} />}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Input.Search
        allowClear
        placeholder="按姓名搜索"
        onSearch={(v) => {
          setQ(v.trim());
          setPage(1);
        }}
        style={{ width: 260, marginBottom: 12 }}
      />
      <Table<Voter>
        rowKey="voterKey"
        size="small"
        loading={data === null && !error}
        columns={columns}
        dataSource={data?.items ?? []}
        pagination={{
          current: page,
          pageSize,
          total: data?.total ?? 0,
          showTotal: (t) => `共 ${t} 人`,
          onChange: (p, s) => {
            setPage(p);
            setPageSize(s);
          },
        }}
      />
    </div>
  );
}
