// The bell in the console header: unread count (checked every 30 s), a list of the latest messages;
// clicking one marks it read and opens its page.
import { BellOutlined } from '@ant-design/icons';
import { Badge, Button, Empty, List, Popover, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { notificationsApi, type Notification, type NotificationPage } from '../api/notifications';
import { formatTime } from '../lib/time';

export function NotificationBell() {
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [page, setPage] = useState<NotificationPage | null>(null);
  const load = useCallback(
    () =>
      notificationsApi
        .list({ limit: 20 })
        .then(setPage)
        .catch(() => {}),
    [],
  );
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), 30_000);
    return () => clearInterval(timer);
  }, [load]);

  const openOne = async (n: Notification) => {
    if (!n.readAt) await notificationsApi.read(n.id).catch(() => {});
    setOpen(false);
    void load();
    if (n.link?.startsWith('/')) navigate(n.link);
  };
  const readAll = async () => {
    await notificationsApi.readAll().catch(() => {});
    void load();
  };

  const content = (
    <div style={{ width: 360, maxHeight: 420, overflow: 'auto' }} data-testid="notification-list">
      {!page?.items.length ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="暂无通知" />
      ) : (
        <List
          size="small"
          dataSource={page.items}
          renderItem={(n) => (
            <List.Item style={{ cursor: 'pointer', opacity: n.readAt ? 0.6 : 1 }} onClick={() => void openOne(n)}>
              <List.Item.Meta
                title={
                  <span>
                    {!n.readAt && <Badge status="error" style={{ marginInlineEnd: 6 }} />}
                    {n.title}
                  </span>
                }
                description={
                  <>
                    <Typography.Paragraph ellipsis={{ rows: 2 }} style={{ marginBottom: 2 }}>
                      {n.body}
                    </Typography.Paragraph>
                    <span style={{ fontSize: 12 }}>{formatTime(n.createdAt, 'MM-DD HH:mm')}</span>
                  </>
                }
              />
            </List.Item>
          )}
        />
      )}
    </div>
  );

  return (
    <Popover
      trigger="click"
      placement="bottomRight"
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (o) void load();
      }}
      title={
        <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
          <span>通知</span>
          <Button type="link" size="small" disabled={!page?.unread} onClick={() => void readAll()}>
            全部已读
          </Button>
        </div>
      }
      content={content}
    >
      <Button type="text" className="header-btn" aria-label="通知" data-testid="notification-bell">
        <Badge count={page?.unread ?? 0} size="small" offset={[4, -2]}>
          <BellOutlined style={{ color: '#fff', fontSize: 16 }} />
        </Badge>
      </Button>
    </Popover>
  );
}
