// 台账导入: a wizard to bring an Excel ledger (居民, 楼栋房屋, 组织) into a community. The file is read
// once into memory; validation and the commit send the very same bytes.
import { CheckCircleOutlined, DownloadOutlined, FileExcelOutlined, InboxOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Progress, Radio, Result, Select, Space, Steps, Typography, Upload } from 'antd';
import { useRef, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { ApiError, errorText, saveBlob } from '../api/client';
import { ledgerApi } from '../api/endpoints';
import type { ImportMode, ImportReport, LedgerKind } from '../api/types';
import { useAuth } from '../auth/context';
import { LEDGERS, ledgerLabel } from '../lib/registry';
import { useRegions } from '../regions/context';
import { ImportErrors, ImportSummary, toImport } from './imports/ImportReportView';
import { selectedCommunity } from './registry/shared';

/** The server takes bodies up to 64 MB. */
const MAX_BYTES = 64 * 1024 * 1024;

interface ChosenFile {
  name: string;
  size: number;
  data: ArrayBuffer;
}

type Busy = { phase: 'reading' } | { phase: 'uploading'; mode: ImportMode; sent: number } | { phase: 'checking'; mode: ImportMode };

interface Outcome {
  mode: ImportMode;
  report: ImportReport;
}

const LEDGER_PATH: Record<LedgerKind, string> = {
  residents: '/residents',
  rooms: '/buildings',
  organisations: '/organisations',
};

function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Why a file cannot be sent, or null. */
function fileProblem(file: File): string | null {
  if (!/\.xlsx$/i.test(file.name)) return '请选择 .xlsx 格式的 Excel 文件（.xls、.csv 请先另存为 .xlsx）';
  if (file.size === 0) return '文件是空的';
  if (file.size > MAX_BYTES) return `文件过大（${fileSize(file.size)}），不能超过 64 MB`;
  return null;
}

export default function ImportPage() {
  const { user } = useAuth();
  const { index, selected } = useRegions();
  const { message, modal } = App.useApp();
  const navigate = useNavigate();

  const [step, setStep] = useState(0);
  const [kind, setKind] = useState<LedgerKind>('residents');
  const [chosenCommunity, setChosenCommunity] = useState<string | null>(null);
  const [file, setFile] = useState<ChosenFile | null>(null);
  const [busy, setBusy] = useState<Busy | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [checked, setChecked] = useState<ImportReport | null>(null);
  /** A commit that came back uncommitted (the data changed since the check). */
  const [staleWarning, setStaleWarning] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [downloading, setDownloading] = useState(false);
  const ctrl = useRef<AbortController | null>(null);

  // Communities the caller can import into: those of the visible tree, or the caller's own.
  const communities = [...index.values()]
    .filter((r) => r.node.level === 'community')
    .map((r) => ({
      value: r.node.id,
      label: r.path.length > 1 ? `${r.node.name}（${r.path.at(-2)!.name}）` : r.node.name,
      search: `${r.node.name} ${r.node.code}`,
    }));
  if (communities.length === 0 && user?.regionLevel === 'community') {
    communities.push({ value: user.regionId, label: user.regionName, search: user.regionName });
  }
  const defaultCommunity =
    selectedCommunity(selected, index) ?? (user?.regionLevel === 'community' ? user.regionId : (communities[0]?.value ?? null));
  const communityId = chosenCommunity ?? defaultCommunity;
  const communityName = communities.find((c) => c.value === communityId)?.label ?? '';
  const ledger = LEDGERS.find((l) => l.kind === kind)!;

  const downloadTemplate = async () => {
    setDownloading(true);
    try {
      const { blob } = await ledgerApi.template(kind);
      saveBlob(blob, `${ledger.label}导入模板.xlsx`);
    } catch (err) {
      message.error(`模板下载失败：${errorText(err)}`);
    } finally {
      setDownloading(false);
    }
  };

  /** Sends the file with `mode`; the upload's progress and then the server's check are shown. */
  const send = async (f: ChosenFile, mode: ImportMode): Promise<ImportReport | null> => {
    if (!communityId) return null;
    const c = new AbortController();
    ctrl.current = c;
    setError(null);
    setBusy({ phase: 'uploading', mode, sent: 0 });
    try {
      return await ledgerApi.import(kind, communityId, mode, f.data, (sent) => {
        if (c.signal.aborted) return;
        setBusy(sent >= 1 ? { phase: 'checking', mode } : { phase: 'uploading', mode, sent });
      });
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') return null;
      // A file the server cannot read (not xlsx, a required column missing) comes back on `body`.
      const bodyError = err instanceof ApiError ? err.errors.find((e) => e.field === 'body') : undefined;
      setError(bodyError ? bodyError.message : errorText(err));
      return null;
    } finally {
      if (ctrl.current === c) ctrl.current = null;
      setBusy(null);
    }
  };

  const choose = async (raw: File) => {
    const problem = fileProblem(raw);
    if (problem) {
      setError(problem);
      return;
    }
    setError(null);
    setBusy({ phase: 'reading' });
    let f: ChosenFile;
    try {
      f = { name: raw.name, size: raw.size, data: await raw.arrayBuffer() };
    } catch {
      setBusy(null);
      setError('无法读取所选文件，请重新选择');
      return;
    }
    setFile(f);
    const report = await send(f, 'validate');
    if (report) {
      setChecked(report);
      setStaleWarning(false);
      setStep(2);
    }
  };

  const commit = async (mode: 'commit' | 'commit-valid') => {
    if (!file) return;
    const report = await send(file, mode);
    if (!report) return;
    if (!report.committed) {
      // Something changed since the check (e.g. someone registered the same people): show it again.
      setChecked(report);
      setStaleWarning(true);
      return;
    }
    setOutcome({ mode, report });
    setStep(3);
  };

  const confirmValidOnly = (report: ImportReport) => {
    const rows = new Set(report.errors.map((e) => e.row)).size;
    modal.confirm({
      title: '仅导入无误行',
      content: (
        <div data-testid="import-valid-confirm">
          <p>
            将导入 <b>{toImport(report)}</b> 行无误的数据，跳过 <b>{rows}</b> 行有误的数据
            {report.unchanged > 0 ? `，已登记的 ${report.unchanged} 行保持不变` : ''}。
          </p>
          <p>跳过的行不会写入，可修改后重新上传（已导入的行不会重复登记）。</p>
        </div>
      ),
      okText: '确认导入',
      cancelText: '取消',
      onOk: () => commit('commit-valid'),
    });
  };

  const restart = (keepChoice: boolean) => {
    ctrl.current?.abort();
    setFile(null);
    setChecked(null);
    setOutcome(null);
    setError(null);
    setStaleWarning(false);
    setStep(keepChoice ? 1 : 0);
  };

  const uploading = busy !== null;
  const busyMode = busy && busy.phase !== 'reading' ? busy.mode : null;
  const percent = busy?.phase === 'uploading' ? Math.floor(busy.sent * 100) : busy?.phase === 'checking' ? 100 : 0;
  const busyText =
    busy?.phase === 'reading'
      ? '正在读取文件…'
      : busy?.phase === 'uploading'
        ? `正在上传 ${percent}%`
        : busy?.phase === 'checking'
          ? busy.mode === 'validate'
            ? '上传完成，正在逐行校验…'
            : '正在写入…'
          : '';

  const progress = busy && (
    <div className="import-progress" data-testid="import-progress">
      <Progress percent={percent} status="active" showInfo={busy.phase === 'uploading'} />
      <Space>
        <Typography.Text type="secondary">{busyText}</Typography.Text>
        {busy.phase !== 'reading' && (
          <Button size="small" onClick={() => ctrl.current?.abort()}>
            取消
          </Button>
        )}
      </Space>
    </div>
  );

  return (
    <div className="page">
      <Card
        className="page-card"
        title={
          <Space size={8}>
            <span>台账导入</span>
            <Typography.Text type="secondary" className="card-subtitle">
              用 Excel 模板批量登记居民、楼栋房屋、组织
            </Typography.Text>
          </Space>
        }
      >
        <Steps
          className="import-steps"
          current={step}
          status={step === 3 ? 'finish' : 'process'}
          items={[
            { title: '选择台账', content: step > 0 ? `${ledger.label} · ${communityName}` : '类型与社区' },
            { title: '上传文件', content: step > 1 && file ? file.name : '.xlsx，不超过 64 MB' },
            { title: '校验结果', content: step > 2 ? '已确认' : '核对问题行' },
            { title: '完成' },
          ]}
          data-testid="import-steps"
        />

        <div className="import-body" data-testid="import-body" data-step={step}>
          {step === 0 && (
            <div className="import-choose" data-testid="import-step-choose">
              <div className="import-field">
                <div className="import-field-label">台账类型</div>
                <Radio.Group
                  value={kind}
                  onChange={(e) => setKind(e.target.value as LedgerKind)}
                  optionType="button"
                  buttonStyle="solid"
                  options={LEDGERS.map((l) => ({ value: l.kind, label: l.label }))}
                  data-testid="import-kind"
                />
                <div className="field-note">{ledger.hint}</div>
              </div>
              <div className="import-field">
                <div className="import-field-label">导入到社区</div>
                <Select
                  value={communityId ?? undefined}
                  onChange={(v: string) => setChosenCommunity(v)}
                  options={communities}
                  showSearch={{ optionFilterProp: 'search' }}
                  placeholder="选择社区"
                  className="import-community"
                  data-testid="import-community"
                />
                {!communityId && <div className="field-note">请选择要导入到的社区</div>}
              </div>
              <div className="import-field">
                <div className="import-field-label">导入模板</div>
                <Space wrap>
                  <Button
                    icon={<DownloadOutlined />}
                    loading={downloading}
                    onClick={() => void downloadTemplate()}
                    data-testid="import-template"
                  >
                    下载《{ledger.label}》导入模板
                  </Button>
                  <Typography.Text type="secondary">
                    第一张工作表按表头填写（带 * 的列必填，列的顺序不限），第二张工作表为填写说明
                  </Typography.Text>
                </Space>
              </div>
              <div className="import-actions">
                <Button type="primary" disabled={!communityId} onClick={() => setStep(1)} data-testid="import-next">
                  下一步
                </Button>
              </div>
            </div>
          )}

          {step === 1 && (
            <div data-testid="import-step-upload">
              <Alert
                type="info"
                showIcon
                className="form-alert"
                title={`将${ledger.label}台账导入到「${communityName}」`}
                description="选择文件后会先逐行校验，不会立即写入；确认校验结果后再导入。"
              />
              <div data-testid="import-upload">
                <Upload.Dragger
                  accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                  multiple={false}
                  showUploadList={false}
                  disabled={uploading}
                  beforeUpload={(f) => {
                    void choose(f);
                    return Upload.LIST_IGNORE;
                  }}
                >
                  <p className="ant-upload-drag-icon">
                    <InboxOutlined />
                  </p>
                  <p className="ant-upload-text">点击或将 Excel 文件拖到此处</p>
                  <p className="ant-upload-hint">仅支持 .xlsx，单个文件不超过 64 MB</p>
                </Upload.Dragger>
              </div>
              {progress}
              {error && (
                <Alert type="error" showIcon className="import-error" title="文件无法导入" description={error} data-testid="import-error" />
              )}
              <div className="import-actions">
                <Button disabled={uploading} onClick={() => restart(false)}>
                  上一步
                </Button>
              </div>
            </div>
          )}

          {step === 2 && checked && file && (
            <div data-testid="import-step-check">
              <div className="import-file">
                <FileExcelOutlined className="import-file-icon" />
                <span className="import-file-name">{file.name}</span>
                <Typography.Text type="secondary">
                  （{fileSize(file.size)}，{ledger.label}台账 → {communityName}）
                </Typography.Text>
              </div>
              {staleWarning && (
                <Alert
                  type="warning"
                  showIcon
                  className="form-alert"
                  title="导入时重新校验发现问题，未写入任何数据"
                  description="数据在校验后发生了变化，以下为最新的校验结果。"
                />
              )}
              <ImportSummary report={checked} />
              {checked.total === 0 ? (
                <Alert
                  type="warning"
                  showIcon
                  className="form-alert"
                  title="文件中没有数据行"
                  description="请在模板第一张工作表的表头下方填写数据后重新上传。"
                />
              ) : checked.errors.length === 0 ? (
                toImport(checked) > 0 ? (
                  <Alert type="success" showIcon className="form-alert" title={`校验通过，可导入 ${toImport(checked)} 行`} />
                ) : (
                  <Alert type="info" showIcon className="form-alert" title="文件中的数据均已登记，无需重复导入" />
                )
              ) : (
                <ImportErrors errors={checked.errors} />
              )}
              {progress}
              {error && <Alert type="error" showIcon className="import-error" title="导入失败" description={error} />}
              <div className="import-actions">
                <Button disabled={uploading} onClick={() => restart(true)} data-testid="import-reupload">
                  重新上传
                </Button>
                <Button
                  disabled={uploading || checked.errors.length === 0 || toImport(checked) === 0}
                  loading={busyMode === 'commit-valid'}
                  onClick={() => confirmValidOnly(checked)}
                  data-testid="import-commit-valid"
                >
                  仅导入无误行
                </Button>
                <Button
                  type="primary"
                  icon={<CheckCircleOutlined />}
                  disabled={uploading || checked.errors.length > 0 || toImport(checked) === 0}
                  loading={busyMode === 'commit'}
                  onClick={() => void commit('commit')}
                  data-testid="import-commit"
                >
                  全部导入
                </Button>
              </div>
            </div>
          )}

          {step === 3 && outcome && (
            <div data-testid="import-step-done">
              <Result
                status="success"
                title="导入完成"
                subTitle={
                  <span data-testid="import-result">
                    新增 {outcome.report.inserted} 条
                    {outcome.report.unchanged > 0 ? `，${outcome.report.unchanged} 条已登记（未变动）` : ''}
                    {outcome.report.invalid > 0 ? `，跳过有误的 ${outcome.report.invalid} 行` : ''}
                  </span>
                }
                extra={[
                  <Button key="again" onClick={() => restart(false)} data-testid="import-again">
                    继续导入
                  </Button>,
                  <Button key="view" type="primary" onClick={() => void navigate(LEDGER_PATH[kind])}>
                    查看{ledgerLabel(kind)}
                  </Button>,
                ]}
              >
                <ImportSummary report={outcome.report} done />
              </Result>
            </div>
          )}
        </div>
      </Card>
    </div>
  );
}
