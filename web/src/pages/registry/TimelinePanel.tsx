// What happened to a person or a household (room), newest first, from the server's timelines.
import { ClockCircleOutlined } from '@ant-design/icons';
import { Alert, Button, Empty, Spin, Timeline, Typography, type TimelineItemProps } from 'antd';
import { useEffect, useState } from 'react';
import { errorText } from '../../api/client';
import { residentApi, roomApi } from '../../api/endpoints';
import type { TimelineEntry, TimelineQuery } from '../../api/types';
import { formatTime } from '../../lib/time';

const PAGE_SIZE = 20;

type Subject = 'resident' | 'room';

type Loaded =
  | { key: string; items: TimelineEntry[]; more: boolean; error: null }
  | { key: string; items: TimelineEntry[]; more: boolean; error: string };

function fetchPage(subject: Subject, id: string, query: TimelineQuery, signal?: AbortSignal) {
  return subject === 'resident' ? residentApi.timeline(id, query, signal) : roomApi.timeline(id, query, signal);
}

/** Colours by what kind of thing happened (the event topic). */
function colorOf(topic: string): string {
  if (topic.endsWith('moved-in') || topic.endsWith('member-joined') || topic.endsWith('registered')) return 'green';
  if (topic.endsWith('moved-out') || topic.endsWith('member-left')) return 'gray';
  return 'blue';
}

export function TimelinePanel({
  subject,
  id,
  version = 0,
  emptyText = '暂无记录',
}: {
  subject: Subject;
  id: string;
  /** Changes when the caller knows something new happened (reloads from the newest). */
  version?: number;
  emptyText?: string;
}) {
  const key = `${subject}:${id}#${version}`;
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<string | null>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    fetchPage(subject, id, { limit: PAGE_SIZE }, ctrl.signal)
      .then((items) => setLoaded({ key, items, more: items.length === PAGE_SIZE, error: null }))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setLoaded({ key, items: [], more: false, error: errorText(err) });
      });
    return () => ctrl.abort();
  }, [key, subject, id]);

  const current = loaded?.key === key ? loaded : null;

  const loadMore = async () => {
    const last = current?.items.at(-1);
    if (!current || !last) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const next = await fetchPage(subject, id, { before: last.occurredAt, beforeId: last.id, limit: PAGE_SIZE });
      // Entries sharing the boundary instant may come back again: keep each once.
      const seen = new Set(current.items.map((e) => e.id));
      setLoaded({
        ...current,
        items: [...current.items, ...next.filter((e) => !seen.has(e.id))],
        more: next.length === PAGE_SIZE,
      });
    } catch (err) {
      setMoreError(errorText(err));
    } finally {
      setLoadingMore(false);
    }
  };

  if (!current) {
    return (
      <div className="center-pad">
        <Spin />
      </div>
    );
  }
  if (current.error) return <Alert type="error" showIcon title="时间线加载失败" description={current.error} />;
  if (current.items.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={emptyText} />;

  const items: TimelineItemProps[] = current.items.map((e) => ({
    key: e.id,
    color: colorOf(e.topic),
    content: (
      <div className="timeline-entry" data-topic={e.topic}>
        <div className="timeline-summary">{e.summary}</div>
        <Typography.Text type="secondary" className="small-text">
          <ClockCircleOutlined /> {formatTime(e.occurredAt, 'YYYY-MM-DD HH:mm')}
        </Typography.Text>
      </div>
    ),
  }));

  return (
    <div className="timeline-panel" data-testid={`${subject}-timeline`}>
      <Timeline items={items} />
      {moreError && <Alert type="error" showIcon title={moreError} className="form-alert" />}
      {current.more && (
        <div className="load-more">
          <Button size="small" loading={loadingMore} onClick={() => void loadMore()}>
            加载更早的记录
          </Button>
        </div>
      )}
    </div>
  );
}
