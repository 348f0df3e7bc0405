// 移动端 家人安全 (residents, signed in): the SOS and fall alarms of devices serving someone of the
// resident's household, with who acknowledged, who was on site and how quickly (`003` L2P6).
import { Alert, Empty, Spin, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { api, errorText } from '../api/client';
import { formatTime } from '../lib/time';
import type { AlarmDetail } from '../pages/devices/api';
import { VoteHeader } from './VotesPage';
import './mobile.css';

const KIND: Record<string, string> = { notify: '通知', ack: '确认', arrive: '到场', comment: '备注', assign: '指派', clear: '清除' };

export default function FamilyAlarmsPage() {
  const [items, setItems] = useState<AlarmDetail[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    const load = () =>
      api
        .get<AlarmDetail[]>('/api/my-family-alarms')
        .then((r) => !cancelled && (setItems(r), setError(null)))
        .catch((err: unknown) => !cancelled && (setError(errorText(err)), setItems((x) => x ?? [])));
    void load();
    const timer = setInterval(() => void load(), 15_000);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, []);
  return (
    <div className="m-page">
      <VoteHeader title="家人安全" />
      <div className="m-body" data-testid="m-family">
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
        {items === null ? (
          <div className="center-pad">
            <Spin />
          </div>
        ) : items.length === 0 ? (
          <Empty description="近 90 天家人的呼救、跌倒设备没有告警" />
        ) : (
          items.map((a) => (
            <div className="m-card" key={a.id}>
              <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
                <strong style={{ fontSize: 17 }}>{a.label}</strong>
                {a.status === 'active' && !a.acknowledged ? (
                  <Tag color="red">待响应</Tag>
                ) : a.arrivedAt ? (
                  <Tag color="green">已到场</Tag>
                ) : a.acknowledged ? (
                  <Tag color="blue">已确认</Tag>
                ) : (
                  <Tag>已清除</Tag>
                )}
              </div>
              <p className="m-muted" style={{ margin: '6px 0' }}>
                {a.deviceName} · {formatTime(a.firstAt)}
              </p>
              {a.acknowledgedBy && (
                <p style={{ margin: '4px 0' }}>
                  {a.acknowledgedBy} 确认{a.responseMinutes !== null ? `（${a.responseMinutes} 分钟）` : ''}
                  {a.arrivedBy ? `，${a.arrivedBy} 到场（${a.arrivalMinutes} 分钟）` : ''}
                </p>
              )}
              <ul style={{ paddingLeft: 18, margin: '6px 0 0' }}>
                {a.log.map((l, i) => (
                  <li key={i}>
                    {formatTime(l.at)} {KIND[l.kind] ?? l.kind}：{l.author}
                    {l.text ? ` ${l.text}` : ''}
                  </li>
                ))}
              </ul>
            </div>
          ))
        )}
      </div>
    </div>
  );
}
