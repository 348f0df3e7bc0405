// The numbers and the problem rows of an import report (校验结果 and 导入结果).
import { Statistic, Table, Typography } from 'antd';
import type { ImportReport, ImportRowError } from '../../api/types';

/** Rows that a commit would add: the good ones not registered already. */
export function toImport(r: ImportReport): number {
  return Math.max(0, r.valid - r.unchanged);
}

export function ImportSummary({ report, done = false }: { report: ImportReport; done?: boolean }) {
  return (
    <div className={`stat-row import-summary${done ? ' is-done' : ''}`} data-testid="import-summary">
      <Statistic title="总行数" value={report.total} suffix="行" data-testid="import-total" />
      {done ? (
        <Statistic
          title="已导入"
          value={report.inserted}
          suffix="行"
          styles={{ content: { color: '#389e0d' } }}
          data-testid="import-inserted"
        />
      ) : (
        <Statistic
          title="可导入"
          value={toImport(report)}
          suffix="行"
          styles={{ content: { color: '#389e0d' } }}
          data-testid="import-valid"
        />
      )}
      <Statistic title="已存在" value={report.unchanged} suffix="行" data-testid="import-unchanged" />
      <Statistic
        title={done ? '已跳过（有误）' : '有误'}
        value={report.invalid}
        suffix="行"
        styles={{ content: report.invalid > 0 ? { color: '#cf1322' } : {} }}
        data-testid="import-invalid"
      />
    </div>
  );
}

export function ImportErrors({ errors }: { errors: ImportRowError[] }) {
  const rows = new Set(errors.map((e) => e.row)).size;
  return (
    <div data-testid="import-errors">
      <div className="section-head">
        <span className="section-label">
          <Typography.Text type="danger">
            发现 {errors.length.toLocaleString('zh-CN')} 个问题（涉及 {rows.toLocaleString('zh-CN')} 行）
          </Typography.Text>
        </span>
        <Typography.Text type="secondary" className="small-text">
          行号即 Excel 中的行号（第 1 行为表头）；修改后可重新上传，或仅导入无误的行
        </Typography.Text>
      </div>
      <Table<ImportRowError & { key: number }>
        size="small"
        bordered
        dataSource={errors.map((e, i) => ({ ...e, key: i }))}
        pagination={{
          defaultPageSize: 10,
          showSizeChanger: true,
          pageSizeOptions: [10, 20, 50, 100],
          showTotal: (t) => `共 ${t.toLocaleString('zh-CN')} 个问题`,
        }}
        columns={[
          { title: '行号', dataIndex: 'row', width: 90, render: (r: number) => `第 ${r} 行` },
          { title: '列', dataIndex: 'column', width: 140 },
          { title: '问题', dataIndex: 'message' },
        ]}
      />
    </div>
  );
}
