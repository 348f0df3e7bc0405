// Small pieces shared by the device pages: the community the region selection points at, tags.
import { Tag } from 'antd';
import type { RegionNode } from '../../api/types';
import { useRegions } from '../../regions/context';
import { SEVERITIES } from './api';

export interface Selection {
  /** The community to ask the API for (a grid's own community), or undefined for everything in scope. */
  communityId: string | undefined;
  /** Set when a grid is selected: the API filters by community, the page by grid. */
  gridId: string | undefined;
  /** Name of the selected node, for the card's subtitle. */
  name: string | undefined;
  /** Communities under (or at) the selection, for pickers. */
  communities: RegionNode[];
}

function communitiesUnder(node: RegionNode): RegionNode[] {
  if (node.level === 'community') return [node];
  return node.children.flatMap(communitiesUnder);
}

export function useSelection(): Selection {
  const { selected, index, tree } = useRegions();
  if (!selected) return { communityId: undefined, gridId: undefined, name: undefined, communities: tree.flatMap(communitiesUnder) };
  const node = selected.node;
  if (node.level === 'grid') {
    const parent = selected.parentId ? index.get(selected.parentId)?.node : undefined;
    return { communityId: parent?.id, gridId: node.id, name: node.name, communities: parent ? [parent] : [] };
  }
  return {
    communityId: node.level === 'community' ? node.id : undefined,
    gridId: undefined,
    name: node.name,
    communities: communitiesUnder(node),
  };
}

export function SeverityTag({ severity, label }: { severity: string; label?: string }) {
  const s = SEVERITIES[severity];
  return (
    <Tag color={s?.color ?? 'default'} data-severity={severity}>
      {s?.label ?? label ?? severity}
    </Tag>
  );
}

export function AlarmStatusTags({ status, acknowledged }: { status: string; acknowledged: boolean }) {
  return (
    <span className="nowrap">
      <Tag color={status === 'active' ? 'volcano' : 'default'}>{status === 'active' ? '活动' : '已清除'}</Tag>
      <Tag color={acknowledged ? 'green' : 'orange'}>{acknowledged ? '已确认' : '未确认'}</Tag>
    </span>
  );
}
