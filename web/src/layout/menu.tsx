import { ApartmentOutlined, AuditOutlined, TeamOutlined } from '@ant-design/icons';
import type { ReactNode } from 'react';

export interface MenuEntry {
  path: string;
  label: string;
  icon: ReactNode;
  permission: string;
}

export const MENU: MenuEntry[] = [
  { path: '/regions', label: '区划管理', icon: <ApartmentOutlined />, permission: 'regions.read' },
  { path: '/users', label: '账号管理', icon: <TeamOutlined />, permission: 'users.read' },
  { path: '/audit', label: '审计日志', icon: <AuditOutlined />, permission: 'audit.read' },
];

export function allowedMenu(permissions: readonly string[]): MenuEntry[] {
  return MENU.filter((m) => permissions.includes(m.permission));
}

export function firstAllowedPath(permissions: readonly string[]): string | null {
  return allowedMenu(permissions)[0]?.path ?? null;
}
