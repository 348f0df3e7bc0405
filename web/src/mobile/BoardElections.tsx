// 公示栏 · 候选人公示: elections of the resident's community with their published candidate lists
// (and, once voting opens, a link to the ballot); 我要自荐 while nominations are open. Elections still
// taking nominations are not in the resident's vote list: they come by link (/m/board?election=<id>).
import { Alert, App, Button, Empty, Input, Spin, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { errorText } from '../api/client';
import { useAuth } from '../auth/context';
import { formatTime } from '../lib/time';
import { democracyApi } from '../pages/democracy/api';
import {
  democracy2Api,
  electionPhase,
  NOMINATION_SOURCES,
  NOMINATION_STATUS,
  nominationsOpen as isNominating,
  type Election,
} from '../pages/democracy/api2';

function SelfNominate({ e, onDone }: { e: Election; onDone: (e: Election) => void }) {
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [statement, setStatement] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    try {
      const r = await democracy2Api.nominate(e.vote.id, { statement: statement.trim() });
      message.success('自荐已提交，待社区确认');
      setOpen(false);
      onDone(r);
    } catch (err) {
      message.error(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  if (!open)
    return (
      <Button type="primary" size="large" block onClick={() => setOpen(true)} data-testid="m-board-self-nominate">
        我要自荐
      </Button>
    );
  return (
    <div data-testid="m-board-nominate-form">
      <span className="m-label">自荐简介</span>
      <Input.TextArea
        rows={4}
        value={statement}
        onChange={(x) => setStatement(x.target.value)}
        maxLength={2000}
        placeholder="请简要介绍您的情况和参选设想"
        style={{ fontSize: 16, marginBottom: 8 }}
      />
      <div style={{ display: 'flex', gap: 8 }}>
        <Button size="large" style={{ flex: 1 }} onClick={() => setOpen(false)}>
          取消
        </Button>
        <Button
          size="large"
          type="primary"
          style={{ flex: 2 }}
          loading={busy}
          onClick={() => void submit()}
          data-testid="m-board-nominate-submit"
        >
          提交自荐
        </Button>
      </div>
    </div>
  );
}

function ElectionCard({ initial }: { initial: Election }) {
  const { user } = useAuth();
  const navigate = useNavigate();
  const [e, setE] = useState(initial);
  const phase = electionPhase(e);
  const nominationsOpen = isNominating(e);
  const mine = e.nominations.find((n) => n.source === 'self' && n.nominatedBy === user?.displayName);
  const candidates = e.nominations.filter((n) => n.status === 'accepted');
  return (
    <div className="m-card" data-testid="m-board-election">
      <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8 }}>
        <strong style={{ fontSize: 17 }}>{e.vote.title}</strong>
        <Tag color={phase.color}>{phase.label}</Tag>
      </div>
      <div className="m-muted">
        应选 {e.seats} 名 · 投票 {formatTime(e.vote.opensAt, 'MM-DD HH:mm')} 至 {formatTime(e.vote.closesAt, 'MM-DD HH:mm')}
      </div>
      {e.vote.description && <div style={{ whiteSpace: 'pre-wrap', marginTop: 6 }}>{e.vote.description}</div>}
      {e.candidatesPublishedAt ? (
        <div style={{ marginTop: 8 }} data-testid="m-board-candidates">
          <span className="m-label">候选人名单（{formatTime(e.candidatesPublishedAt, 'YYYY-MM-DD')} 起公示）</span>
          {candidates.map((c, i) => (
            <div key={c.id} className="m-qa">
              <strong>
                {i + 1}. {c.name}
              </strong>{' '}
              <span className="m-muted">{NOMINATION_SOURCES[c.source] ?? c.source}</span>
              {c.statement && <div style={{ whiteSpace: 'pre-wrap' }}>{c.statement}</div>}
            </div>
          ))}
          <div className="m-muted" style={{ fontSize: 13 }}>
            对候选人有意见的，可在“公开清单”中质询或举报。
          </div>
        </div>
      ) : (
        <div className="m-muted" style={{ marginTop: 8 }}>
          提名截止：{formatTime(e.nominationsCloseAt, 'YYYY-MM-DD HH:mm')}，确认后的候选人将在投票开始前至少 {e.publicityDays} 天公示。
        </div>
      )}
      {mine && (
        <Alert
          style={{ marginTop: 8 }}
          type={mine.status === 'rejected' ? 'warning' : mine.status === 'accepted' ? 'success' : 'info'}
          showIcon
          title={`我的自荐：${NOMINATION_STATUS[mine.status]?.label ?? mine.status}`}
          description={mine.reason ? `理由：${mine.reason}` : undefined}
          data-testid="m-board-my-nomination"
        />
      )}
      {nominationsOpen && !mine && (
        <div style={{ marginTop: 8 }}>
          <SelfNominate e={e} onDone={setE} />
        </div>
      )}
      {(e.vote.status === 'open' || e.vote.status === 'closed') && (
        <Button size="large" block style={{ marginTop: 8 }} onClick={() => void navigate(`/m/votes/${e.vote.id}`)}>
          {e.vote.status === 'open' ? '去投票' : '查看选举结果'}
        </Button>
      )}
    </div>
  );
}

export function BoardElections({ electionId }: { electionId: string | null }) {
  const [items, setItems] = useState<Election[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    (async () => {
      const mine = await democracyApi.myVotes();
      const ids = mine.filter((v) => (v.kind as string) === 'election').map((v) => v.id);
      if (electionId && !ids.includes(electionId)) ids.unshift(electionId);
      const list = await Promise.all(ids.map((id) => democracy2Api.election(id)));
      if (!cancelled) setItems(list);
    })().catch((err: unknown) => {
      if (cancelled) return;
      setError(errorText(err));
      setItems([]);
    });
    return () => {
      cancelled = true;
    };
  }, [electionId]);
  if (items === null)
    return (
      <div className="center-pad">
        <Spin />
      </div>
    );
  return (
    <div data-testid="m-board-elections">
      {error && <Alert type="error" title={error} style={{ marginBottom: 12 }} />}
      {items.length === 0 ? <Empty description="暂无选举公示" /> : items.map((e) => <ElectionCard key={e.vote.id} initial={e} />)}
    </div>
  );
}
