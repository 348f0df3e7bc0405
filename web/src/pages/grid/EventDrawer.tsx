// One event: its fields and photos, the timeline of its transitions, suspected duplicates (with
// 合并到此事件), and the actions its status allows for the caller.
import { App, Alert, Button, Descriptions, Drawer, Empty, List, Space, Spin, Tag, Timeline, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { errorText } from '../../api/client';
import { useAuth } from '../../auth/context';
import { formatTime } from '../../lib/time';
import { ActionModal, actionTitle, needsForm, runAction, type ActionTarget } from './ActionModal';
import {
  ACTIONS,
  HANDLER_ACTIONS,
  MANAGER_ACTIONS,
  REPORTER_KINDS,
  STATUSES,
  URGENCIES,
  gridApi,
  type ActionKey,
  type EventDetail,
} from './api';
import { PhotoList, StatusTag } from './shared';

function availableTargets(d: EventDetail): ActionTarget[] {
  // The server says what this caller may do now (unit membership, who handled it, the state).
  const keys: ActionKey[] = [...MANAGER_ACTIONS, ...HANDLER_ACTIONS].filter((k) => d.allowedActions.includes(k));
  const out: ActionTarget[] = [];
  for (const k of keys) {
    out.push({ action: k });
    if (k === 'accept') out.push({ action: 'accept', withDispatch: true });
  }
  return out;
}

export function EventDrawer({ eventId, onClose, onChanged }: { eventId: string | null; onClose: () => void; onChanged: () => void }) {
  const { can } = useAuth();
  const { message, modal } = App.useApp();
  const [detail, setDetail] = useState<EventDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [target, setTarget] = useState<ActionTarget | null>(null);
  const [phone, setPhone] = useState<string | null>(null);

  const reload = useCallback(() => setVersion((v) => v + 1), []);

  useEffect(() => {
    if (!eventId) return;
    const ctrl = new AbortController();
    gridApi
      .event(eventId, ctrl.signal)
      .then((d) => {
        setDetail(d);
        setError(null);
      })
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setError(errorText(err));
      });
    return () => ctrl.abort();
  }, [eventId, version]);

  const current = detail && detail.id === eventId ? detail : null;

  const done = () => {
    setTarget(null);
    reload();
    onChanged();
  };

  const start = (t: ActionTarget) => {
    if (!current) return;
    if (needsForm(t)) {
      setTarget(t);
      return;
    }
    modal.confirm({
      title: `${actionTitle(t)}？`,
      content:
        t.action === 'accept' && current.suggestedUnitName
          ? `立案后将按路由表派遣至 ${current.suggestedUnitName}`
          : `事件 ${current.number} 将${ACTIONS[t.action].label}`,
      okText: actionTitle(t),
      cancelText: '取消',
      onOk: async () => {
        if (await runAction(current, { action: t.action }, message, reload)) done();
      },
    });
  };

  const reveal = async () => {
    if (!current) return;
    try {
      const r = await gridApi.revealPhone(current.id);
      setPhone(r.phone ?? '（无）');
    } catch (err) {
      message.error(errorText(err));
    }
  };

  const mergeInto = (intoId: string, intoNumber: string) => setTarget({ action: 'merge', intoId, intoNumber });

  const targets = current ? availableTargets(current) : [];
  const canMerge = current && can('grid.manage') && (ACTIONS.merge.from as readonly string[]).includes(current.status);

  return (
    <Drawer
      title={
        current ? (
          <Space size={8} wrap>
            <span data-testid="grid-event-number">{current.number}</span>
            <span>{current.category}</span>
          </Space>
        ) : (
          '事件详情'
        )
      }
      open={eventId !== null}
      onClose={onClose}
      size={760}
      destroyOnHidden
      afterOpenChange={(open) => {
        if (!open) setPhone(null);
      }}
    >
      {error && <Alert type="error" showIcon title="事件加载失败" description={error} className="form-alert" />}
      {!current && !error && (
        <div className="center-pad">
          <Spin />
        </div>
      )}
      {current && (
        <div data-testid="grid-event-drawer">
          {targets.length > 0 && (
            <Space wrap style={{ marginBottom: 16 }} data-testid="grid-event-actions">
              {targets.map((t) => (
                <Button
                  key={actionTitle(t)}
                  type={t.withDispatch || t.action === 'handle' || t.action === 'dispatch' ? 'primary' : 'default'}
                  danger={['reject', 'return', 'rework', 'escalate'].includes(t.action)}
                  onClick={() => start(t)}
                >
                  {actionTitle(t)}
                </Button>
              ))}
            </Space>
          )}
          <Descriptions size="small" column={2} bordered>
            <Descriptions.Item label="状态" span={2}>
              <StatusTag status={current.status} label={current.statusLabel} overdue={current.handleOverdue} />
            </Descriptions.Item>
            <Descriptions.Item label="类别">{current.category}</Descriptions.Item>
            <Descriptions.Item label="紧急程度">
              {current.urgency === 'urgent' ? <Tag color="red">紧急</Tag> : URGENCIES.normal}
            </Descriptions.Item>
            <Descriptions.Item label="描述" span={2}>
              {current.description}
            </Descriptions.Item>
            <Descriptions.Item label="地址" span={2}>
              {current.address ?? (current.lng !== null ? `${current.lng.toFixed(5)}, ${current.lat?.toFixed(5)}` : '—')}
            </Descriptions.Item>
            <Descriptions.Item label="来源">{REPORTER_KINDS[current.reporterKind] ?? current.reporterKind}</Descriptions.Item>
            <Descriptions.Item label="报告人">
              <Space size={4} wrap>
                <span>{current.reporterName ?? '—'}</span>
                {current.reporterPhone && <span className="mono">{phone ?? current.reporterPhone}</span>}
                {current.reporterPhone && can('grid.manage') && !phone && (
                  <Button size="small" type="link" onClick={() => void reveal()}>
                    查看号码
                  </Button>
                )}
              </Space>
            </Descriptions.Item>
            <Descriptions.Item label="处置单位">{current.unitName ?? '—'}</Descriptions.Item>
            <Descriptions.Item label="处置人">{current.assigneeName ?? '—'}</Descriptions.Item>
            <Descriptions.Item label="上报时间">{formatTime(current.reportedAt, 'YYYY-MM-DD HH:mm')}</Descriptions.Item>
            <Descriptions.Item label="受理时限">
              {formatTime(current.respondDueAt, 'YYYY-MM-DD HH:mm')} {current.respondOverdue && <Tag color="red">超期</Tag>}
            </Descriptions.Item>
            <Descriptions.Item label="处置时限">
              {formatTime(current.handleDueAt, 'YYYY-MM-DD HH:mm')} {current.handleOverdue && <Tag color="red">超期</Tag>}
            </Descriptions.Item>
            <Descriptions.Item label="派单方式">
              {current.dispatchMode === 'grab' ? '抢单' : current.dispatchMode === 'round_robin' ? '轮派' : '指派'}
            </Descriptions.Item>
            {current.escalationLevel > 0 && (
              <Descriptions.Item label="督办" span={2}>
                <Tag color="volcano">已上报上级 {current.escalationLevel} 次</Tag>
              </Descriptions.Item>
            )}
            {current.handlerNote && (
              <Descriptions.Item label="处置情况" span={2}>
                {current.handlerNote}
              </Descriptions.Item>
            )}
            {current.satisfaction !== null && (
              <Descriptions.Item label="满意度" span={2}>
                {'★'.repeat(current.satisfaction)}
                {current.ratingComment ? `（${current.ratingComment}）` : ''}
              </Descriptions.Item>
            )}
          </Descriptions>

          <Typography.Title level={5} className="section-label" style={{ marginTop: 16 }}>
            现场照片
          </Typography.Title>
          <PhotoList photos={current.photos} />
          {current.resultPhotos.length > 0 && (
            <>
              <Typography.Title level={5} className="section-label" style={{ marginTop: 16 }}>
                处置照片
              </Typography.Title>
              <PhotoList photos={current.resultPhotos} />
            </>
          )}

          {current.suspectedDuplicates.length > 0 && (
            <>
              <Typography.Title level={5} className="section-label" style={{ marginTop: 16 }}>
                疑似重复事件
              </Typography.Title>
              <List
                size="small"
                bordered
                dataSource={current.suspectedDuplicates}
                data-testid="grid-duplicates"
                renderItem={(d) => (
                  <List.Item
                    actions={
                      canMerge
                        ? [
                            <Button key="merge" size="small" onClick={() => mergeInto(d.id, d.number)}>
                              合并到此事件
                            </Button>,
                          ]
                        : []
                    }
                  >
                    <List.Item.Meta
                      title={
                        <Space size={6} wrap>
                          <span className="mono">{d.number}</span>
                          <Tag>{STATUSES[d.status as keyof typeof STATUSES] ?? d.status}</Tag>
                          {d.distanceMetres !== null && <span className="small-text">相距 {Math.round(d.distanceMetres)} 米</span>}
                        </Space>
                      }
                      description={`${formatTime(d.reportedAt, 'MM-DD HH:mm')} ${d.description}`}
                    />
                  </List.Item>
                )}
              />
            </>
          )}

          <Typography.Title level={5} className="section-label" style={{ marginTop: 16 }}>
            流转记录
          </Typography.Title>
          {current.transitions.length === 0 ? (
            <Empty description="暂无记录" />
          ) : (
            <Timeline
              data-testid="grid-event-timeline"
              items={current.transitions.map((t) => ({
                key: t.id,
                color: t.handleOverdue || t.respondOverdue ? 'red' : t.toStatus === 'closed' ? 'green' : 'blue',
                content: (
                  <div>
                    <Space size={6} wrap>
                      <strong>{t.actionLabel}</strong>
                      <span>{t.actorName}</span>
                      <span className="small-text">{formatTime(t.at, 'YYYY-MM-DD HH:mm')}</span>
                      {(t.handleOverdue || t.respondOverdue) && <Tag color="red">超期</Tag>}
                      {t.fromStatus !== t.toStatus && <Tag>{STATUSES[t.toStatus as keyof typeof STATUSES] ?? t.toStatus}</Tag>}
                    </Space>
                    {t.reason && <div className="small-text">原因：{t.reason}</div>}
                  </div>
                ),
              }))}
            />
          )}
          {target && <ActionModal detail={current} target={target} onClose={() => setTarget(null)} onDone={done} reload={reload} />}
        </div>
      )}
    </Drawer>
  );
}
