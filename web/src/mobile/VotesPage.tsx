// 移动端 我的投票 (residents, signed in): the open and recent votes of the resident's community, with
// their status, closing time and whether the resident has voted, may vote or is not on the list.
import { Alert, Button, Empty, Spin, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { errorText } from '../api/client';
import { useAuth } from '../auth/context';
import { formatTime } from '../lib/time';
import { democracyApi, STATUS_COLOR, type MyVote } from '../pages/democracy/api';
import './mobile.css';
import './Vote.css';

export function VoteBadge({ v }: { v: MyVote }) {
  if (v.voted) return <span className="m-vote-badge voted">已投票</span>;
  if (!v.eligibleToVote) return <span className="m-vote-badge out">不在名单</span>;
  if (v.status === 'open') return <span className="m-vote-badge can">可投票</span>;
  return null;
}

export function VoteHeader({ title }: { title: string }) {
  const { user, logout } = useAuth();
  return (
    <div className="m-header">
      <span>{title}</span>
      {user && (
        <span style={{ fontSize: 14, fontWeight: 400 }}>
          {user.displayName}{' '}
          <a style={{ color: '#fff' }} onClick={() => void logout()}>
            退出
          </a>
        </span>
      )}
    </div>
  );
}

export default function VotesPage() {
  const navigate = useNavigate();
  const [items, setItems] = useState<MyVote[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    let cancelled = false;
    democracyApi
      .myVotes()
      .then((r) => {
        if (cancelled) return;
        setItems(r);
        setError(null);
      })
      .catch((err: unknown) => {
        if (cancelled) return;
        setError(errorText(err));
        setItems([]);
      });
    return () => {
      cancelled = true;
    };
  }, [version]);

  return (
    <div className="m-page">
      <VoteHeader title="社区投票" />
      <div className="m-body">
        {error && <Alert type="error" title={error} style={{ marginBottom: 12 }} />}
        {items === null ? (
          <div className="center-pad">
            <Spin />
          </div>
        ) : items.length === 0 ? (
          <Empty description="暂无投票" />
        ) : (
          items.map((v) => (
            <div
              key={v.id}
              className="m-card m-task"
              role="button"
              tabIndex={0}
              data-testid="m-vote"
              onClick={() => void navigate(`/m/votes/${v.id}`)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') void navigate(`/m/votes/${v.id}`);
              }}
            >
              <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8, alignItems: 'flex-start' }}>
                <strong style={{ fontSize: 17 }}>{v.title}</strong>
                <VoteBadge v={v} />
              </div>
              <div style={{ margin: '8px 0 4px' }}>
                <Tag color={STATUS_COLOR[v.status] ?? 'default'}>{v.statusLabel}</Tag>
                <Tag>{v.kindLabel}</Tag>
                {v.secret ? <Tag color="blue">无记名</Tag> : <Tag color="gold">记名</Tag>}
              </div>
              <div className="m-muted">截止：{formatTime(v.closesAt, 'YYYY-MM-DD HH:mm')}</div>
            </div>
          ))
        )}
        <Button size="large" block onClick={() => setVersion((x) => x + 1)} style={{ marginTop: 8 }}>
          刷新
        </Button>
      </div>
    </div>
  );
}
