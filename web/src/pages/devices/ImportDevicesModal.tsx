// 批量导入设备: download the template, upload a filled-in ledger into a community, see every bad row
// (row, column, reason), import only the good rows if wanted, then see the new devices' credentials
// once, with 下载凭据 (xlsx). Passwords live only in this modal's state: closing it forgets them.
import { DownloadOutlined, InboxOutlined } from '@ant-design/icons';
import { Alert, App, Button, Modal, Select, Space, Statistic, Table, Typography, Upload } from 'antd';
import { useState } from 'react';
import { ApiError, errorText, saveBlob } from '../../api/client';
import type { RegionNode } from '../../api/types';
import { ImportErrors } from '../imports/ImportReportView';
import { devicesApi, type DeviceImportReport } from './api';
import { ConnectionHelp, useDeviceConnection } from './RegisterDeviceModal';

/** The server takes bodies up to 64 MB; a device ledger is far smaller. */
const MAX_BYTES = 64 * 1024 * 1024;

interface ChosenFile {
  name: string;
  data: ArrayBuffer;
}

function ReportSummary({ report }: { report: DeviceImportReport }) {
  return (
    <div className="stat-row" data-testid="device-import-summary" style={{ display: 'flex', gap: 32 }}>
      <Statistic title="总行数" value={report.total} suffix="行" />
      <Statistic
        title="新登记"
        value={report.created}
        suffix="台"
        styles={{ content: { color: '#389e0d' } }}
        data-testid="device-import-created"
      />
      <Statistic title="已存在，跳过" value={report.skipped} suffix="行" data-testid="device-import-skipped" />
      <Statistic
        title={report.committed ? '有误未导入' : '有误'}
        value={report.invalid}
        suffix="行"
        styles={{ content: report.invalid > 0 ? { color: '#cf1322' } : {} }}
        data-testid="device-import-invalid"
      />
    </div>
  );
}

const copyableMono = (v: string) => (
  <Typography.Text className="mono" copyable>
    {v}
  </Typography.Text>
);

function Credentials({ report }: { report: DeviceImportReport }) {
  const { message } = App.useApp();
  const [downloading, setDownloading] = useState(false);
  const download = async () => {
    setDownloading(true);
    try {
      saveBlob(await devicesApi.credentialsXlsx(report.credentials), '设备凭据.xlsx');
    } catch (err) {
      void message.error(`下载失败：${errorText(err)}`);
    } finally {
      setDownloading(false);
    }
  };
  return (
    <div data-testid="device-import-credentials" style={{ display: 'flex', flexDirection: 'column', gap: 8 }}>
      <Alert
        type="warning"
        showIcon
        title="密码仅显示一次"
        description="平台不保存明文密码：关闭此窗口后无法再次查看，请立即下载凭据并妥善保管；遗失后只能在设备详情中重置密码。"
        action={
          <Button
            type="primary"
            icon={<DownloadOutlined />}
            loading={downloading}
            onClick={() => void download()}
            data-testid="device-import-download"
          >
            下载凭据
          </Button>
        }
      />
      <Table
        size="small"
        rowKey="id"
        dataSource={report.credentials}
        pagination={{ defaultPageSize: 10, showTotal: (t) => `共 ${t} 台` }}
        scroll={{ x: 'max-content' }}
        columns={[
          { title: '行号', dataIndex: 'row', width: 80, render: (r: number) => `第 ${r} 行` },
          { title: '名称', dataIndex: 'name' },
          { title: '设备ID/用户名', dataIndex: 'username', render: copyableMono },
          { title: '密码', dataIndex: 'password', render: copyableMono },
        ]}
      />
    </div>
  );
}

export function ImportDevicesModal({
  open,
  communities,
  defaultCommunityId,
  onClose,
  onImported,
}: {
  open: boolean;
  communities: RegionNode[];
  defaultCommunityId: string | undefined;
  onClose: () => void;
  /** Devices were created (the list reloads). */
  onImported: () => void;
}) {
  const { message, modal } = App.useApp();
  const [chosenCommunity, setChosenCommunity] = useState<string | null>(null);
  const [file, setFile] = useState<ChosenFile | null>(null);
  const [busy, setBusy] = useState<'template' | 'upload' | null>(null);
  const [progress, setProgress] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [report, setReport] = useState<DeviceImportReport | null>(null);
  const connection = useDeviceConnection(open && !!report?.credentials.length);

  const communityId = chosenCommunity ?? defaultCommunityId ?? (communities.length === 1 ? communities[0]!.id : null);

  const reset = () => {
    setFile(null);
    setReport(null);
    setError(null);
    setChosenCommunity(null);
  };
  const close = () => {
    if (report?.credentials.length) {
      modal.confirm({
        title: '关闭后无法再次查看设备密码',
        content: '请确认已下载或保存本次导入的设备凭据。',
        okText: '已保存，关闭',
        cancelText: '返回',
        onOk: () => {
          reset();
          onClose();
        },
      });
      return;
    }
    reset();
    onClose();
  };

  const downloadTemplate = async () => {
    setBusy('template');
    try {
      saveBlob((await devicesApi.template()).blob, '设备导入模板.xlsx');
    } catch (err) {
      void message.error(`模板下载失败：${errorText(err)}`);
    } finally {
      setBusy(null);
    }
  };

  const send = async (onlyValid: boolean) => {
    if (!file || !communityId) return;
    setBusy('upload');
    setProgress(0);
    setError(null);
    try {
      const r = await devicesApi.import(communityId, file.data, onlyValid, setProgress);
      setReport(r);
      if (r.created > 0) onImported();
    } catch (err) {
      // A file the server cannot read (not xlsx, a required column missing) comes back on `body`.
      const bodyError = err instanceof ApiError ? err.errors.find((e) => e.field === 'body') : undefined;
      setError(bodyError ? bodyError.message : errorText(err));
    } finally {
      setBusy(null);
    }
  };

  const choose = async (raw: File) => {
    setReport(null);
    if (!/\.xlsx$/i.test(raw.name)) return setError('请选择 .xlsx 格式的 Excel 文件');
    if (raw.size === 0 || raw.size > MAX_BYTES) return setError(raw.size ? '文件过大，不能超过 64 MB' : '文件是空的');
    try {
      setFile({ name: raw.name, data: await raw.arrayBuffer() });
      setError(null);
    } catch {
      setError('无法读取所选文件，请重新选择');
    }
  };

  const goodRows = report ? report.total - report.invalid - report.skipped : 0;
  const done = !!report?.committed;

  return (
    <Modal
      open={open}
      title="批量导入设备"
      width={860}
      onCancel={close}
      maskClosable={false}
      destroyOnHidden
      footer={
        done ? (
          <Button type="primary" onClick={close} data-testid="device-import-close">
            完成
          </Button>
        ) : (
          <Space>
            <Button onClick={close}>取消</Button>
            {report && !report.committed && goodRows > 0 && (
              <Button loading={busy === 'upload'} onClick={() => void send(true)} data-testid="device-import-only-valid">
                仅导入无误的行（{goodRows} 行）
              </Button>
            )}
            {!report && (
              <Button
                type="primary"
                disabled={!file || !communityId}
                loading={busy === 'upload'}
                onClick={() => void send(false)}
                data-testid="device-import-submit"
              >
                导入
              </Button>
            )}
          </Space>
        )
      }
    >
      <div data-testid="device-import" style={{ display: 'flex', flexDirection: 'column', gap: 16 }}>
        {!done && (
          <>
            <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
              按模板填写设备类型、名称、楼栋或房屋地址、序列号等；每行登记一台设备。任一行有误时不登记任何设备，可改正后重新上传，或仅导入无误的行。
              序列号在社区内唯一，重复导入同一文件时已登记的行会跳过。
            </Typography.Paragraph>
            <Space wrap>
              {communities.length > 1 && (
                <Select
                  placeholder="选择社区"
                  value={communityId ?? undefined}
                  onChange={(v: string) => {
                    setChosenCommunity(v);
                    setReport(null);
                  }}
                  options={communities.map((c) => ({ value: c.id, label: c.name }))}
                  style={{ width: 220 }}
                  data-testid="device-import-community"
                />
              )}
              <Button
                icon={<DownloadOutlined />}
                loading={busy === 'template'}
                onClick={() => void downloadTemplate()}
                data-testid="device-import-template"
              >
                下载模板
              </Button>
            </Space>
            <Upload.Dragger
              accept=".xlsx"
              multiple={false}
              showUploadList={false}
              beforeUpload={(f) => {
                void choose(f);
                return false;
              }}
              disabled={busy === 'upload'}
              data-testid="device-import-file"
            >
              <p className="ant-upload-drag-icon">
                <InboxOutlined />
              </p>
              <p className="ant-upload-text">{file ? `已选择：${file.name}（点击或拖入以更换）` : '点击或拖入 .xlsx 文件'}</p>
              {busy === 'upload' && <p className="ant-upload-hint">正在上传并校验…（{Math.round(progress * 100)}%）</p>}
            </Upload.Dragger>
          </>
        )}
        {error && <Alert type="error" showIcon title="导入失败" description={error} data-testid="device-import-error" />}
        {report && (
          <>
            {!report.committed && (
              <Alert
                type="error"
                showIcon
                title={`有 ${report.invalid} 行有误，未登记任何设备`}
                description={goodRows > 0 ? '可修改文件后重新上传，或点击“仅导入无误的行”。' : '请修改文件后重新上传。'}
              />
            )}
            <ReportSummary report={report} />
            {report.errors.length > 0 && <ImportErrors errors={report.errors} />}
            {report.skippedRows.length > 0 && (
              <Typography.Text type="secondary" data-testid="device-import-skipped-rows">
                已存在，跳过：{report.skippedRows.map((s) => `第 ${s.row} 行`).join('、')}
              </Typography.Text>
            )}
            {report.credentials.length > 0 && (
              <>
                <Credentials report={report} />
                <ConnectionHelp connection={connection} />
              </>
            )}
          </>
        )}
      </div>
    </Modal>
  );
}
