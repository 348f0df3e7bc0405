import { createContext, useContext } from 'react';
import type { RegionNode } from '../api/types';

export interface IndexedRegion {
  node: RegionNode;
  parentId: string | null;
  /** Names from the visible root down to this node. */
  path: RegionNode[];
}

export interface RegionState {
  /** The visible tree (rooted at the caller's own region). */
  tree: RegionNode[];
  index: Map<string, IndexedRegion>;
  loading: boolean;
  error: string | null;
  /** The node that drives the pages; the root until the user picks another. */
  selectedId: string | null;
  selected: IndexedRegion | null;
  select: (id: string) => void;
  reload: () => Promise<void>;
}

export const RegionContext = createContext<RegionState | null>(null);

export function useRegions(): RegionState {
  const ctx = useContext(RegionContext);
  if (!ctx) throw new Error('useRegions must be used inside <RegionProvider>');
  return ctx;
}

export function indexTree(tree: RegionNode[]): Map<string, IndexedRegion> {
  const index = new Map<string, IndexedRegion>();
  const walk = (nodes: RegionNode[], parentId: string | null, path: RegionNode[]) => {
    for (const node of nodes) {
      const p = [...path, node];
      index.set(node.id, { node, parentId, path: p });
      walk(node.children, node.id, p);
    }
  };
  walk(tree, null, []);
  return index;
}
