// Pieces shared by the register pages (居民, 楼栋房屋, 重点人群).
import { Tag, Typography } from 'antd';
import type { ReactNode } from 'react';
import { plateUrl } from '../../api/endpoints';
import type { Level, RegionNode } from '../../api/types';
import { LEVEL_COLOR, LEVEL_LABEL } from '../../lib/labels';
import { hukouLabel, tagColor, tagLabel } from '../../lib/registry';
import type { IndexedRegion } from '../../regions/context';

/** Where residents and buildings are registered: communities and their grids. */
export const PLACE_LEVELS: readonly Level[] = ['community', 'grid'];

export function TagList({ tags, empty = '—' }: { tags: readonly string[]; empty?: string }) {
  if (tags.length === 0) return <Typography.Text type="secondary">{empty}</Typography.Text>;
  return (
    <span className="tag-list">
      {tags.map((t) => (
        <Tag key={t} color={tagColor(t)} className="resident-tag" data-tag={t}>
          {tagLabel(t)}
        </Tag>
      ))}
    </span>
  );
}

export function HukouTag({ hukou }: { hukou: string }) {
  const color = hukou === 'local' ? 'blue' : hukou === 'nonlocal' ? 'orange' : undefined;
  return (
    <Tag color={color} variant="outlined">
      {hukouLabel(hukou)}
    </Tag>
  );
}

/** The list filter for the node selected in the region tree: a community or grid narrows, higher levels do not. */
export function placeFilter(selected: IndexedRegion | null): { communityId?: string; gridId?: string } {
  if (!selected) return {};
  if (selected.node.level === 'community') return { communityId: selected.node.id };
  if (selected.node.level === 'grid') return { gridId: selected.node.id };
  return {};
}

/** "柳岸社区 / 柳岸第一网格" from the visible tree; ids outside it are left out. */
export function placeName(index: Map<string, IndexedRegion>, communityId: string, gridId: string | null): string {
  const names = [index.get(communityId)?.node.name, gridId ? index.get(gridId)?.node.name : undefined].filter(Boolean);
  return names.length ? names.join(' / ') : '—';
}

/**
 * The place column of a list: under a selected community or grid only the grid is news (or 社区直属
 * for people and buildings registered on the community itself); higher up, community and grid.
 */
export function placeColumnText(
  index: Map<string, IndexedRegion>,
  selected: IndexedRegion | null,
  communityId: string,
  gridId: string | null,
): string {
  if (selected && PLACE_LEVELS.includes(selected.node.level)) {
    return gridId ? (index.get(gridId)?.node.name ?? '—') : '社区直属';
  }
  return placeName(index, communityId, gridId);
}

export interface PlaceOption {
  value: string;
  title: ReactNode;
  search: string;
  selectable: boolean;
  disabled?: boolean;
  children: PlaceOption[];
}

/**
 * TreeSelect options of the visible tree where only communities and grids can be chosen (residents
 * and buildings belong to one); branches without any are left out.
 */
export function placeOptions(nodes: RegionNode[], levels: readonly Level[] = PLACE_LEVELS): PlaceOption[] {
  const out: PlaceOption[] = [];
  for (const n of nodes) {
    const children = placeOptions(n.children, levels);
    const selectable = levels.includes(n.level);
    if (!selectable && children.length === 0) continue;
    out.push({
      value: n.id,
      search: `${n.name} ${n.code}`,
      selectable,
      title: (
        <span className="region-node">
          <span>{n.name}</span>
          <Tag color={LEVEL_COLOR[n.level]} variant="outlined" className="region-node-level">
            {LEVEL_LABEL[n.level]}
          </Tag>
        </span>
      ),
      children,
    });
  }
  return out;
}

/** Communities only (organisations and ledger imports belong to a community as a whole). */
export const COMMUNITY_LEVEL: readonly Level[] = ['community'];

/** The community of the selected tree node: itself, or a grid's community; null higher up. */
export function selectedCommunity(selected: IndexedRegion | null, index: Map<string, IndexedRegion>): string | null {
  if (!selected) return null;
  if (selected.node.level === 'community') return selected.node.id;
  if (selected.node.level === 'grid' && selected.parentId) {
    const parent = index.get(selected.parentId);
    return parent?.node.level === 'community' ? parent.node.id : null;
  }
  return null;
}

/** The selected tree node when residents or buildings can be registered there directly. */
export function selectedPlace(selected: IndexedRegion | null): string | null {
  return selected && PLACE_LEVELS.includes(selected.node.level) ? selected.node.id : null;
}

/**
 * A room's standard address as a search text for `GET /api/residents?q=` (at most 60 characters):
 * the whole address when it fits, else the part after the administrative names.
 */
export function roomSearchText(address: string): string {
  if (address.length <= 60) return address;
  const local = address.split(' ').slice(1).join(' ');
  return local.length <= 60 ? local : address.slice(-60);
}

/** A plate code as a link to the public page its QR opens. */
export function PlateLink({ communityId, code, testId }: { communityId: string; code: string; testId?: string }) {
  return (
    <Typography.Link
      href={plateUrl(communityId, code)}
      target="_blank"
      rel="noopener noreferrer"
      className="mono"
      copyable={{ text: code, tooltips: ['复制门牌码', '已复制'] }}
      data-testid={testId}
    >
      {code}
    </Typography.Link>
  );
}
