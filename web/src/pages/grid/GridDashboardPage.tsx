// 治理看板: open / overdue / escalated / reported-today counts, counts by status and by category, and
// a map of the grids with the open events (red when overdue). Follows the region tree's selection.
import { ReloadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Col, Row, Select, Space, Statistic, Table, Tooltip, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { errorText } from '../../api/client';
import { useRegions } from '../../regions/context';
import { gridApi, type Dashboard } from './api';
import { EventDrawer } from './EventDrawer';
import { GridMap } from './GridMap';

type Loaded = { key: string; data: Dashboard; error: null } | { key: string; data: null; error: string };

export default function GridDashboardPage() {
  const { selected, index, select } = useRegions();
  const [version, setVersion] = useState(0);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);

  const regionId = selected?.node.id;
  const key = JSON.stringify([regionId, version]);
  useEffect(() => {
    let cancelled = false;
    gridApi
      .dashboard(regionId)
      .then((data) => !cancelled && setLoaded({ key, data, error: null }))
      .catch((err: unknown) => !cancelled && setLoaded({ key, data: null, error: errorText(err) }));
    return () => {
      cancelled = true;
    };
  }, [key, regionId]);

  const communities = useMemo(() => [...index.values()].filter((r) => r.node.level === 'community'), [index]);
  const data = loaded?.key === key ? loaded.data : (loaded?.data ?? null);
  const loading = loaded?.key !== key;

  return (
    <div className="page">
      <Card
        className="page-card"
        title={
          <Space size={8}>
            <span>治理看板</span>
            {selected && (
              <Typography.Text type="secondary" className="card-subtitle">
                {selected.node.name}
              </Typography.Text>
            )}
          </Space>
        }
        extra={
          <Space>
            {communities.length > 1 && (
              <Select
                placeholder="选择社区"
                style={{ width: 180 }}
                value={selected?.node.level === 'community' ? selected.node.id : undefined}
                onChange={(v: string) => select(v)}
                options={communities.map((c) => ({ value: c.node.id, label: c.node.name }))}
                showSearch={{ optionFilterProp: 'label' }}
              />
            )}
            <Tooltip title="刷新">
              <Button icon={<ReloadOutlined />} onClick={() => setVersion((v) => v + 1)} aria-label="刷新" loading={loading} />
            </Tooltip>
          </Space>
        }
      >
        {loaded?.error && <Alert type="error" showIcon title="看板加载失败" description={loaded.error} className="form-alert" />}
        {data && (
          <>
            <Row gutter={[12, 12]} data-testid="grid-kpi-cards" style={{ marginBottom: 16 }}>
              {[
                { label: '在办', value: data.open, color: '#1f5fbf' },
                { label: '超期', value: data.overdue, color: '#cf1322' },
                { label: '督办', value: data.escalated, color: '#d46b08' },
                { label: '今日上报', value: data.reportedToday, color: '#389e0d' },
              ].map((c) => (
                <Col xs={12} md={6} key={c.label}>
                  <Card size="small">
                    <Statistic title={c.label} value={c.value} styles={{ content: { color: c.color } }} />
                  </Card>
                </Col>
              ))}
            </Row>
            <Row gutter={[16, 16]}>
              <Col xs={24} xl={14}>
                <Card size="small" title="网格与在办事件分布（红点为超期）">
                  <div data-testid="grid-map">
                    <GridMap data={data} onEvent={setOpenId} />
                  </div>
                </Card>
              </Col>
              <Col xs={24} xl={10}>
                <Card size="small" title="按状态" style={{ marginBottom: 16 }}>
                  <Table
                    rowKey="status"
                    size="small"
                    pagination={false}
                    dataSource={data.byStatus}
                    columns={[
                      { title: '状态', dataIndex: 'label' },
                      { title: '件数', dataIndex: 'count', align: 'right' },
                    ]}
                  />
                </Card>
                <Card size="small" title="按类别">
                  <Table
                    rowKey="code"
                    size="small"
                    pagination={false}
                    dataSource={data.byCategory}
                    locale={{ emptyText: '暂无事件' }}
                    columns={[
                      { title: '类别', dataIndex: 'name' },
                      { title: '合计', dataIndex: 'total', align: 'right' },
                      { title: '在办', dataIndex: 'open', align: 'right' },
                      {
                        title: '超期',
                        dataIndex: 'overdue',
                        align: 'right',
                        render: (v: number) => (v ? <span style={{ color: '#cf1322' }}>{v}</span> : v),
                      },
                    ]}
                  />
                </Card>
              </Col>
            </Row>
          </>
        )}
      </Card>
      <EventDrawer eventId={openId} onClose={() => setOpenId(null)} onChanged={() => setVersion((v) => v + 1)} />
    </div>
  );
}
