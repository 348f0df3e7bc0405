// The signed-in account's inbox (站内通知): escalated alarms, grid event status changes, dispatches.
import { api } from './client';

export interface Notification {
  id: string;
  kind: string;
  title: string;
  body: string;
  link: string | null;
  subjectType: string | null;
  subjectId: string | null;
  createdAt: string;
  readAt: string | null;
}

export interface NotificationPage {
  items: Notification[];
  total: number;
  unread: number;
}

export const notificationsApi = {
  list: (query: { unread?: boolean; limit?: number; offset?: number } = {}) => api.get<NotificationPage>('/api/notifications', query),
  read: (id: string) => api.post<Notification>(`/api/notifications/${id}/read`),
  readAll: () => api.post<{ marked: number }>('/api/notifications/read-all'),
};
