import { ReloadOutlined, SearchOutlined } from '@ant-design/icons';
import { Alert, Button, Empty, Input, Spin, Tag, Tooltip, Tree } from 'antd';
import type { TreeDataNode } from 'antd';
import { useMemo, useState } from 'react';
import type { RegionNode } from '../api/types';
import { LEVEL_COLOR, LEVEL_LABEL } from '../lib/labels';
import { useRegions } from './context';

interface RegionTreeNode extends TreeDataNode {
  key: string;
  region: RegionNode;
  children: RegionTreeNode[];
}

function toTreeData(nodes: RegionNode[], keep: ((n: RegionNode) => boolean) | null): RegionTreeNode[] {
  const out: RegionTreeNode[] = [];
  for (const region of nodes) {
    const children = toTreeData(region.children, keep);
    if (keep && !keep(region) && children.length === 0) continue;
    out.push({ key: region.id, region, children, isLeaf: region.children.length === 0 });
  }
  return out;
}

function allKeys(nodes: RegionTreeNode[], into: string[] = []): string[] {
  for (const n of nodes) {
    into.push(n.key);
    allKeys(n.children, into);
  }
  return into;
}

function Highlight({ text, term }: { text: string; term: string }) {
  const at = term ? text.indexOf(term) : -1;
  if (at < 0) return <>{text}</>;
  return (
    <>
      {text.slice(0, at)}
      <mark className="region-tree-mark">{text.slice(at, at + term.length)}</mark>
      {text.slice(at + term.length)}
    </>
  );
}

/** The visible region tree; selecting a node drives the page on the right. */
export function RegionTree() {
  const { tree, index, loading, error, selectedId, select, reload } = useRegions();
  const [term, setTerm] = useState('');
  const [expanded, setExpanded] = useState<string[] | null>(null);
  const [expandedFor, setExpandedFor] = useState<string | null>(null);

  // Open the path to a node selected from elsewhere (a breadcrumb, a child list).
  if (selectedId !== expandedFor) {
    setExpandedFor(selectedId);
    const path = selectedId ? (index.get(selectedId)?.path ?? []) : [];
    const ancestors = path.slice(0, -1).map((n) => n.id);
    if (expanded && ancestors.some((id) => !expanded.includes(id))) {
      setExpanded([...new Set([...expanded, ...ancestors])]);
    }
  }

  const search = term.trim();
  const treeData = useMemo(
    () => toTreeData(tree, search ? (n) => n.name.includes(search) || n.code.startsWith(search) : null),
    [tree, search],
  );

  // Until the user opens or closes nodes: the root and its children are open, plus the selection's path.
  const defaultExpanded = useMemo(() => {
    const keys = new Set<string>();
    for (const root of tree) keys.add(root.id);
    const path = selectedId ? (index.get(selectedId)?.path ?? []) : [];
    for (const n of path.slice(0, -1)) keys.add(n.id);
    return [...keys];
  }, [tree, index, selectedId]);

  const expandedKeys = search ? allKeys(treeData) : (expanded ?? defaultExpanded);

  return (
    <div className="region-panel">
      <div className="region-panel-head">
        <span className="region-panel-title">行政区划</span>
        <Tooltip title="刷新">
          <Button type="text" size="small" icon={<ReloadOutlined />} onClick={() => void reload()} aria-label="刷新区划树" />
        </Tooltip>
      </div>
      <Input
        allowClear
        size="small"
        placeholder="搜索名称或代码"
        prefix={<SearchOutlined />}
        value={term}
        onChange={(e) => setTerm(e.target.value)}
        className="region-panel-search"
      />
      <div className="region-panel-body" data-testid="region-tree">
        {error ? (
          <Alert type="error" showIcon title="区划树加载失败" description={error} />
        ) : loading && tree.length === 0 ? (
          <div className="center-pad">
            <Spin />
          </div>
        ) : treeData.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={search ? '没有匹配的区划' : '暂无可见区划'} />
        ) : (
          <Tree<RegionTreeNode>
            blockNode
            treeData={treeData}
            expandedKeys={expandedKeys}
            onExpand={(keys) => {
              if (!search) setExpanded(keys.map(String));
            }}
            selectedKeys={selectedId ? [selectedId] : []}
            onSelect={(keys) => {
              const id = keys[0];
              if (id !== undefined) select(String(id));
            }}
            titleRender={(n) => (
              <span className="region-node" data-region-id={n.region.id} data-region-code={n.region.code}>
                <span className="region-node-name">
                  <Highlight text={n.region.name} term={search} />
                </span>
                <Tag color={LEVEL_COLOR[n.region.level]} className="region-node-level" variant="outlined">
                  {LEVEL_LABEL[n.region.level]}
                </Tag>
              </span>
            )}
          />
        )}
      </div>
    </div>
  );
}
