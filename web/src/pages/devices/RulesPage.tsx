// 告警规则: the alarm rules in force at a region (默认 ← 市 ← 区 ← 街道 ← 社区, the lower level winning),
// where each came from, and — for administrators (devices.rules) — override, add, switch off, revert
// to what is inherited, and each rule's history at that region. Server: rule-routes.ts.
import { HistoryOutlined, PlusOutlined, ReloadOutlined, RollbackOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Drawer, Popconfirm, Space, Switch, Table, Tag, Timeline, Tooltip, TreeSelect, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { errorText } from '../../api/client';
import type { RegionNode } from '../../api/types';
import { useAuth } from '../../auth/context';
import { formatTime } from '../../lib/time';
import { useRegions } from '../../regions/context';
import { DEVICE_TYPE_KEYS, DEVICE_TYPES, SEVERITIES, type DeviceType } from './api';
import { RuleEditModal } from './RuleEditModal';
import {
  conditionText,
  definitionOf,
  KIND_LABELS,
  rulesApi,
  SOURCE_COLORS,
  type EffectiveRule,
  type RuleSet,
  type RuleVersion,
} from './rulesApi';

const CONFIGURABLE = new Set(['city', 'district', 'street', 'community']);

type Loaded = { key: string; data: RuleSet; error: null } | { key: string; data: null; error: string };

/** Tree options where only 市/区/街道/社区 can be chosen (grids inherit their community's rules). */
function regionOptions(
  nodes: RegionNode[],
): { value: string; title: string; disabled: boolean; children: ReturnType<typeof regionOptions> }[] {
  return nodes
    .filter((n) => CONFIGURABLE.has(n.level))
    .map((n) => ({ value: n.id, title: n.name, disabled: false, children: regionOptions(n.children) }));
}

const typeLabel = (t: string) => DEVICE_TYPES[t as DeviceType] ?? t;
const typeOrder = (t: string) => {
  const i = DEVICE_TYPE_KEYS.indexOf(t as DeviceType);
  return i < 0 ? DEVICE_TYPE_KEYS.length : i;
};

export default function RulesPage() {
  const { can } = useAuth();
  const { message } = App.useApp();
  const { tree, selected, index } = useRegions();
  // The page's region: the tree's selection, or a grid's community; changed with the picker.
  const fromTree = useMemo(() => {
    if (!selected) return undefined;
    if (CONFIGURABLE.has(selected.node.level)) return selected.node.id;
    return selected.parentId && index.get(selected.parentId)?.node.level === 'community' ? selected.parentId : undefined;
  }, [selected, index]);
  const [picked, setPicked] = useState<string | undefined>(undefined);
  const regionId = picked ?? fromTree;
  const [version, setVersion] = useState(0);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [editing, setEditing] = useState<{ rule: EffectiveRule | null } | null>(null);
  const [historyOf, setHistoryOf] = useState<EffectiveRule | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const key = JSON.stringify([regionId ?? null, version]);
  useEffect(() => {
    const ctrl = new AbortController();
    rulesApi
      .list(regionId, ctrl.signal)
      .then((data) => setLoaded({ key, data, error: null }))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setLoaded({ key, data: null, error: errorText(err) });
      });
    return () => ctrl.abort();
  }, [key, regionId]);

  const region = loaded?.data?.region ?? null;
  const manage = can('devices.rules') && region !== null && CONFIGURABLE.has(region.level);
  const rows = useMemo(
    () => [...(loaded?.data?.rules ?? [])].sort((a, b) => typeOrder(a.deviceType) - typeOrder(b.deviceType) || a.id.localeCompare(b.id)),
    [loaded],
  );
  // Rows of one device type are merged in the first column.
  const spans = useMemo(() => {
    const out = new Map<string, number>();
    for (let i = 0; i < rows.length;) {
      let j = i;
      while (j < rows.length && rows[j]!.deviceType === rows[i]!.deviceType) j++;
      rows.slice(i, j).forEach((r, k) => out.set(r.id, k === 0 ? j - i : 0));
      i = j;
    }
    return out;
  }, [rows]);

  const reload = () => setVersion((v) => v + 1);

  const toggle = async (r: EffectiveRule, enabled: boolean) => {
    if (!region) return;
    setBusy(r.id);
    try {
      await rulesApi.put(region.id, r.id, { enabled, definition: definitionOf(r) });
      void message.success(enabled ? `已启用「${r.label}」` : `已停用「${r.label}」（已产生的告警需人工处理）`);
      reload();
    } catch (err) {
      void message.error(errorText(err));
    } finally {
      setBusy(null);
    }
  };

  const revert = async (r: EffectiveRule) => {
    if (!region) return;
    setBusy(r.id);
    try {
      const res = await rulesApi.revert(region.id, r.id);
      void message.success(res.rule ? `已恢复为${res.rule.sourceLabel}规则` : '已撤销新增的规则');
      reload();
    } catch (err) {
      void message.error(errorText(err));
    } finally {
      setBusy(null);
    }
  };

  const columns: TableColumnsType<EffectiveRule> = [
    {
      title: '设备类型',
      dataIndex: 'deviceType',
      width: 150,
      onCell: (r) => ({ rowSpan: spans.get(r.id) ?? 1 }),
      render: (t: string) => typeLabel(t),
    },
    {
      title: '规则',
      key: 'label',
      render: (_: unknown, r) => (
        <Space orientation="vertical" size={0}>
          <span>{r.label}</span>
          <Typography.Text type="secondary" className="nowrap">
            {r.id}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: '触发条件',
      key: 'condition',
      render: (_: unknown, r) => (
        <Space orientation="vertical" size={0}>
          <span data-testid={`rule-condition-${r.id}`}>{conditionText(r)}</span>
          <Typography.Text type="secondary">{KIND_LABELS[r.kind]}</Typography.Text>
        </Space>
      ),
    },
    {
      title: '级别',
      dataIndex: 'severity',
      width: 80,
      render: (s: string) => <Tag color={SEVERITIES[s]?.color}>{SEVERITIES[s]?.label ?? s}</Tag>,
    },
    {
      title: '来源',
      key: 'source',
      width: 180,
      render: (_: unknown, r) => (
        <Tooltip
          title={
            r.updatedAt
              ? `${r.updatedBy ?? ''} 于 ${formatTime(r.updatedAt, 'YYYY-MM-DD HH:mm')} 设置（第 ${r.version} 版）`
              : '平台默认规则'
          }
        >
          <Space size={4} data-testid={`rule-source-${r.id}`}>
            <Tag color={SOURCE_COLORS[r.source]}>{r.sourceLabel}</Tag>
            {r.sourceRegionName && <Typography.Text type="secondary">{r.sourceRegionName}</Typography.Text>}
          </Space>
        </Tooltip>
      ),
    },
    {
      title: '启用',
      key: 'enabled',
      width: 90,
      render: (_: unknown, r) => (
        <Switch
          size="small"
          checked={r.enabled}
          disabled={!manage}
          loading={busy === r.id}
          onChange={(v) => void toggle(r, v)}
          data-testid={`rule-enabled-${r.id}`}
          aria-label={`${r.label} 启用`}
        />
      ),
    },
    {
      title: '操作',
      key: 'actions',
      width: 200,
      render: (_: unknown, r) => (
        <Space size={4}>
          {manage && (
            <Button size="small" type="link" onClick={() => setEditing({ rule: r })} data-testid={`rule-edit-${r.id}`}>
              编辑
            </Button>
          )}
          {manage && r.here && (
            <Popconfirm
              title={r.source === 'default' ? '' : `撤销${region?.name ?? ''}对该规则的设置，恢复上级规则？`}
              okText="恢复"
              cancelText="取消"
              onConfirm={() => revert(r)}
            >
              <Button size="small" type="link" icon={<RollbackOutlined />} data-testid={`rule-revert-${r.id}`}>
                恢复继承
              </Button>
            </Popconfirm>
          )}
          <Button size="small" type="link" icon={<HistoryOutlined />} onClick={() => setHistoryOf(r)} data-testid={`rule-history-${r.id}`}>
            历史
          </Button>
        </Space>
      ),
    },
  ];

  return (
    <div className="page">
      <Card
        className="page-card"
        title={
          <Space size={8}>
            <span>告警规则</span>
            {region && (
              <Typography.Text type="secondary" className="card-subtitle">
                {region.name}（{region.levelLabel}）
              </Typography.Text>
            )}
          </Space>
        }
        extra={
          <Space>
            <TreeSelect
              style={{ width: 240 }}
              treeData={regionOptions(tree)}
              value={regionId}
              onChange={(v: string) => setPicked(v)}
              treeDefaultExpandedKeys={tree.map((n) => n.id)}
              showSearch={{ treeNodeFilterProp: 'title' }}
              placeholder="选择区划"
              aria-label="区划"
              data-testid="rule-region"
            />
            <Tooltip title="刷新">
              <Button icon={<ReloadOutlined />} onClick={reload} aria-label="刷新" />
            </Tooltip>
            {manage && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ rule: null })} data-testid="rule-add">
                新增规则
              </Button>
            )}
          </Space>
        }
      >
        <Alert
          type="info"
          showIcon
          className="form-alert"
          title="规则逐级继承：默认 ← 市 ← 区 ← 街道 ← 社区，下级的设置优先。修改后本区划及下级立即生效（其他服务器节点 5 秒内）；停用规则不再产生新告警，已产生的告警需人工处理。"
        />
        {loaded?.error && <Alert type="error" showIcon title={loaded.error} className="form-alert" />}
        <Table<EffectiveRule>
          rowKey="id"
          size="middle"
          bordered
          loading={loaded?.key !== key}
          columns={columns}
          dataSource={rows}
          pagination={false}
          data-testid="rule-table"
        />
      </Card>
      {editing && region && (
        <RuleEditModal
          regionId={region.id}
          regionName={region.name}
          rule={editing.rule}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void message.success('规则已保存');
            reload();
          }}
        />
      )}
      {historyOf && region && (
        <RuleHistoryDrawer regionId={region.id} regionName={region.name} rule={historyOf} onClose={() => setHistoryOf(null)} />
      )}
    </div>
  );
}

function RuleHistoryDrawer({
  regionId,
  regionName,
  rule,
  onClose,
}: {
  regionId: string;
  regionName: string;
  rule: EffectiveRule;
  onClose: () => void;
}) {
  const [versions, setVersions] = useState<RuleVersion[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    rulesApi
      .history(regionId, rule.id)
      .then(setVersions)
      .catch((err: unknown) => setError(errorText(err)));
  }, [regionId, rule.id]);
  return (
    <Drawer open title={`${rule.label} · ${regionName} 的设置历史`} onClose={onClose} size={480} data-testid="rule-history">
      {error && <Alert type="error" showIcon title={error} />}
      {versions && versions.length === 0 && (
        <Typography.Text type="secondary">
          {regionName}未设置过该规则（沿用{rule.sourceLabel}规则）。
        </Typography.Text>
      )}
      {versions && versions.length > 0 && (
        <Timeline
          items={versions.map((v) => ({
            color: v.action === 'revert' ? 'gray' : v.enabled ? 'green' : 'red',
            content: (
              <Space orientation="vertical" size={0} data-testid={`rule-version-${v.version}`}>
                <span>
                  第 {v.version} 版 · {v.action === 'revert' ? '恢复继承' : v.enabled ? '设置（启用）' : '设置（停用）'}
                </span>
                {v.definition && <Typography.Text>{conditionText(v.definition)}</Typography.Text>}
                <Typography.Text type="secondary">
                  {v.by ?? '—'} · {formatTime(v.at, 'YYYY-MM-DD HH:mm:ss')}
                </Typography.Text>
              </Space>
            ),
          }))}
        />
      )}
    </Drawer>
  );
}
