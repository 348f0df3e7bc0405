// Chinese labels for the codes the API returns.
import type { Level } from '../api/types';

export const LEVEL_LABEL: Record<Level, string> = {
  city: '市',
  district: '区',
  street: '街道',
  community: '社区',
  grid: '网格',
};

export const LEVEL_COLOR: Record<Level, string> = {
  city: 'geekblue',
  district: 'blue',
  street: 'cyan',
  community: 'green',
  grid: 'gold',
};

/** The level a child of `level` has; grids have no children. */
export const CHILD_LEVEL: Record<Level, Level | null> = {
  city: 'district',
  district: 'street',
  street: 'community',
  community: 'grid',
  grid: null,
};

/** How a child's code is formed from its parent's (the server's code rules). */
export function childCodeHint(parentLevel: Level, parentCode: string): string {
  switch (parentLevel) {
    case 'city':
      return `区县代码为 6 位数字，前 4 位与市代码相同（${parentCode.slice(0, 4)}xx）`;
    case 'district':
      return `街道代码为区代码 + 3 位数字（${parentCode}xxx）`;
    case 'street':
      return `社区代码为街道代码 + 3 位数字（${parentCode}xxx）`;
    case 'community':
      return `网格代码为社区代码 + 3 位数字（${parentCode}xxx）`;
    case 'grid':
      return '网格下不能再建下级区划';
  }
}

export const ACTION_LABEL: Record<string, string> = {
  'auth.login': '登录',
  'auth.logout': '退出登录',
  'auth.change-password': '修改密码',
  'region.create': '新建区划',
  'region.update': '修改区划',
  'region.delete': '删除区划',
  'user.create': '新建账号',
  'user.update': '修改账号',
  'audit.read': '查看审计日志',
  'GET /api/residents': '查询居民',
  'GET /api/residents/:id': '查看居民详情',
  'resident.create': '登记居民',
  'resident.update': '修改居民信息',
  'resident.reveal': '查看居民完整证件号与电话',
  'building.create': '登记楼栋',
  'room.create': '登记房屋',
  'residency.create': '登记入住',
  'residency.end': '登记迁出',
  'resident.list': '查询居民',
  'resident.read': '查看居民详情',
  'resident.export': '导出居民台账',
  'residents.import': '导入居民台账',
  'rooms.import': '导入楼栋房屋台账',
  'organisations.import': '导入组织台账',
  'organisation.create': '登记组织',
  'organisation.update': '修改组织信息',
  'organisation.member-add': '增加组织成员',
  'organisation.member-leave': '登记成员退出',
  'facility.create': '登记场所设施',
  'facility.update': '修改场所设施',
};

export const OUTCOME_LABEL: Record<string, { text: string; color: string }> = {
  success: { text: '成功', color: 'success' },
  denied: { text: '拒绝', color: 'warning' },
  rejected: { text: '驳回', color: 'orange' },
  error: { text: '错误', color: 'error' },
};

export const TARGET_TYPE_LABEL: Record<string, string> = {
  user: '账号',
  region: '区划',
  audit: '审计日志',
  resident: '居民',
  building: '楼栋',
  room: '房屋',
  residency: '居住关系',
  community: '社区',
  organisation: '组织',
  'organisation-member': '组织成员',
  facility: '场所设施',
};
