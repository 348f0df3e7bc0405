// One alarm: its fields, its log (notifications of the escalation chain, acknowledgement, arrival,
// comments), the grid event it raised, and the actions 确认 / 到场 / 指派 / 评论 / 清除.
import { App, Alert, Button, Descriptions, Drawer, Empty, Form, Input, Modal, Space, Spin, Tag, Timeline, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { errorText } from '../../api/client';
import { useAuth } from '../../auth/context';
import { formatTime } from '../../lib/time';
import { gridApi } from '../grid/api';
import { DEVICE_TYPES, ELDERLY_ALARMS, formatValue, LOG_KINDS, devicesApi, type AlarmAction, type AlarmDetail } from './api';
import { AlarmStatusTags, SeverityTag } from './shared';

type TextAction = Extract<AlarmAction, 'comment' | 'assign'>;

export function AlarmDrawer({
  alarmId,
  version,
  onClose,
  onChanged,
}: {
  alarmId: string | null;
  /** Bumped by the page when the stream says something changed: the drawer reloads. */
  version: number;
  onClose: () => void;
  onChanged: () => void;
}) {
  const { can } = useAuth();
  const { message, modal } = App.useApp();
  const [detail, setDetail] = useState<AlarmDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [own, setOwn] = useState(0);
  const [busy, setBusy] = useState<AlarmAction | null>(null);
  const [textAction, setTextAction] = useState<TextAction | null>(null);
  const [eventNumber, setEventNumber] = useState<{ id: string; number: string } | null>(null);
  const [form] = Form.useForm<{ text: string }>();

  useEffect(() => {
    if (!alarmId) return;
    const ctrl = new AbortController();
    devicesApi
      .alarm(alarmId, ctrl.signal)
      .then((d) => {
        setDetail(d);
        setError(null);
      })
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setError(errorText(err));
      });
    return () => ctrl.abort();
  }, [alarmId, version, own]);

  const current = detail && detail.id === alarmId ? detail : null;
  const gridEventId = current?.gridEventId ?? null;
  const canGrid = can('grid.read');

  useEffect(() => {
    if (!gridEventId || !canGrid) return;
    const ctrl = new AbortController();
    gridApi
      .event(gridEventId, ctrl.signal)
      .then((e) => setEventNumber({ id: e.id, number: e.number }))
      .catch(() => undefined);
    return () => ctrl.abort();
  }, [gridEventId, canGrid]);

  const act = async (action: AlarmAction, extra: { text?: string; assigneeName?: string } = {}) => {
    if (!current) return;
    setBusy(action);
    try {
      const d = await devicesApi.act(current.id, { action, ...extra });
      setDetail(d);
      setOwn((v) => v + 1);
      onChanged();
      void message.success(`已${LOG_KINDS[action]?.label ?? '处理'}`);
      return true;
    } catch (err) {
      void message.error(errorText(err));
      return false;
    } finally {
      setBusy(null);
    }
  };

  const handle = can('alarms.handle');
  const active = current?.status === 'active';

  const submitText = async () => {
    if (!textAction) return;
    const { text } = await form.validateFields();
    const ok = await act(textAction, textAction === 'assign' ? { assigneeName: text.trim() } : { text: text.trim() });
    if (ok) {
      setTextAction(null);
      form.resetFields();
    }
  };

  return (
    <Drawer
      open={!!alarmId}
      onClose={onClose}
      size={720}
      title={current ? `告警：${current.label}` : '告警'}
      destroyOnHidden
      extra={
        current &&
        handle && (
          <Space wrap>
            {!current.acknowledged && (
              <Button type="primary" loading={busy === 'ack'} onClick={() => void act('ack')} data-testid="alarm-ack">
                确认
              </Button>
            )}
            {ELDERLY_ALARMS.has(current.type) && !current.arrivedAt && (
              <Button loading={busy === 'arrive'} onClick={() => void act('arrive')}>
                到场
              </Button>
            )}
            {active && <Button onClick={() => setTextAction('assign')}>指派</Button>}
            <Button onClick={() => setTextAction('comment')}>评论</Button>
            {active && (
              <Button
                danger
                loading={busy === 'clear'}
                onClick={() =>
                  modal.confirm({
                    title: '手动清除告警？',
                    content: '清除后该告警不再显示为活动；设备再次触发时会产生新的告警。',
                    okText: '清除',
                    okButtonProps: { danger: true },
                    cancelText: '取消',
                    onOk: () => act('clear'),
                  })
                }
              >
                清除
              </Button>
            )}
          </Space>
        )
      }
    >
      <div data-testid="alarm-drawer">
        {error && <Alert type="error" showIcon title="告警加载失败" description={error} className="form-alert" />}
        {!current && !error && (
          <div className="center-pad">
            <Spin />
          </div>
        )}
        {current && (
          <div style={{ display: 'flex', flexDirection: 'column', gap: 24 }}>
            <Descriptions column={2} size="small" bordered>
              <Descriptions.Item label="级别">
                <SeverityTag severity={current.severity} label={current.severityLabel} />
              </Descriptions.Item>
              <Descriptions.Item label="状态">
                <AlarmStatusTags status={current.status} acknowledged={current.acknowledged} />
              </Descriptions.Item>
              <Descriptions.Item label="告警">{current.label}</Descriptions.Item>
              <Descriptions.Item label="触发值">{formatValue(current.value)}</Descriptions.Item>
              <Descriptions.Item label="设备">
                {current.deviceName ?? '—'}
                {current.deviceType && (
                  <Typography.Text type="secondary">
                    （{DEVICE_TYPES[current.deviceType as keyof typeof DEVICE_TYPES] ?? current.deviceType}）
                  </Typography.Text>
                )}
              </Descriptions.Item>
              <Descriptions.Item label="地址">{current.address ?? '—'}</Descriptions.Item>
              <Descriptions.Item label="首次发生">{formatTime(current.firstAt)}</Descriptions.Item>
              <Descriptions.Item label="最近发生">{formatTime(current.lastAt)}</Descriptions.Item>
              <Descriptions.Item label="次数">{current.count}</Descriptions.Item>
              <Descriptions.Item label="清除时间">{formatTime(current.clearedAt)}</Descriptions.Item>
              <Descriptions.Item label="确认">
                {current.acknowledged ? `${current.acknowledgedBy ?? '—'} · ${formatTime(current.acknowledgedAt, 'MM-DD HH:mm:ss')}` : '—'}
              </Descriptions.Item>
              <Descriptions.Item label="响应用时">
                {current.responseMinutes === null ? '—' : `${current.responseMinutes} 分钟`}
              </Descriptions.Item>
              {ELDERLY_ALARMS.has(current.type) && (
                <>
                  <Descriptions.Item label="到场">
                    {current.arrivedAt ? `${current.arrivedBy ?? '—'} · ${formatTime(current.arrivedAt, 'MM-DD HH:mm:ss')}` : '—'}
                  </Descriptions.Item>
                  <Descriptions.Item label="到场用时">
                    {current.arrivalMinutes === null ? '—' : `${current.arrivalMinutes} 分钟`}
                  </Descriptions.Item>
                </>
              )}
              <Descriptions.Item label="负责人">{current.assigneeName ?? '—'}</Descriptions.Item>
              <Descriptions.Item label="网格事件">
                {current.gridEventId ? (
                  canGrid ? (
                    <Link to={`/grid/events?q=${encodeURIComponent(eventNumber?.number ?? current.gridEventId)}`} className="mono">
                      {eventNumber?.id === current.gridEventId ? eventNumber.number : current.gridEventId}
                    </Link>
                  ) : (
                    <span className="mono">{current.gridEventId}</span>
                  )
                ) : (
                  '—'
                )}
              </Descriptions.Item>
            </Descriptions>
            <div>
              <Typography.Title level={5}>处理记录</Typography.Title>
              {current.log.length ? (
                <Timeline
                  data-testid="alarm-log"
                  items={current.log.map((l, i) => ({
                    key: i,
                    color: LOG_KINDS[l.kind]?.color ?? 'blue',
                    content: (
                      <div>
                        <Space size={6} wrap>
                          <Tag>{LOG_KINDS[l.kind]?.label ?? l.kind}</Tag>
                          <span>{l.author}</span>
                          <Typography.Text type="secondary">{formatTime(l.at)}</Typography.Text>
                        </Space>
                        {l.text && <div style={{ marginTop: 4, whiteSpace: 'pre-wrap' }}>{l.text}</div>}
                      </div>
                    ),
                  }))}
                />
              ) : (
                <Empty description="暂无处理记录" image={Empty.PRESENTED_IMAGE_SIMPLE} />
              )}
            </div>
          </div>
        )}
      </div>
      <Modal
        open={!!textAction}
        title={textAction === 'assign' ? '指派负责人' : '添加评论'}
        okText={textAction === 'assign' ? '指派' : '评论'}
        cancelText="取消"
        confirmLoading={busy === textAction}
        onCancel={() => {
          setTextAction(null);
          form.resetFields();
        }}
        onOk={() => void submitText()}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" preserve={false}>
          <Form.Item
            name="text"
            label={textAction === 'assign' ? '负责人姓名' : '内容'}
            rules={[{ required: true, whitespace: true, message: textAction === 'assign' ? '请填写负责人' : '请填写内容' }]}
          >
            {textAction === 'assign' ? <Input maxLength={40} autoFocus /> : <Input.TextArea maxLength={1000} rows={4} autoFocus />}
          </Form.Item>
        </Form>
      </Modal>
    </Drawer>
  );
}
