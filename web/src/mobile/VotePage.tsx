// 移动端 投票 (residents, signed in): a vote's text and ballot notice (secret or named), the options as
// large buttons (single, multiple up to N, approval, ranking by tapping in order), 提交 and the receipt
// code; for a closed vote the published result and a receipt check.
import { Alert, App, Button, Input, Spin, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { ApiError, errorText } from '../api/client';
import { formatTime } from '../lib/time';
import { democracyApi, STATUS_COLOR, type MyVote, type Receipt, type VoteResult } from '../pages/democracy/api';
import { ResultView } from '../pages/democracy/ResultView';
import { VoteBadge, VoteHeader } from './VotesPage';
import './mobile.css';
import './Vote.css';

function choiceText(v: MyVote, choice: string[] | null): string {
  if (!choice?.length) return '—';
  const label = (k: string) => v.options.find((o) => o.key === k)?.label ?? k;
  return v.method === 'ranking' ? choice.map((k, i) => `${i + 1}. ${label(k)}`).join('　') : choice.map(label).join('、');
}

function Ballot({ v, onDone }: { v: MyVote; onDone: (receipt: string, notice: string) => void }) {
  const { message } = App.useApp();
  const [choice, setChoice] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [already, setAlready] = useState(false);
  const max = v.method === 'multiple' ? (v.maxChoices ?? v.options.length) : v.method === 'single' ? 1 : v.options.length;
  const multi = v.method === 'multiple' || v.method === 'approval';

  const tap = (key: string) => {
    if (v.method === 'single') setChoice([key]);
    else if (v.method === 'ranking') setChoice((c) => (c.includes(key) ? c : [...c, key]));
    else
      setChoice((c) => {
        if (c.includes(key)) return c.filter((k) => k !== key);
        if (c.length >= max) {
          message.warning((v.kind as string) === 'election' ? `最多可选 ${max} 人` : `最多可选 ${max} 项`);
          return c;
        }
        return [...c, key];
      });
  };

  const ready =
    v.method === 'ranking' ? choice.length === v.options.length : v.method === 'single' ? choice.length === 1 : choice.length >= 1;

  const submit = async () => {
    setBusy(true);
    try {
      const r = await democracyApi.cast(v.id, choice);
      onDone(r.receipt, r.notice);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409 && err.errors.some((e) => e.field === 'voter')) setAlready(true);
      else message.error(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  if (already) return <Alert type="warning" showIcon title="您已参与本次投票" description="每人一票（网上、现场和纸质票合计）。" />;

  return (
    <div className="m-card" data-testid="m-ballot">
      <span className="m-label">
        {(v.kind as string) === 'election'
          ? `请选择候选人，最多可选 ${max} 人（应选名额）`
          : v.method === 'single'
            ? '请选择一项'
            : v.method === 'multiple'
              ? `可选多项（最多可选 ${max} 项）`
              : v.method === 'approval'
                ? '请选择您赞成的各项（可选多项）'
                : '请按您的偏好依次点选全部选项（第一次点选为第一名）'}
      </span>
      <div role={v.method === 'single' ? 'radiogroup' : 'group'} aria-label="选项">
        {v.options.map((o) => {
          const idx = choice.indexOf(o.key);
          const on = idx >= 0;
          return (
            <button
              key={o.key}
              type="button"
              role={multi ? 'checkbox' : 'radio'}
              aria-checked={on}
              className="m-vote-option"
              onClick={() => tap(o.key)}
            >
              <span className={`m-vote-mark${multi ? ' square' : ''}`}>{v.method === 'ranking' ? (on ? idx + 1 : '') : on ? '✓' : ''}</span>
              <span>{o.label}</span>
            </button>
          );
        })}
      </div>
      {v.method === 'ranking' && (
        <Button size="large" block onClick={() => setChoice([])} style={{ marginBottom: 10 }} disabled={choice.length === 0}>
          重置
        </Button>
      )}
      <Button
        type="primary"
        size="large"
        block
        className="m-big-button"
        disabled={!ready}
        loading={busy}
        onClick={() => void submit()}
        data-testid="m-vote-submit"
      >
        提交
      </Button>
    </div>
  );
}

function ReceiptCheck({ v }: { v: MyVote }) {
  const [code, setCode] = useState('');
  const [r, setR] = useState<Receipt | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const check = async () => {
    setBusy(true);
    setError(null);
    setR(null);
    try {
      setR(await democracyApi.receipt(v.id, code.trim().toUpperCase()));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="m-card" data-testid="m-receipt-check">
      <span className="m-label">核验回执</span>
      <Input
        size="large"
        value={code}
        onChange={(e) => setCode(e.target.value)}
        placeholder="输入 12 位回执码"
        maxLength={20}
        style={{ marginBottom: 8 }}
      />
      <Button size="large" block loading={busy} disabled={code.trim().length < 6} onClick={() => void check()}>
        核验
      </Button>
      {error && <Alert type="error" title={error} style={{ marginTop: 8 }} />}
      {r && (
        <Alert
          style={{ marginTop: 8 }}
          type={r.included ? 'success' : 'warning'}
          showIcon
          title={r.included ? '已计入' : '未找到'}
          description={r.included ? `选票内容：${choiceText(v, r.choice)}` : '未找到与该回执码对应的有效选票，请核对回执码。'}
        />
      )}
    </div>
  );
}

export default function VotePage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const [v, setV] = useState<MyVote | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<VoteResult | null>(null);
  const [resultError, setResultError] = useState<string | null>(null);
  const [done, setDone] = useState<{ receipt: string; notice: string } | null>(null);

  // Residents do not hold democracy.read: the vote comes from their own list.
  useEffect(() => {
    let cancelled = false;
    democracyApi
      .myVotes()
      .then((list) => {
        if (cancelled) return;
        const found = list.find((x) => x.id === id) ?? null;
        setV(found);
        if (!found) setError('未找到该投票，或您无权查看');
        else if (found.status === 'closed')
          democracyApi
            .result(id)
            .then((r) => !cancelled && setResult(r))
            .catch((err: unknown) => !cancelled && setResultError(errorText(err)));
      })
      .catch((err: unknown) => !cancelled && setError(errorText(err)));
    return () => {
      cancelled = true;
    };
  }, [id]);

  return (
    <div className="m-page">
      <VoteHeader title={done ? '投票成功' : '社区投票'} />
      <div className="m-body">
        <Button size="large" block style={{ marginBottom: 12 }} onClick={() => void navigate('/m/votes')}>
          ← 返回投票列表
        </Button>
        {error && <Alert type="error" title={error} />}
        {!v && !error && (
          <div className="center-pad">
            <Spin />
          </div>
        )}
        {v && done && (
          <div className="m-card" data-testid="m-vote-done" style={{ textAlign: 'center' }}>
            <div className="m-status">投票成功</div>
            <p style={{ marginTop: 8 }}>您的回执码</p>
            <div className="m-code" data-testid="m-receipt-code">
              {done.receipt}
            </div>
            <Alert type="info" showIcon title="保存回执码" description={done.notice} style={{ textAlign: 'left' }} />
          </div>
        )}
        {v && !done && (
          <>
            <div className="m-card">
              <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8, alignItems: 'flex-start' }}>
                <strong style={{ fontSize: 19 }}>{v.title}</strong>
                <VoteBadge v={v} />
              </div>
              <div style={{ margin: '8px 0' }}>
                <Tag color={STATUS_COLOR[v.status] ?? 'default'}>{v.statusLabel}</Tag>
                <Tag>{v.kindLabel}</Tag>
                <Tag>{v.methodLabel}</Tag>
              </div>
              {v.ownerMatterLabel && <p>表决事项：{v.ownerMatterLabel}</p>}
              {v.description && <p style={{ whiteSpace: 'pre-wrap' }}>{v.description}</p>}
              <div className="m-muted">
                投票时间：{formatTime(v.opensAt, 'YYYY-MM-DD HH:mm')} 至 {formatTime(v.closesAt, 'YYYY-MM-DD HH:mm')}
              </div>
            </div>
            <div className={`m-vote-notice${v.secret ? '' : ' named'}`} data-testid="m-ballot-notice">
              <strong>{v.secret ? '无记名投票' : '记名投票'}</strong>
              <div>{v.ballotNotice}</div>
            </div>
            {v.status === 'open' && v.eligibleToVote && !v.voted && (
              <Ballot v={v} onDone={(receipt, notice) => setDone({ receipt, notice })} />
            )}
            {v.status === 'open' && v.voted && <Alert type="success" showIcon title="您已参与本次投票" style={{ marginBottom: 12 }} />}
            {v.status === 'open' && !v.eligibleToVote && (
              <Alert type="warning" showIcon title="您不在本次投票的投票人名单中" style={{ marginBottom: 12 }} />
            )}
            {v.status === 'scheduled' && <Alert type="info" showIcon title="投票尚未开始" style={{ marginBottom: 12 }} />}
            {v.status === 'counting' && (
              <Alert type="info" showIcon title="投票已截止，正在计票" description="结果公布后可在此查看。" style={{ marginBottom: 12 }} />
            )}
            {v.status === 'closed' && (
              <>
                <div className="m-card">
                  <span className="m-label">投票结果</span>
                  {resultError && <Alert type="error" title={resultError} />}
                  {!result && !resultError && <Spin />}
                  {result && <ResultView data={result} />}
                  {result && (
                    <div className="m-muted" style={{ marginTop: 8 }}>
                      公布时间：{formatTime(v.closedAt, 'YYYY-MM-DD HH:mm')}
                    </div>
                  )}
                </div>
                <ReceiptCheck v={v} />
              </>
            )}
          </>
        )}
      </div>
    </div>
  );
}
