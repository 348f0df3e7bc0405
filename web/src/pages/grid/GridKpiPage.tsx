// 绩效考核: the KPI table by a dimension over a period (default: this month so far), ranked, with a
// 合计 row and an xlsx export of the same query.
import { DownloadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, DatePicker, Select, Space, Table, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { errorText, saveBlob } from '../../api/client';
import { ZONE } from '../../lib/time';
import { useRegions } from '../../regions/context';
import { gridApi, KPI_DIMENSIONS, type KpiDimension, type KpiQuery, type KpiRow, type KpiTable } from './api';
import { formatNumber, formatPercent } from './shared';

type Row = KpiRow & { rank: number | null; id: string; name: string };
type Loaded = { key: string; data: KpiTable; error: null } | { key: string; data: null; error: string };

export default function GridKpiPage() {
  const { message } = App.useApp();
  const { selected } = useRegions();
  const [by, setBy] = useState<KpiDimension>('community');
  const [range, setRange] = useState<[Dayjs, Dayjs]>(() => {
    const today = dayjs().tz(ZONE);
    return [today.startOf('month'), today];
  });
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [exporting, setExporting] = useState(false);

  const query = useMemo<KpiQuery>(
    () => ({
      by,
      from: range[0].format('YYYY-MM-DD'),
      to: range[1].format('YYYY-MM-DD'),
      ...(selected ? { regionId: selected.node.id } : {}),
    }),
    [by, range, selected],
  );
  const key = JSON.stringify(query);
  useEffect(() => {
    let cancelled = false;
    gridApi
      .kpis(query)
      .then((data) => !cancelled && setLoaded({ key, data, error: null }))
      .catch((err: unknown) => !cancelled && setLoaded({ key, data: null, error: errorText(err) }));
    return () => {
      cancelled = true;
    };
  }, [key, query]);

  const data = loaded?.key === key ? loaded.data : null;
  const rows: Row[] = data ? [...data.items, { ...data.total, rank: null, id: '__total', name: '合计' }] : [];

  const exportXlsx = async () => {
    setExporting(true);
    try {
      const d = await gridApi.kpisXlsx(query);
      saveBlob(d.blob, d.filename ?? `网格绩效考核-${KPI_DIMENSIONS[by]}-${query.from}至${query.to}.xlsx`);
    } catch (err) {
      message.error(errorText(err));
    } finally {
      setExporting(false);
    }
  };

  const pct = (title: string, key: keyof KpiRow) => ({
    title,
    dataIndex: key,
    align: 'right' as const,
    render: (v: number | null) => formatPercent(v),
  });
  const num = (title: string, key: keyof KpiRow) => ({
    title,
    dataIndex: key,
    align: 'right' as const,
    render: (v: number | null) => formatNumber(v),
  });
  const columns: TableColumnsType<Row> = [
    { title: '排名', dataIndex: 'rank', width: 60, render: (v: number | null) => (v === null ? '' : v) },
    { title: KPI_DIMENSIONS[by], dataIndex: 'name', render: (v: string, r) => (r.id === '__total' ? <strong>{v}</strong> : v) },
    num('上报数', 'reports'),
    num('有效数', 'valid'),
    pct('响应率', 'responseRate'),
    pct('按时办结率', 'onTimeRate'),
    pct('结案率', 'resolutionRate'),
    pct('满意率', 'satisfactionRate'),
    num('平均满意度', 'satisfactionMean'),
    num('返工', 'reworks'),
    num('超期', 'overdue'),
    num('超期倍数', 'overdueMultiple'),
    num('在办', 'open'),
  ];

  return (
    <div className="page">
      <Card
        className="page-card"
        title={
          <Space size={8}>
            <span>绩效考核</span>
            {selected && (
              <Typography.Text type="secondary" className="card-subtitle">
                {selected.node.name}
              </Typography.Text>
            )}
          </Space>
        }
        extra={
          <Button icon={<DownloadOutlined />} loading={exporting} onClick={() => void exportXlsx()} data-testid="grid-kpi-export">
            导出 Excel
          </Button>
        }
      >
        <Space wrap style={{ marginBottom: 12 }}>
          <span>考核维度：</span>
          <Select<KpiDimension>
            value={by}
            onChange={setBy}
            style={{ width: 160 }}
            options={Object.entries(KPI_DIMENSIONS).map(([value, label]) => ({ value: value as KpiDimension, label }))}
            data-testid="grid-kpi-by"
          />
          <span>期间：</span>
          <DatePicker.RangePicker
            value={range}
            allowClear={false}
            onChange={(v) => {
              if (v?.[0] && v[1]) setRange([v[0], v[1]]);
            }}
          />
        </Space>
        {loaded?.error && loaded.key === key && (
          <Alert type="error" showIcon title="考核数据加载失败" description={loaded.error} className="form-alert" />
        )}
        <Table<Row>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={rows}
          loading={loaded?.key !== key}
          pagination={false}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: '暂无数据' }}
          rowClassName={(r) => (r.id === '__total' ? 'strong-text' : '')}
          data-testid="grid-kpi-table"
        />
        <Typography.Paragraph type="secondary" style={{ marginTop: 12 }} className="small-text">
          响应率：按时受理的有效事件占比；按时办结率：按时处置占已处置事件的比例；结案率：已结案占有效事件比例；满意率：4–5
          星评价占比；超期倍数：超期事件实际用时与时限之比的平均值（按工作时间计）。
        </Typography.Paragraph>
      </Card>
    </div>
  );
}
