import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { errorText } from '../api/client';
import { regionApi } from '../api/endpoints';
import type { RegionNode } from '../api/types';
import { indexTree, RegionContext, type RegionState } from './context';

const SELECTED_KEY = 'jiayuan.selectedRegion';

function storedSelection(): string | null {
  try {
    return sessionStorage.getItem(SELECTED_KEY);
  } catch {
    return null;
  }
}

export function RegionProvider({ enabled, children }: { enabled: boolean; children: ReactNode }) {
  const [tree, setTree] = useState<RegionNode[]>([]);
  const [loading, setLoading] = useState(enabled);
  const [error, setError] = useState<string | null>(null);
  const [chosenId, setChosenId] = useState<string | null>(storedSelection);

  const fetchTree = useCallback(async () => {
    try {
      const t = await regionApi.tree();
      setTree(t);
      setError(null);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    if (!enabled) return;
    let cancelled = false;
    regionApi
      .tree()
      .then((t) => {
        if (cancelled) return;
        setTree(t);
        setError(null);
      })
      .catch((err: unknown) => {
        if (!cancelled) setError(errorText(err));
      })
      .finally(() => {
        if (!cancelled) setLoading(false);
      });
    return () => {
      cancelled = true;
    };
  }, [enabled]);

  const reload = useCallback(async () => {
    setLoading(true);
    await fetchTree();
  }, [fetchTree]);

  const select = useCallback((id: string) => {
    setChosenId(id);
    try {
      sessionStorage.setItem(SELECTED_KEY, id);
    } catch {
      // ignore
    }
  }, []);

  const value = useMemo<RegionState>(() => {
    const index = indexTree(tree);
    // A selection that is no longer visible (deleted, other account) falls back to the root.
    const selectedId = chosenId && index.has(chosenId) ? chosenId : (tree[0]?.id ?? null);
    return {
      tree,
      index,
      loading,
      error,
      selectedId,
      selected: selectedId ? (index.get(selectedId) ?? null) : null,
      select,
      reload,
    };
  }, [tree, loading, error, chosenId, select, reload]);

  return <RegionContext.Provider value={value}>{children}</RegionContext.Provider>;
}
