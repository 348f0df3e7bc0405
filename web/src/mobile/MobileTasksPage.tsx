// 移动端待办 for grid workers and handlers (signed in): my tasks and my reports as cards, an event's
// detail with the handling actions (抢单, 开始处置, 处置完成 with note and photos, 退单 with a reason),
// and 上报 with the resident's form posted as the signed-in account.
import { Alert, App, Button, Empty, Input, Segmented, Spin, Tag, Timeline } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { ApiError, errorText } from '../api/client';
import { useAuth } from '../auth/context';
import { formatTime } from '../lib/time';
import { ACTIONS, gridApi, STATUS_COLOR, type ActionKey, type EventDetail, type GridEvent, type ReportBody } from '../pages/grid/api';
import { photoDataUrl } from '../pages/grid/photos';
import { ReportForm } from './ReportForm';
import './mobile.css';

type Tab = 'assigned' | 'reported';

function EventCard({ e, onOpen }: { e: GridEvent; onOpen: () => void }) {
  return (
    <div className="m-card m-task" role="button" tabIndex={0} onClick={onOpen} data-testid="m-task">
      <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8 }}>
        <strong>{e.category}</strong>
        <span>
          <Tag color={STATUS_COLOR[e.status] ?? 'default'}>{e.statusLabel}</Tag>
          {e.handleOverdue && <Tag color="red">超期</Tag>}
        </span>
      </div>
      <div style={{ margin: '6px 0' }}>{e.description}</div>
      <div className="m-muted">
        {e.address ?? '—'} · 时限 {formatTime(e.handleDueAt, 'MM-DD HH:mm')}
      </div>
    </div>
  );
}

function Detail({ id, onBack }: { id: string; onBack: () => void }) {
  const { message } = App.useApp();
  const [d, setD] = useState<EventDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [form, setForm] = useState<ActionKey | null>(null);
  const [note, setNote] = useState('');
  const [photos, setPhotos] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let cancelled = false;
    gridApi
      .event(id)
      .then((x) => !cancelled && setD(x))
      .catch((err: unknown) => !cancelled && setError(errorText(err)));
    return () => {
      cancelled = true;
    };
  }, [id, version]);

  const act = async (action: ActionKey) => {
    if (!d) return;
    if ((action === 'handle' || ACTIONS[action].reason) && form !== action) {
      setForm(action);
      setNote('');
      return;
    }
    if (form === action && !note.trim()) {
      message.error(action === 'handle' ? '请填写处置情况' : '请填写原因');
      return;
    }
    setBusy(true);
    try {
      await gridApi.act(d.id, {
        action,
        version: d.version,
        ...(action === 'handle' ? { note: note.trim(), ...(photos.length ? { photos } : {}) } : {}),
        ...(ACTIONS[action].reason ? { reason: note.trim() } : {}),
      });
      message.success(`${ACTIONS[action].label}成功`);
      setForm(null);
      setPhotos([]);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409 && err.errors.some((e) => e.field === 'body.version'))
        message.warning('已被他人更新，已刷新');
      else message.error(errorText(err));
    } finally {
      setBusy(false);
      setVersion((v) => v + 1);
    }
  };

  if (error) return <Alert type="error" title={error} />;
  if (!d) return <Spin />;
  const actions = (['grab', 'start', 'handle', 'return'] as ActionKey[]).filter((a) => d.allowedActions.includes(a));

  return (
    <div>
      <Button size="large" block onClick={onBack} style={{ marginBottom: 12 }}>
        ← 返回列表
      </Button>
      <div className="m-card">
        <div className="m-muted mono">{d.number}</div>
        <div className="m-status">{d.statusLabel}</div>
        <p>
          <strong>{d.category}</strong> {d.urgency === 'urgent' && <Tag color="red">紧急</Tag>}
        </p>
        <p>{d.description}</p>
        <p className="m-muted">地点：{d.address ?? '—'}</p>
        <p className="m-muted">处置时限：{formatTime(d.handleDueAt, 'YYYY-MM-DD HH:mm')}</p>
        {d.reporterPhone && (
          <p className="m-muted">
            报告人：{d.reporterName ?? ''} {d.reporterPhone}
          </p>
        )}
        {d.photos.length > 0 && (
          <div className="m-photos">
            {d.photos.map((p, i) => (
              <img key={i} src={p} className="m-photo" alt={`照片${i + 1}`} />
            ))}
          </div>
        )}
        {d.handlerNote && <p>处置情况：{d.handlerNote}</p>}
      </div>
      {form && (
        <div className="m-card">
          <span className="m-label">{form === 'handle' ? '处置情况' : `${ACTIONS[form].label}原因`}</span>
          <Input.TextArea rows={3} value={note} onChange={(e) => setNote(e.target.value)} maxLength={form === 'handle' ? 2000 : 500} />
          {form === 'handle' && (
            <>
              <div className="m-photos" style={{ marginTop: 8 }}>
                {photos.map((p, i) => (
                  <img
                    key={i}
                    src={p}
                    className="m-photo"
                    alt={`处置照片${i + 1}`}
                    onClick={() => setPhotos((ps) => ps.filter((_, j) => j !== i))}
                  />
                ))}
                {photos.length < 3 && (
                  <div className="m-photo-add" role="button" tabIndex={0} onClick={() => fileInput.current?.click()}>
                    + 拍照
                  </div>
                )}
              </div>
              <input
                ref={fileInput}
                type="file"
                accept="image/*"
                capture="environment"
                style={{ display: 'none' }}
                onChange={(e) => {
                  const f = e.target.files?.[0];
                  e.target.value = '';
                  if (f)
                    photoDataUrl(f)
                      .then((u) => setPhotos((ps) => [...ps, u].slice(0, 3)))
                      .catch((err: unknown) => void message.error(errorText(err)));
                }}
              />
            </>
          )}
        </div>
      )}
      {actions.map((a) => (
        <Button
          key={a}
          size="large"
          block
          type={a === 'return' ? 'default' : 'primary'}
          danger={a === 'return'}
          className="m-big-button"
          style={{ marginBottom: 8 }}
          loading={busy}
          onClick={() => void act(a)}
        >
          {form === a ? `提交${ACTIONS[a].label}` : ACTIONS[a].label}
        </Button>
      ))}
      <div className="m-card">
        <span className="m-label">流转记录</span>
        <Timeline
          items={[...d.transitions].reverse().map((t) => ({
            key: t.id,
            color: t.handleOverdue ? 'red' : 'blue',
            content: (
              <div>
                <strong>{t.actionLabel}</strong> · {t.actorName}
                <div className="m-muted">{formatTime(t.at, 'MM-DD HH:mm')}</div>
                {t.reason && <div className="m-muted">原因：{t.reason}</div>}
              </div>
            ),
          }))}
        />
      </div>
    </div>
  );
}

export default function MobileTasksPage() {
  const { user, can, logout } = useAuth();
  const [tab, setTab] = useState<Tab>('assigned');
  const [items, setItems] = useState<GridEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [reporting, setReporting] = useState(false);
  const [done, setDone] = useState<string | null>(null);

  const load = useCallback(async (t: Tab) => {
    setItems(null);
    try {
      const r = await gridApi.events({ view: t, pageSize: 50 });
      setItems(r.items);
      setError(null);
    } catch (err) {
      setError(errorText(err));
      setItems([]);
    }
  }, []);

  useEffect(() => {
    if (openId || reporting) return;
    let cancelled = false;
    gridApi
      .events({ view: tab, pageSize: 50 })
      .then((r) => {
        if (cancelled) return;
        setItems(r.items);
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
  }, [tab, openId, reporting]);

  if (!user) return null;
  const placeRegion = user.regionLevel === 'grid' || user.regionLevel === 'community' ? user.regionId : null;

  return (
    <div className="m-page">
      <div className="m-header">
        <span>{reporting ? '上报事件' : '网格待办'}</span>
        <span style={{ fontSize: 14, fontWeight: 400 }}>
          {user.displayName}{' '}
          <a style={{ color: '#fff' }} onClick={() => void logout()}>
            退出
          </a>
        </span>
      </div>
      <div className="m-body">
        {done && <Alert type="success" showIcon closable title={done} style={{ marginBottom: 12 }} onClose={() => setDone(null)} />}
        {openId ? (
          <Detail id={openId} onBack={() => setOpenId(null)} />
        ) : reporting ? (
          <>
            <Button size="large" block onClick={() => setReporting(false)} style={{ marginBottom: 12 }}>
              ← 返回
            </Button>
            <ReportForm
              locationNote={placeRegion ? <span>{user.regionName}（也可使用当前位置精确定位）</span> : null}
              needsPosition={!placeRegion}
              submitText="上报"
              onSubmit={async (draft) => {
                const body: ReportBody = { categoryCode: draft.categoryCode, description: draft.description };
                if (draft.photos.length) body.photos = draft.photos;
                if (placeRegion) body.regionId = placeRegion;
                if (draft.lng !== undefined && draft.lat !== undefined) {
                  body.lng = draft.lng;
                  body.lat = draft.lat;
                }
                const r = await gridApi.report(body);
                setReporting(false);
                setDone(
                  `已上报，编号 ${r.number}（${r.statusLabel}）${r.suspectedDuplicates.length ? `，附近有 ${r.suspectedDuplicates.length} 件疑似重复` : ''}`,
                );
                setTab('reported');
              }}
            />
          </>
        ) : (
          <>
            <Segmented<Tab>
              block
              size="large"
              value={tab}
              onChange={setTab}
              options={[
                { value: 'assigned', label: '我的待办' },
                { value: 'reported', label: '我上报的' },
              ]}
              style={{ marginBottom: 12 }}
            />
            {can('grid.report') && (
              <Button
                type="primary"
                size="large"
                block
                className="m-big-button"
                style={{ marginBottom: 12 }}
                onClick={() => setReporting(true)}
              >
                + 上报
              </Button>
            )}
            {error && <Alert type="error" title={error} style={{ marginBottom: 12 }} />}
            {items === null ? (
              <div className="center-pad">
                <Spin />
              </div>
            ) : items.length === 0 ? (
              <Empty description={tab === 'assigned' ? '暂无待办' : '暂无上报'} />
            ) : (
              items.map((e) => <EventCard key={e.id} e={e} onOpen={() => setOpenId(e.id)} />)
            )}
            <Button size="large" block onClick={() => void load(tab)} style={{ marginTop: 8 }}>
              刷新
            </Button>
            {can('grid.manage') && (
              <div className="m-muted" style={{ textAlign: 'center', marginTop: 16 }}>
                <Link to="/grid/events">进入管理端</Link>
              </div>
            )}
          </>
        )}
      </div>
    </div>
  );
}
