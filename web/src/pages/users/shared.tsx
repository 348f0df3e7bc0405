// Pieces shared by the create and edit account dialogs.
import { Tag } from 'antd';
import type { Level, RegionNode, Role, RoleId } from '../../api/types';
import { LEVEL_COLOR, LEVEL_LABEL } from '../../lib/labels';

export interface RegionOption {
  value: string;
  title: React.ReactNode;
  search: string;
  children: RegionOption[];
}

export function regionOptions(nodes: RegionNode[]): RegionOption[] {
  return nodes.map((n) => ({
    value: n.id,
    search: `${n.name} ${n.code}`,
    title: (
      <span className="region-node">
        <span>{n.name}</span>
        <Tag color={LEVEL_COLOR[n.level]} variant="outlined" className="region-node-level">
          {LEVEL_LABEL[n.level]}
        </Tag>
      </span>
    ),
    children: regionOptions(n.children),
  }));
}

export interface RoleOption {
  value: RoleId;
  label: string;
  disabled: boolean;
  title: string;
}

/**
 * Options for the roles select: the roles the caller may grant (with Chinese labels), those that do
 * not fit the chosen region's level disabled, plus any role the account already has.
 */
export function roleOptions(
  roles: Role[],
  grantable: readonly RoleId[],
  level: Level | undefined,
  current: readonly RoleId[] = [],
): RoleOption[] {
  const ids = new Set<RoleId>([...grantable, ...current]);
  return roles
    .filter((r) => ids.has(r.id))
    .map((r) => {
      const canGrant = grantable.includes(r.id);
      const fits = !level || r.levels.includes(level);
      const where = r.levels.map((l) => LEVEL_LABEL[l]).join('、');
      return {
        value: r.id,
        label: r.label,
        disabled: !canGrant || !fits,
        title: !canGrant ? '您无权授予此角色' : fits ? r.label : `${r.label}只能设在${where}级区划`,
      };
    });
}
