// 移动端 满意度调查 (residents, signed in): the open perception surveys of the resident's community
// (`002` 六 6.1/6.2: 协同度、便利度、安全度、感知度), one 1–5 rating per dimension and an optional comment;
// one answer per resident, counted anonymously. After answering the survey shows 已提交.
import { Alert, Button, Empty, Input, Spin, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { errorText } from '../api/client';
import { surveysApi, type MySurvey } from '../api/surveys';
import { formatTime } from '../lib/time';
import { VoteHeader } from './VotesPage';
import './mobile.css';

const LABELS = ['很不满意', '不满意', '一般', '满意', '很满意'];

function SurveyForm({ s, onDone }: { s: MySurvey; onDone: () => void }) {
  const [scores, setScores] = useState<Record<string, number>>({});
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ready = s.questions.every((q) => scores[q.code] !== undefined);

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await surveysApi.answer(s.id, { scores, ...(comment.trim() ? { comment: comment.trim() } : {}) });
      onDone();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      {s.questions.map((q) => (
        <div key={q.code} style={{ marginBottom: 14 }} data-testid="m-survey-question" data-dimension={q.code}>
          <span className="m-label">
            {q.name}：{q.text}
          </span>
          <div className="m-chips" role="radiogroup" aria-label={q.name}>
            {LABELS.map((label, i) => (
              <button
                key={label}
                type="button"
                className="m-chip"
                role="radio"
                aria-checked={scores[q.code] === i + 1}
                aria-pressed={scores[q.code] === i + 1}
                data-score={i + 1}
                onClick={() => setScores((x) => ({ ...x, [q.code]: i + 1 }))}
              >
                {i + 1} {label}
              </button>
            ))}
          </div>
        </div>
      ))}
      <span className="m-label">其他意见（可选）</span>
      <Input.TextArea
        rows={3}
        maxLength={1000}
        value={comment}
        onChange={(e) => setComment(e.target.value)}
        data-testid="m-survey-comment"
      />
      {error && <Alert type="error" title={error} style={{ marginTop: 12 }} />}
      <Button
        type="primary"
        size="large"
        block
        className="m-big-button"
        style={{ marginTop: 12 }}
        disabled={!ready}
        loading={busy}
        onClick={() => void submit()}
        data-testid="m-survey-submit"
      >
        {ready ? '提交' : '请为每一项打分'}
      </Button>
    </>
  );
}

export default function SurveysPage() {
  const [items, setItems] = useState<MySurvey[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    const ctrl = new AbortController();
    surveysApi
      .mine(ctrl.signal)
      .then((r) => {
        setItems(r);
        setError(null);
      })
      .catch((err: unknown) => {
        if (ctrl.signal.aborted) return;
        setError(errorText(err));
        setItems([]);
      });
    return () => ctrl.abort();
  }, [version]);

  return (
    <div className="m-page">
      <VoteHeader title="满意度调查" />
      <div className="m-body">
        {error && <Alert type="error" title={error} style={{ marginBottom: 12 }} />}
        {items === null ? (
          <div className="center-pad">
            <Spin />
          </div>
        ) : items.length === 0 ? (
          <Empty description="暂无进行中的调查" />
        ) : (
          items.map((s) => (
            <div key={s.id} className="m-card" data-testid="m-survey" data-answered={s.answered}>
              <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8, alignItems: 'flex-start', marginBottom: 8 }}>
                <strong style={{ fontSize: 17 }}>智慧社区居民满意度调查（{s.period}）</strong>
                {s.answered ? <Tag color="success">已提交</Tag> : <Tag color="processing">待填写</Tag>}
              </div>
              <div className="m-muted" style={{ marginBottom: 12 }}>
                截止：{formatTime(s.closesAt, 'YYYY-MM-DD HH:mm')} · 每位居民一份，匿名统计
              </div>
              {s.answered ? (
                <div className="m-status" data-testid="m-survey-done">
                  已提交，感谢您的评价。
                </div>
              ) : (
                <SurveyForm s={s} onDone={() => setVersion((v) => v + 1)} />
              )}
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
