// 公示栏 · 决策公开: 五议两公开 items whose current stage is a publicity (决议公开 / 实施结果公开): the
// stage, when its period ends, and 提出异议 (answered within the stage's working days).
import { Alert, App, Button, Empty, Input, Spin, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { ApiError, errorText } from '../api/client';
import { formatTime } from '../lib/time';
import { democracy2Api, type DecisionItem } from '../pages/democracy/api2';

function ObjectionForm({ item }: { item: DecisionItem }) {
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    try {
      await democracy2Api.object(item.id, text.trim());
      message.success('异议已提交，社区将在规定工作日内答复');
      setOpen(false);
      setText('');
    } catch (err) {
      message.error(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  if (!open)
    return (
      <Button size="large" block onClick={() => setOpen(true)} style={{ marginTop: 8 }}>
        提出异议
      </Button>
    );
  return (
    <div style={{ marginTop: 8 }}>
      <Input.TextArea
        rows={4}
        value={text}
        onChange={(e) => setText(e.target.value)}
        maxLength={2000}
        placeholder="请写明您的异议和理由"
        style={{ fontSize: 16 }}
      />
      <div style={{ display: 'flex', gap: 8, marginTop: 8 }}>
        <Button size="large" style={{ flex: 1 }} onClick={() => setOpen(false)}>
          取消
        </Button>
        <Button size="large" type="primary" style={{ flex: 2 }} loading={busy} disabled={!text.trim()} onClick={() => void submit()}>
          提交异议
        </Button>
      </div>
    </div>
  );
}

export function BoardDecisions() {
  const [items, setItems] = useState<DecisionItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    democracy2Api
      .decisions()
      .then((r) => !cancelled && setItems(r.filter((i) => i.publicityEndsAt !== null)))
      .catch((err: unknown) => {
        if (cancelled) return;
        setError(err instanceof ApiError && err.status === 403 ? '决策公开事项暂未向居民账号开放查询，请留意社区公告栏。' : errorText(err));
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
    <div data-testid="m-board-decisions">
      {error && <Alert type="info" showIcon title={error} style={{ marginBottom: 12 }} />}
      {items.length === 0 && !error ? (
        <Empty description="暂无公示中的决策事项" />
      ) : (
        items.map((i) => (
          <div key={i.id} className="m-card" data-testid="m-board-decision">
            <strong style={{ fontSize: 17 }}>{i.title}</strong>
            <div style={{ margin: '6px 0' }}>
              <Tag color="purple">{i.currentStageName}</Tag>
              <span className="m-muted">公示至 {formatTime(i.publicityEndsAt, 'YYYY-MM-DD HH:mm')}</span>
            </div>
            {i.description && <div style={{ whiteSpace: 'pre-wrap' }}>{i.description}</div>}
            <ObjectionForm item={i} />
          </div>
        ))
      )}
    </div>
  );
}
