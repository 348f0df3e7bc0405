// 查询进度 without an account: the 查询码 and the phone given at the report show the event's status
// and steps; when it waits for feedback the reporter rates it (closing it) or asks for it to be redone.
import { Alert, Button, Input, Timeline } from 'antd';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { errorText } from '../api/client';
import { formatTime } from '../lib/time';
import { publicGridApi, type Tracked } from '../pages/grid/api';
import './mobile.css';

export default function MobileTrackPage() {
  const [params] = useSearchParams();
  const [code, setCode] = useState(params.get('code') ?? '');
  const [phone, setPhone] = useState('');
  const [tracked, setTracked] = useState<Tracked | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [stars, setStars] = useState(5);
  const [comment, setComment] = useState('');
  const [reopening, setReopening] = useState(false);
  const [reason, setReason] = useState('');
  const [notice, setNotice] = useState<string | null>(null);

  const run = async (fn: () => Promise<Tracked>, done?: string) => {
    setError(null);
    setNotice(null);
    setBusy(true);
    try {
      setTracked(await fn());
      if (done) setNotice(done);
      setReopening(false);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const query = () => {
    if (code.trim().length < 6 || phone.trim().length < 5) {
      setError('请输入查询码和上报时留的手机号');
      return;
    }
    void run(() => publicGridApi.track(code.trim().toUpperCase(), phone.trim()));
  };

  const key = { code: code.trim().toUpperCase(), phone: phone.trim() };

  return (
    <div className="m-page">
      <div className="m-header">
        <span>办理进度</span>
        <Link to="/m/report" style={{ color: '#fff', fontSize: 15, fontWeight: 400 }}>
          我要报事
        </Link>
      </div>
      <div className="m-body">
        {!tracked && (
          <div className="m-card">
            <label className="m-label" htmlFor="m-code">
              查询码
            </label>
            <Input
              id="m-code"
              size="large"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              maxLength={20}
              autoCapitalize="characters"
              data-testid="m-track-code"
              style={{ fontFamily: 'monospace', letterSpacing: 2 }}
            />
            <label className="m-label" htmlFor="m-track-phone" style={{ marginTop: 12 }}>
              手机号
            </label>
            <Input
              id="m-track-phone"
              size="large"
              type="tel"
              inputMode="tel"
              value={phone}
              onChange={(e) => setPhone(e.target.value)}
              maxLength={30}
              data-testid="m-track-phone"
              onPressEnter={query}
            />
            <Button
              type="primary"
              size="large"
              block
              className="m-big-button"
              style={{ marginTop: 16 }}
              loading={busy}
              onClick={query}
              data-testid="m-track-submit"
            >
              查询
            </Button>
          </div>
        )}
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="m-error" />}
        {notice && <Alert type="success" showIcon title={notice} style={{ marginBottom: 12 }} />}
        {tracked && (
          <>
            <div className="m-card" data-testid="m-tracked">
              <div className="m-muted">
                事件编号 <span className="mono">{tracked.number}</span> · {tracked.category}
              </div>
              <div className="m-status" data-testid="m-track-status" style={{ margin: '8px 0' }}>
                {tracked.statusLabel}
              </div>
              <p>{tracked.description}</p>
              {tracked.address && <p className="m-muted">地点：{tracked.address}</p>}
              <p className="m-muted">处置单位：{tracked.unitName ?? '待派遣'}</p>
              <p className="m-muted">办理时限：{formatTime(tracked.handleDueAt, 'YYYY-MM-DD HH:mm')}</p>
              {tracked.handlerNote && (
                <p>
                  <strong>处置情况：</strong>
                  {tracked.handlerNote}
                </p>
              )}
              {tracked.resultPhotos.length > 0 && (
                <div className="m-photos">
                  {tracked.resultPhotos.map((p, i) => (
                    <img key={i} src={p} className="m-photo" alt={`处置照片${i + 1}`} />
                  ))}
                </div>
              )}
              {tracked.satisfaction !== null && <p>您的评价：{'★'.repeat(tracked.satisfaction)}</p>}
            </div>
            {tracked.canConfirm && !reopening && (
              <div className="m-card" data-testid="m-feedback">
                <span className="m-label">对处理结果满意吗？</span>
                <div className="m-stars" role="radiogroup" aria-label="满意度">
                  {[1, 2, 3, 4, 5].map((n) => (
                    <button
                      type="button"
                      key={n}
                      className="m-star"
                      aria-pressed={n <= stars}
                      aria-label={`${n} 星`}
                      data-testid={`m-star-${n}`}
                      onClick={() => setStars(n)}
                    >
                      ★
                    </button>
                  ))}
                </div>
                <Input.TextArea
                  rows={2}
                  maxLength={500}
                  placeholder="评价（选填）"
                  value={comment}
                  onChange={(e) => setComment(e.target.value)}
                  style={{ marginTop: 8 }}
                />
                <Button
                  type="primary"
                  size="large"
                  block
                  className="m-big-button"
                  style={{ marginTop: 12 }}
                  loading={busy}
                  data-testid="m-confirm"
                  onClick={() =>
                    void run(
                      () =>
                        publicGridApi.act({
                          ...key,
                          action: 'confirm',
                          satisfaction: stars,
                          ...(comment.trim() ? { comment: comment.trim() } : {}),
                        }),
                      '感谢您的评价，事件已办结',
                    )
                  }
                >
                  确认办结并评价
                </Button>
                <Button size="large" block danger className="m-big-button" style={{ marginTop: 8 }} onClick={() => setReopening(true)}>
                  不满意，要求重办
                </Button>
              </div>
            )}
            {tracked.canConfirm && reopening && (
              <div className="m-card">
                <label className="m-label" htmlFor="m-reason">
                  请说明不满意的原因
                </label>
                <Input.TextArea id="m-reason" rows={3} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
                <Button
                  type="primary"
                  danger
                  size="large"
                  block
                  className="m-big-button"
                  style={{ marginTop: 12 }}
                  loading={busy}
                  onClick={() => {
                    if (!reason.trim()) return setError('请填写原因');
                    void run(() => publicGridApi.act({ ...key, action: 'reopen', reason: reason.trim() }), '已提交重办要求');
                  }}
                >
                  提交重办要求
                </Button>
                <Button size="large" block type="text" style={{ marginTop: 8 }} onClick={() => setReopening(false)}>
                  返回
                </Button>
              </div>
            )}
            <div className="m-card">
              <span className="m-label">办理过程</span>
              <Timeline
                data-testid="m-track-steps"
                items={[...tracked.steps].reverse().map((s, i) => ({
                  key: i,
                  color: i === 0 ? 'blue' : 'gray',
                  content: (
                    <div>
                      <strong>{s.action}</strong> · {s.status}
                      <div className="m-muted">{formatTime(s.at, 'YYYY-MM-DD HH:mm')}</div>
                      {s.reason && <div className="m-muted">说明：{s.reason}</div>}
                    </div>
                  ),
                }))}
              />
            </div>
            <Button size="large" block onClick={() => void run(() => publicGridApi.track(key.code, key.phone))} loading={busy}>
              刷新
            </Button>
          </>
        )}
      </div>
    </div>
  );
}
