import { formatTime } from '../lib/time';
import { DeleteOutlined, EditOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Alert, App, Breadcrumb, Button, Card, Col, Descriptions, Empty, Row, Space, Spin, Table, Tag, Tooltip, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { errorText } from '../api/client';
import { regionApi } from '../api/endpoints';
import type { Level, RegionDetail, RegionNode } from '../api/types';
import { useAuth } from '../auth/context';
import { BoundaryPreview } from '../components/BoundaryPreview';
import { CHILD_LEVEL, LEVEL_COLOR, LEVEL_LABEL } from '../lib/labels';
import { useRegions } from '../regions/context';
import { RegionFormModal, type RegionFormTarget } from './regions/RegionFormModal';

interface ChildRow {
  id: string;
  name: string;
  level: Level;
  code: string;
  childCount: number;
}

type Loaded = { id: string; detail: RegionDetail; error: null } | { id: string; detail: null; error: string };

const fmt = (t: string | null | undefined) => formatTime(t);

export default function RegionsPage() {
  const { user, can } = useAuth();
  const { selectedId, selected, select, reload: reloadTree } = useRegions();
  const { modal, message } = App.useApp();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [version, setVersion] = useState(0);
  const [formTarget, setFormTarget] = useState<RegionFormTarget | null>(null);

  useEffect(() => {
    if (!selectedId) return;
    const ctrl = new AbortController();
    regionApi
      .get(selectedId, ctrl.signal)
      .then((detail) => setLoaded({ id: selectedId, detail, error: null }))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setLoaded({ id: selectedId, detail: null, error: errorText(err) });
      });
    return () => ctrl.abort();
  }, [selectedId, version]);

  if (!selectedId) {
    return (
      <Card>
        <Empty description="请在左侧选择一个区划" />
      </Card>
    );
  }

  const current = loaded?.id === selectedId ? loaded : null;
  const detail = current?.detail ?? null;
  const node: RegionNode | undefined = selected?.node;
  const writable = can('regions.write');
  const isOwn = selectedId === user?.regionId;
  const childLevel = detail ? CHILD_LEVEL[detail.level] : null;
  const refresh = () => setVersion((v) => v + 1);
  const head = detail ?? node;
  // Ancestors above the caller's own region are shown but cannot be opened.
  const visible = (id: string) => (selected?.path ?? []).some((n) => n.id === id);

  const confirmDelete = (d: RegionDetail) => {
    modal.confirm({
      title: `删除${LEVEL_LABEL[d.level]}「${d.name}」？`,
      content: '删除后不可恢复。只有没有下级区划、也没有账号的区划才能删除。',
      okText: '删除',
      okButtonProps: { danger: true },
      cancelText: '取消',
      onOk: async () => {
        try {
          await regionApi.remove(d.id);
          message.success(`已删除「${d.name}」`);
          if (d.parentId) select(d.parentId);
          await reloadTree();
        } catch (err) {
          message.error(errorText(err));
        }
      },
    });
  };

  const ownHint = '本级区划由上级管理员维护';
  const actions = writable && detail && (
    <Space>
      <Tooltip title={childLevel ? undefined : '网格下不能再建下级区划'}>
        <Button
          type="primary"
          icon={<PlusOutlined />}
          disabled={!childLevel}
          onClick={() =>
            setFormTarget({ mode: 'create', parent: { id: detail.id, name: detail.name, level: detail.level, code: detail.code } })
          }
          data-testid="region-create"
        >
          新建下级
        </Button>
      </Tooltip>
      <Tooltip title={isOwn ? ownHint : undefined}>
        <Button
          icon={<EditOutlined />}
          disabled={isOwn}
          onClick={() => setFormTarget({ mode: 'edit', region: detail })}
          data-testid="region-edit"
        >
          编辑
        </Button>
      </Tooltip>
      <Tooltip title={isOwn ? ownHint : detail.childCount > 0 ? '请先删除全部下级区划' : undefined}>
        <Button
          danger
          icon={<DeleteOutlined />}
          disabled={isOwn || detail.childCount > 0}
          onClick={() => confirmDelete(detail)}
          data-testid="region-delete"
        >
          删除
        </Button>
      </Tooltip>
    </Space>
  );

  return (
    <div className="page">
      <Card
        className="page-card"
        title={
          <Space size={8}>
            <span>{head?.name ?? '区划详情'}</span>
            {head && (
              <Tag color={LEVEL_COLOR[head.level]} variant="outlined">
                {LEVEL_LABEL[head.level]}
              </Tag>
            )}
          </Space>
        }
        extra={
          <Space>
            {actions}
            <Tooltip title="刷新">
              <Button icon={<ReloadOutlined />} onClick={refresh} aria-label="刷新" />
            </Tooltip>
          </Space>
        }
      >
        <div data-testid="region-detail" data-region-id={detail?.id}>
          {current?.error ? (
            <Alert type="error" showIcon title="区划详情加载失败" description={current.error} />
          ) : !detail ? (
            <div className="center-pad">
              <Spin />
            </div>
          ) : (
            <Row gutter={[24, 16]}>
              <Col xs={24} xl={15}>
                <Descriptions
                  column={1}
                  bordered
                  size="small"
                  styles={{ label: { width: 120 } }}
                  items={[
                    { key: 'name', label: '名称', children: detail.name },
                    {
                      key: 'level',
                      label: '级别',
                      children: (
                        <Tag color={LEVEL_COLOR[detail.level]} variant="outlined">
                          {LEVEL_LABEL[detail.level]}
                        </Tag>
                      ),
                    },
                    {
                      key: 'code',
                      label: '区划代码',
                      children: (
                        <Typography.Text copyable className="mono" data-testid="region-code">
                          {detail.code}
                        </Typography.Text>
                      ),
                    },
                    {
                      key: 'ancestors',
                      label: '所属上级',
                      children: detail.ancestors.length ? (
                        <Breadcrumb
                          items={detail.ancestors.map((a) => ({
                            key: a.id,
                            title: visible(a.id) ? (
                              <Typography.Link className="ancestor-link" onClick={() => select(a.id)}>
                                {a.name}
                              </Typography.Link>
                            ) : (
                              a.name
                            ),
                          }))}
                        />
                      ) : (
                        '—（最高一级）'
                      ),
                    },
                    { key: 'children', label: '下级区划', children: `${detail.childCount} 个` },
                    { key: 'sort', label: '排序号', children: detail.sortOrder },
                    { key: 'created', label: '创建时间', children: fmt(detail.createdAt) },
                    { key: 'updated', label: '更新时间', children: fmt(detail.updatedAt) },
                  ]}
                />
              </Col>
              <Col xs={24} xl={9}>
                <div className="section-label">边界示意</div>
                <div className="boundary-box">
                  <BoundaryPreview boundary={detail.boundary} width={300} height={210} />
                </div>
              </Col>
            </Row>
          )}
        </div>
      </Card>

      {node && node.children.length > 0 && (
        <Card className="page-card" title={`下级区划（${node.children.length}）`} size="small">
          <Table<ChildRow>
            rowKey="id"
            size="small"
            pagination={false}
            dataSource={node.children.map((c) => ({ id: c.id, name: c.name, level: c.level, code: c.code, childCount: c.children.length }))}
            onRow={(r) => ({ onClick: () => select(r.id), className: 'clickable-row' })}
            columns={[
              { title: '名称', dataIndex: 'name', render: (name: string) => <Typography.Link>{name}</Typography.Link> },
              {
                title: '级别',
                dataIndex: 'level',
                width: 100,
                render: (l: Level) => (
                  <Tag color={LEVEL_COLOR[l]} variant="outlined">
                    {LEVEL_LABEL[l]}
                  </Tag>
                ),
              },
              { title: '区划代码', dataIndex: 'code', width: 200, render: (c: string) => <span className="mono">{c}</span> },
              { title: '下级数', dataIndex: 'childCount', width: 90 },
            ]}
          />
        </Card>
      )}

      <RegionFormModal
        target={formTarget}
        onClose={() => setFormTarget(null)}
        onSaved={(region, mode) => {
          setFormTarget(null);
          void reloadTree();
          if (mode === 'create') select(region.id);
          else refresh();
        }}
      />
    </div>
  );
}
