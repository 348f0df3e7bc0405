// 移动端 我的消息 (signed in): the account's notifications — status changes of one's own reports, family
// alarms. Tapping one marks it read and opens its page.
import { Alert, Button, Empty, Spin } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { errorText } from '../api/client';
import { notificationsApi, type Notification, type NotificationPage } from '../api/notifications';
import { formatTime } from '../lib/time';
import { VoteHeader } from './VotesPage';
import './mobile.css';

export default function MessagesPage() {
  const navigate = useNavigate();
  const [page, setPage] = useState<NotificationPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(
    () =>
      notificationsApi
        .list({ limit: 100 })
        .then((p) => (setPage(p), setError(null)))
        .catch((err: unknown) => setError(errorText(err))),
    [],
  );
  useEffect(() => {
    void load();
  }, [load]);

  const open = async (n: Notification) => {
    if (!n.readAt) await notificationsApi.read(n.id).catch(() => {});
    if (n.link?.startsWith('/m/') && n.link !== '/m/messages') navigate(n.link);
    else void load();
  };

  return (
    <div className="m-page">
      <VoteHeader title="我的消息" />
      <div className="m-body" data-testid="m-messages">
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
        {page === null ? (
          <div className="center-pad">{!error && <Spin />}</div>
        ) : page.items.length === 0 ? (
          <Empty description="暂无消息" />
        ) : (
          <>
            <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', marginBottom: 8 }}>
              <span className="m-muted">未读 {page.unread} 条</span>
              <Button size="small" disabled={!page.unread} onClick={() => void notificationsApi.readAll().then(load)}>
                全部已读
              </Button>
            </div>
            {page.items.map((n) => (
              <div className="m-card" key={n.id} onClick={() => void open(n)} style={{ cursor: 'pointer', opacity: n.readAt ? 0.65 : 1 }}>
                <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8 }}>
                  <strong>
                    {!n.readAt && <span style={{ color: '#cf1322' }}>● </span>}
                    {n.title}
                  </strong>
                  <span className="m-muted">{formatTime(n.createdAt, 'MM-DD HH:mm')}</span>
                </div>
                <p style={{ margin: '6px 0 0' }}>{n.body}</p>
              </div>
            ))}
          </>
        )}
      </div>
    </div>
  );
}
