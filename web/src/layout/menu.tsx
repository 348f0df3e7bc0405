import {
  ApartmentOutlined,
  AuditOutlined,
  BellOutlined,
  WifiOutlined,
  ControlOutlined,
  DeploymentUnitOutlined,
  BankOutlined,
  AlertOutlined,
  BarChartOutlined,
  CloudUploadOutlined,
  ClusterOutlined,
  DashboardOutlined,
  DatabaseOutlined,
  EnvironmentOutlined,
  HeartOutlined,
  HomeOutlined,
  CheckSquareOutlined,
  CommentOutlined,
  EyeOutlined,
  ScheduleOutlined,
  SolutionOutlined,
  IdcardOutlined,
  SettingOutlined,
  SlidersOutlined,
  TeamOutlined,
  TrophyOutlined,
} from '@ant-design/icons';
import type { MenuProps } from 'antd';
import type { ReactNode } from 'react';

export interface MenuEntry {
  path: string;
  label: string;
  icon: ReactNode;
  permission: string;
  /** Entries with the same group are shown together under one sub-menu. */
  group?: string;
}

export interface MenuGroup {
  key: string;
  label: string;
  icon: ReactNode;
}

export const MENU_GROUPS: MenuGroup[] = [
  { key: 'registry', label: '基础信息库', icon: <DatabaseOutlined /> },
  { key: 'grid', label: '网格治理', icon: <ClusterOutlined /> },
  { key: 'devices', label: '物联感知', icon: <WifiOutlined /> },
  { key: 'democracy', label: '民主议事', icon: <CheckSquareOutlined /> },
];

export const MENU: MenuEntry[] = [
  { path: '/regions', label: '区划管理', icon: <ApartmentOutlined />, permission: 'regions.read' },
  { path: '/residents', label: '居民', icon: <IdcardOutlined />, permission: 'registry.read', group: 'registry' },
  { path: '/buildings', label: '楼栋房屋', icon: <HomeOutlined />, permission: 'registry.read', group: 'registry' },
  { path: '/special-groups', label: '重点人群', icon: <HeartOutlined />, permission: 'registry.read', group: 'registry' },
  { path: '/organisations', label: '组织', icon: <BankOutlined />, permission: 'registry.read', group: 'registry' },
  { path: '/facilities', label: '场所设施', icon: <EnvironmentOutlined />, permission: 'registry.read', group: 'registry' },
  { path: '/imports', label: '台账导入', icon: <CloudUploadOutlined />, permission: 'registry.import', group: 'registry' },
  { path: '/grid/events', label: '事件工作台', icon: <AlertOutlined />, permission: 'grid.read', group: 'grid' },
  { path: '/grid/dashboard', label: '治理看板', icon: <DashboardOutlined />, permission: 'grid.read', group: 'grid' },
  { path: '/grid/kpis', label: '绩效考核', icon: <BarChartOutlined />, permission: 'grid.read', group: 'grid' },
  { path: '/grid/settings', label: '治理配置', icon: <SettingOutlined />, permission: 'grid.manage', group: 'grid' },
  { path: '/devices/alarms', label: '告警中心', icon: <BellOutlined />, permission: 'devices.read', group: 'devices' },
  { path: '/devices/map', label: '设备分布', icon: <DeploymentUnitOutlined />, permission: 'devices.read', group: 'devices' },
  { path: '/devices', label: '设备台账', icon: <ControlOutlined />, permission: 'devices.read', group: 'devices' },
  { path: '/devices/rules', label: '告警规则', icon: <SlidersOutlined />, permission: 'devices.read', group: 'devices' },
  { path: '/democracy/votes', label: '投票表决', icon: <CheckSquareOutlined />, permission: 'democracy.read', group: 'democracy' },
  { path: '/democracy/elections', label: '民主选举', icon: <SolutionOutlined />, permission: 'democracy.read', group: 'democracy' },
  { path: '/democracy/consultations', label: '协商议事', icon: <CommentOutlined />, permission: 'democracy.read', group: 'democracy' },
  { path: '/democracy/decisions', label: '五议两公开', icon: <ScheduleOutlined />, permission: 'democracy.read', group: 'democracy' },
  { path: '/democracy/supervision', label: '民主监督', icon: <EyeOutlined />, permission: 'democracy.read', group: 'democracy' },
  { path: '/evaluation', label: '社区评价', icon: <TrophyOutlined />, permission: 'evaluation.read' },
  { path: '/users', label: '账号管理', icon: <TeamOutlined />, permission: 'users.read' },
  { path: '/audit', label: '审计日志', icon: <AuditOutlined />, permission: 'audit.read' },
];

export function allowedMenu(permissions: readonly string[]): MenuEntry[] {
  return MENU.filter((m) => permissions.includes(m.permission));
}

export function firstAllowedPath(permissions: readonly string[]): string | null {
  return allowedMenu(permissions)[0]?.path ?? null;
}

type MenuItems = NonNullable<MenuProps['items']>;

/** The allowed entries as antd menu items: grouped entries under their group, in the order of MENU. */
export function menuItems(entries: MenuEntry[]): MenuItems {
  const items: MenuItems = [];
  const groups = new Map<string, MenuItems>();
  for (const m of entries) {
    const item = { key: m.path, label: m.label, icon: m.icon };
    const group = m.group ? MENU_GROUPS.find((g) => g.key === m.group) : undefined;
    if (!group) {
      items.push(item);
      continue;
    }
    let children = groups.get(group.key);
    if (!children) {
      children = [];
      groups.set(group.key, children);
      items.push({ key: groupKey(group.key), label: group.label, icon: group.icon, children });
    }
    children.push(item);
  }
  return items;
}

export function groupKey(group: string): string {
  return `group:${group}`;
}
