// 移动端 公示栏 (residents, signed in): 公开清单 (supervision lists, questions and reports), 候选人公示
// (elections), 协商议事 (consultations), 决策公开 (五议两公开 items in publicity) and 我的消息.
// ?tab=<key> opens a tab, ?election=<id> shows that election (a link from the community's notice).
import { Alert, Badge, Button, Empty, Spin, Tabs } from 'antd';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { errorText } from '../api/client';
import { formatTime } from '../lib/time';
import { notificationsApi, type Notification } from '../api/notifications';
import { BoardConsultations } from './BoardConsultations';
import { BoardDecisions } from './BoardDecisions';
import { BoardElections } from './BoardElections';
import { BoardSupervision } from './BoardSupervision';
import { VoteHeader } from './VotesPage';
import './mobile.css';
import './Vote.css';
import './Board.css';

/** The account's inbox (the same as 我的消息, /m/messages): consultation results and everything else it is told. */
function Messages({ items, onRead }: { items: Notification[] | null; onRead: (id: string) => void }) {
  if (items === null)
    return (
      <div className="center-pad">
        <Spin />
      </div>
    );
  if (items.length === 0) return <Empty description="暂无消息" />;
  return (
    <div data-testid="m-board-messages">
      {items.map((n) => (
        <div key={n.id} className={`m-card${n.readAt ? '' : ' m-unread'}`} data-testid="m-board-message">
          <strong>{n.title}</strong>
          <div style={{ whiteSpace: 'pre-wrap' }}>{n.body}</div>
          <div className="m-muted" style={{ display: 'flex', justifyContent: 'space-between', marginTop: 6 }}>
            <span>{formatTime(n.createdAt, 'YYYY-MM-DD HH:mm')}</span>
            {n.readAt ? <span>已读</span> : <a onClick={() => onRead(n.id)}>标为已读</a>}
          </div>
        </div>
      ))}
    </div>
  );
}

export default function BoardPage() {
  const [params, setParams] = useSearchParams();
  const electionId = params.get('election');
  const tab = params.get('tab') ?? (electionId ? 'elections' : 'lists');
  const [messages, setMessages] = useState<Notification[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    let cancelled = false;
    notificationsApi
      .list({ limit: 100 })
      .then((r) => !cancelled && setMessages(r.items))
      .catch((err: unknown) => {
        if (cancelled) return;
        setError(errorText(err));
        setMessages([]);
      });
    return () => {
      cancelled = true;
    };
  }, [version]);

  const read = (id: string) => {
    notificationsApi
      .read(id)
      .then(() => setVersion((x) => x + 1))
      .catch((err: unknown) => setError(errorText(err)));
  };
  const unread = messages?.filter((m) => !m.readAt).length ?? 0;

  return (
    <div className="m-page">
      <VoteHeader title="社区公示栏" />
      <Tabs
        className="m-board-tabs"
        activeKey={tab}
        onChange={(k) => {
          const next = new URLSearchParams(params);
          next.set('tab', k);
          setParams(next, { replace: true });
        }}
        destroyOnHidden
        items={[
          {
            key: 'lists',
            label: '公开清单',
            children: (
              <div className="m-body">
                <BoardSupervision />
              </div>
            ),
          },
          {
            key: 'elections',
            label: '候选人公示',
            children: (
              <div className="m-body">
                <BoardElections electionId={electionId} />
              </div>
            ),
          },
          {
            key: 'consult',
            label: '协商议事',
            children: (
              <div className="m-body">
                <BoardConsultations />
              </div>
            ),
          },
          {
            key: 'decisions',
            label: '决策公开',
            children: (
              <div className="m-body">
                <BoardDecisions />
              </div>
            ),
          },
          {
            key: 'messages',
            label: (
              <Badge count={unread} size="small" offset={[6, -2]}>
                我的消息
              </Badge>
            ),
            children: (
              <div className="m-body">
                {error && <Alert type="error" title={error} style={{ marginBottom: 12 }} />}
                <Messages items={messages} onRead={read} />
                <Button size="large" block onClick={() => setVersion((x) => x + 1)}>
                  刷新
                </Button>
              </div>
            ),
          },
        ]}
      />
    </div>
  );
}
