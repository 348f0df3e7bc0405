// 公示栏 · 公开清单: the community's published matters, finances (ledger and total) and decisions, the
// 居务监督委员会's opinions, questions with their answers; 我要质询 / 我要举报 (reports never show a name).
import { Alert, App, Button, Empty, Input, Spin, Switch, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { errorText } from '../api/client';
import { useAuth } from '../auth/context';
import { formatTime } from '../lib/time';
import { democracy2Api, money, type SupervisionDetail, type SupervisionItem, type SupervisionQuestion } from '../pages/democracy/api2';

export function AskForm({ itemId, onDone }: { itemId?: string; onDone: (q: SupervisionQuestion) => void }) {
  const { user } = useAuth();
  const { message } = App.useApp();
  const [kind, setKind] = useState<'question' | 'report' | null>(null);
  const [text, setText] = useState('');
  const [named, setNamed] = useState(true);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    if (!user || !kind) return;
    setBusy(true);
    try {
      const q = await democracy2Api.ask({
        regionId: user.regionId,
        kind,
        text: text.trim(),
        ...(itemId ? { itemId } : {}),
        ...(kind === 'question' ? { public: named } : {}),
      });
      message.success(kind === 'report' ? '举报已提交，社区将在 5 个工作日内答复' : '质询已提交，社区将在 5 个工作日内答复');
      setKind(null);
      setText('');
      onDone(q);
    } catch (err) {
      message.error(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  if (!kind)
    return (
      <div style={{ display: 'flex', gap: 8, marginTop: 8 }}>
        <Button size="large" style={{ flex: 1 }} onClick={() => setKind('question')} data-testid="m-board-question">
          我要质询
        </Button>
        <Button size="large" danger style={{ flex: 1 }} onClick={() => setKind('report')} data-testid="m-board-report">
          我要举报
        </Button>
      </div>
    );
  return (
    <div style={{ marginTop: 8 }} data-testid="m-board-ask">
      <span className="m-label">{kind === 'report' ? '我要举报' : '我要质询'}</span>
      {kind === 'report' ? (
        <div className="m-notice-anon" data-testid="m-board-anon">
          举报不显示您的姓名：公示栏和社区工作人员看到的举报都不带举报人姓名。社区将在 5 个工作日内答复。
        </div>
      ) : (
        <div style={{ display: 'flex', alignItems: 'center', gap: 8, marginBottom: 8 }}>
          <Switch checked={named} onChange={setNamed} aria-label="公开我的姓名" />
          <span>{named ? '公开我的姓名' : '不公开我的姓名'}</span>
        </div>
      )}
      <Input.TextArea
        rows={4}
        value={text}
        onChange={(e) => setText(e.target.value)}
        maxLength={2000}
        placeholder={kind === 'report' ? '请写明举报的事项、时间和经过' : '请写明您的疑问'}
        style={{ fontSize: 16, marginBottom: 8 }}
      />
      <div style={{ display: 'flex', gap: 8 }}>
        <Button size="large" style={{ flex: 1 }} onClick={() => setKind(null)}>
          取消
        </Button>
        <Button
          size="large"
          type="primary"
          style={{ flex: 2 }}
          loading={busy}
          disabled={text.trim().length < 2}
          onClick={() => void submit()}
          data-testid="m-board-ask-submit"
        >
          提交
        </Button>
      </div>
    </div>
  );
}

export function QuestionView({ q }: { q: SupervisionQuestion }) {
  return (
    <div className="m-qa" data-testid="m-board-qa">
      <div>
        <Tag color={q.kind === 'report' ? 'red' : 'blue'}>{q.kind === 'report' ? '举报' : '质询'}</Tag>
        <span className="m-muted">
          {q.kind === 'report' ? '匿名' : (q.asker ?? '居民（未公开姓名）')} · {formatTime(q.askedAt, 'MM-DD HH:mm')}
        </span>
      </div>
      <div style={{ whiteSpace: 'pre-wrap', margin: '4px 0' }}>{q.text}</div>
      {q.answer ? (
        <div className="m-qa-answer" data-testid="m-board-answer">
          <strong>社区答复：</strong>
          <span style={{ whiteSpace: 'pre-wrap' }}>{q.answer}</span>
          <div className="m-muted" style={{ fontSize: 13 }}>
            {q.answeredBy} · {formatTime(q.answeredAt, 'MM-DD HH:mm')}
          </div>
        </div>
      ) : (
        <div className="m-muted" style={{ fontSize: 13 }}>
          待答复（{q.overdue ? '已逾期' : `应于 ${formatTime(q.dueAt, 'MM-DD HH:mm')} 前答复`}）
        </div>
      )}
    </div>
  );
}

function ItemCard({ item }: { item: SupervisionItem }) {
  const [open, setOpen] = useState(false);
  const [detail, setDetail] = useState<SupervisionDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    if (!open) return;
    let cancelled = false;
    democracy2Api
      .supervisionItem(item.id)
      .then((d) => !cancelled && setDetail(d))
      .catch((err: unknown) => !cancelled && setError(errorText(err)));
    return () => {
      cancelled = true;
    };
  }, [open, item.id, version]);

  const hasAmounts = item.ledger.some((l) => l.amount !== null && l.amount !== undefined);
  return (
    <div className="m-card" data-testid="m-board-item">
      <div
        role="button"
        tabIndex={0}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') setOpen((o) => !o);
        }}
        style={{ cursor: 'pointer' }}
      >
        <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8 }}>
          <strong style={{ fontSize: 17 }}>{item.title}</strong>
          <Tag color={item.kind === 'finance' ? 'gold' : item.kind === 'decision' ? 'purple' : 'blue'}>{item.kindLabel}</Tag>
        </div>
        <div className="m-muted">
          {item.period} · {formatTime(item.publishedAt, 'YYYY-MM-DD')} 公布
          {item.total !== null && (
            <span style={{ marginLeft: 8 }} data-testid="m-board-total">
              合计 <strong>{money(item.total)}</strong>
            </span>
          )}
        </div>
      </div>
      {open && (
        <div style={{ marginTop: 8 }}>
          {item.content && <div style={{ whiteSpace: 'pre-wrap', marginBottom: 8 }}>{item.content}</div>}
          {item.ledger.length > 0 && (
            <table className="m-ledger" data-testid="m-board-ledger">
              <thead>
                <tr>
                  <th>日期</th>
                  <th>事项</th>
                  {hasAmounts && <th className="num">金额</th>}
                </tr>
              </thead>
              <tbody>
                {item.ledger.map((l, i) => (
                  <tr key={i}>
                    <td style={{ whiteSpace: 'nowrap' }}>{l.date.slice(5)}</td>
                    <td>
                      {l.item}
                      {l.note ? (
                        <div className="m-muted" style={{ fontSize: 13 }}>
                          {l.note}
                        </div>
                      ) : null}
                    </td>
                    {hasAmounts && <td className="num">{money(l.amount)}</td>}
                  </tr>
                ))}
              </tbody>
              {item.total !== null && (
                <tfoot>
                  <tr>
                    <td colSpan={2}>合计</td>
                    <td className="num">{money(item.total)}</td>
                  </tr>
                </tfoot>
              )}
            </table>
          )}
          {error && <Alert type="error" title={error} />}
          {!detail && !error && <Spin />}
          {detail && (
            <>
              <span className="m-label" style={{ marginTop: 8 }}>
                居务监督委员会意见
              </span>
              {detail.reviews.length === 0 ? (
                <div className="m-muted">暂无</div>
              ) : (
                detail.reviews.map((r, i) => (
                  <div key={i} className="m-qa">
                    <Tag color={r.opinion === 'approved' ? 'green' : 'orange'}>{r.opinionLabel}</Tag>
                    <span className="m-muted">
                      {r.reviewer} · {formatTime(r.at, 'MM-DD HH:mm')}
                    </span>
                    {r.text && <div style={{ whiteSpace: 'pre-wrap' }}>{r.text}</div>}
                  </div>
                ))
              )}
              <span className="m-label" style={{ marginTop: 8 }}>
                质询与答复
              </span>
              {detail.questions.length === 0 ? (
                <div className="m-muted">暂无</div>
              ) : (
                detail.questions.map((q) => <QuestionView key={q.id} q={q} />)
              )}
            </>
          )}
          <AskForm itemId={item.id} onDone={() => setVersion((x) => x + 1)} />
          <ReviewForm itemId={item.id} onDone={() => setVersion((x) => x + 1)} />
        </div>
      )}
    </div>
  );
}

/** Members of the 居务监督委员会 record the committee's opinion (the server checks membership). */
function ReviewForm({ itemId, onDone }: { itemId: string; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!open)
    return (
      <Button type="link" onClick={() => setOpen(true)} style={{ padding: 0, marginTop: 8 }}>
        监督委员会成员：提交审核意见
      </Button>
    );
  const submit = async (opinion: 'approved' | 'concerns') => {
    setBusy(true);
    setError(null);
    try {
      await democracy2Api.review(itemId, { opinion, ...(text.trim() ? { text: text.trim() } : {}) });
      setOpen(false);
      setText('');
      onDone();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div style={{ marginTop: 8 }}>
      <span className="m-label">审核意见（有异议时请写明）</span>
      <Input.TextArea rows={3} value={text} onChange={(e) => setText(e.target.value)} style={{ fontSize: 16 }} />
      {error && <Alert type="error" title={error} style={{ marginTop: 8 }} />}
      <div style={{ display: 'flex', gap: 8, marginTop: 8 }}>
        <Button size="large" style={{ flex: 1 }} loading={busy} onClick={() => void submit('approved')}>
          无异议
        </Button>
        <Button size="large" danger style={{ flex: 1 }} loading={busy} disabled={!text.trim()} onClick={() => void submit('concerns')}>
          有异议
        </Button>
      </div>
    </div>
  );
}

/** The resident's own questions and reports, with the answers (reports included: only the one who made it sees it here). */
function MyQuestions() {
  const [items, setItems] = useState<SupervisionQuestion[] | null>(null);
  useEffect(() => {
    let cancelled = false;
    democracy2Api
      .myQuestions()
      .then((r) => !cancelled && setItems(r))
      .catch(() => !cancelled && setItems([]));
    return () => {
      cancelled = true;
    };
  }, []);
  if (!items?.length) return null;
  return (
    <div className="m-card" data-testid="m-my-questions">
      <span className="m-label">我的质询与举报</span>
      {items.map((q) => (
        <QuestionView key={q.id} q={q} />
      ))}
    </div>
  );
}

export function BoardSupervision() {
  const [items, setItems] = useState<SupervisionItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    democracy2Api
      .supervision()
      .then((r) => !cancelled && setItems(r))
      .catch((err: unknown) => {
        if (cancelled) return;
        setError(errorText(err));
        setItems([]);
      });
    return () => {
      cancelled = true;
    };
  }, []);
  if (items === null)
    return (
      <div className="center-pad">
        <Spin />
      </div>
    );
  return (
    <div data-testid="m-board-supervision">
      {error && <Alert type="error" title={error} style={{ marginBottom: 12 }} />}
      <MyQuestions />
      {items.length === 0 ? <Empty description="暂无公开事项" /> : items.map((it) => <ItemCard key={it.id} item={it} />)}
      <div className="m-card">
        <span className="m-label">其他问题</span>
        <div className="m-muted">对社区事务、财务有疑问或发现问题，可直接质询或举报。</div>
        <AskForm onDone={() => undefined} />
      </div>
    </div>
  );
}
