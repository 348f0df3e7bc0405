// 导出 Excel: downloads the residents of the current filters as xlsx (masked; the server records it).
import { DownloadOutlined } from '@ant-design/icons';
import { App, Button, Tooltip } from 'antd';
import { useState } from 'react';
import { errorText, saveBlob } from '../../api/client';
import { residentApi } from '../../api/endpoints';
import type { ResidentQuery } from '../../api/types';

export function ResidentExportButton({
  query,
  filename,
  label = '导出 Excel',
  disabled = false,
  testId,
}: {
  query: Omit<ResidentQuery, 'page' | 'pageSize'>;
  filename: string;
  label?: string;
  disabled?: boolean;
  testId?: string;
}) {
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);

  const run = async () => {
    setBusy(true);
    try {
      const { blob } = await residentApi.exportXlsx(query);
      saveBlob(blob, filename);
      message.success(`已导出 ${filename}`);
    } catch (err) {
      message.error(`导出失败：${errorText(err)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Tooltip title="按当前筛选条件导出（证件号码、电话已脱敏；导出操作将被记录）">
      <Button icon={<DownloadOutlined />} loading={busy} disabled={disabled} onClick={() => void run()} data-testid={testId}>
        {label}
      </Button>
    </Tooltip>
  );
}
