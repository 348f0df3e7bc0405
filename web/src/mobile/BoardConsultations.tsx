// 公示栏 · 协商议事: the community's consultations with the steps reached so far (plan, rules, opinions,
// result), 提出议题, and 发表意见 while a topic is being deliberated.
import { Alert, App, Button, Empty, Input, Spin, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { errorText } from '../api/client';
import { useAuth } from '../auth/context';
import { formatTime } from '../lib/time';
import { democracy2Api, type Consultation } from '../pages/democracy/api2';

const FLOW = ['proposed', 'accepted', 'planned', 'announced', 'rules_set', 'deliberating', 'opinions_formed', 'communicated'];
const FLOW_LABELS = ['提出', '审核', '方案', '公告', '规则', '协商', '意见', '结果'];

function ProposeForm({ onDone }: { onDone: () => void }) {
  const { user } = useAuth();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (!user) return;
    setBusy(true);
    try {
      await democracy2Api.propose({
        regionId: user.regionId,
        title: title.trim(),
        ...(description.trim() ? { description: description.trim() } : {}),
      });
      message.success('议题已提出，社区审核后将公告');
      setOpen(false);
      setTitle('');
      setDescription('');
      onDone();
    } catch (err) {
      message.error(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  if (!open)
    return (
      <Button type="primary" size="large" block onClick={() => setOpen(true)} style={{ marginBottom: 12 }} data-testid="m-board-propose">
        提出协商议题
      </Button>
    );
  return (
    <div className="m-card" data-testid="m-board-propose-form">
      <span className="m-label">议题</span>
      <Input
        size="large"
        value={title}
        onChange={(e) => setTitle(e.target.value)}
        maxLength={100}
        placeholder="如：小区东门增设非机动车道闸"
      />
      <span className="m-label" style={{ marginTop: 8 }}>
        说明
      </span>
      <Input.TextArea
        rows={4}
        value={description}
        onChange={(e) => setDescription(e.target.value)}
        maxLength={5000}
        style={{ fontSize: 16 }}
      />
      <div style={{ display: 'flex', gap: 8, marginTop: 8 }}>
        <Button size="large" style={{ flex: 1 }} onClick={() => setOpen(false)}>
          取消
        </Button>
        <Button
          size="large"
          type="primary"
          style={{ flex: 2 }}
          loading={busy}
          disabled={title.trim().length < 2}
          onClick={() => void submit()}
        >
          提交
        </Button>
      </div>
    </div>
  );
}

function CommentForm({ c }: { c: Consultation }) {
  const { message } = App.useApp();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<string[]>([]);
  const submit = async () => {
    setBusy(true);
    try {
      await democracy2Api.comment(c.id, text.trim());
      setSent((s) => [...s, text.trim()]);
      setText('');
      message.success('意见已提交');
    } catch (err) {
      message.error(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div style={{ marginTop: 8 }}>
      {sent.map((s, i) => (
        <div key={i} className="m-qa">
          我的意见：{s}
        </div>
      ))}
      <Input.TextArea
        rows={3}
        value={text}
        onChange={(e) => setText(e.target.value)}
        maxLength={2000}
        placeholder="发表您的意见"
        style={{ fontSize: 16 }}
      />
      <Button
        size="large"
        type="primary"
        block
        style={{ marginTop: 8 }}
        loading={busy}
        disabled={!text.trim()}
        onClick={() => void submit()}
      >
        发表意见
      </Button>
    </div>
  );
}

function Section({ label, text }: { label: string; text: string | null }) {
  if (!text) return null;
  return (
    <div className="m-step">
      <strong>{label}</strong>
      <div style={{ whiteSpace: 'pre-wrap' }}>{text}</div>
    </div>
  );
}

export function BoardConsultations() {
  const [items, setItems] = useState<Consultation[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let cancelled = false;
    democracy2Api
      .myConsultations()
      .then((r) => !cancelled && setItems(r))
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
    <div data-testid="m-board-consultations">
      <ProposeForm onDone={() => setVersion((x) => x + 1)} />
      {error && <Alert type="error" title={error} style={{ marginBottom: 12 }} />}
      {items === null ? (
        <div className="center-pad">
          <Spin />
        </div>
      ) : items.length === 0 ? (
        <Empty description="暂无协商议题" />
      ) : (
        items.map((c) => {
          const at = Math.max(0, FLOW.indexOf(c.status));
          return (
            <div key={c.id} className="m-card" data-testid="m-board-consultation">
              <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8 }}>
                <strong style={{ fontSize: 17 }}>{c.title}</strong>
                <Tag color={c.status === 'deliberating' ? 'processing' : c.status === 'communicated' ? 'success' : 'default'}>
                  {c.statusLabel}
                </Tag>
              </div>
              <div className="m-muted">
                {c.proposerName} 提出 · {formatTime(c.createdAt, 'YYYY-MM-DD')}
              </div>
              {c.description && <div style={{ whiteSpace: 'pre-wrap', margin: '6px 0' }}>{c.description}</div>}
              <div className="m-flow" aria-label="办理进度">
                {FLOW_LABELS.map((label, i) => (
                  <span key={label} className={i <= at ? 'done' : ''}>
                    {i <= at ? '✓ ' : ''}
                    {label}
                  </span>
                ))}
              </div>
              <Section label="协商方案" text={c.plan} />
              <Section label="议事规则" text={c.rules} />
              <Section label="协商意见" text={c.opinions} />
              <Section label="协商结果" text={c.result} />
              {c.status === 'deliberating' && <CommentForm c={c} />}
            </div>
          );
        })
      )}
    </div>
  );
}
