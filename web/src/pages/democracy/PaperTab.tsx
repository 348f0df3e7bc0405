// 纸质票录入: officers enter counted paper ballots in batches (named votes name each ballot's voter);
// a correction is a new batch that voids ballots of an earlier one, adds replacements and gives a reason.
// The ids of the ballots of a batch are known only from the answer to its entry, so they are kept for
// the current session (a batch entered in another session can still be corrected by pasting ids).
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Input, Modal, Select, Space, Table, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { errorText } from '../../api/client';
import { formatTime } from '../../lib/time';
import { democracyApi, type PaperBatch, type PaperBatchBody, type Vote } from './api';

interface DraftBallot {
  choice: string[];
  voterKey?: string;
}

function VoterSelect({ vote, value, onChange }: { vote: Vote; value?: string; onChange: (v: string | undefined) => void }) {
  const [options, setOptions] = useState<{ value: string; label: string; disabled?: boolean }[]>([]);
  const search = useCallback(
    (q: string) => {
      democracyApi
        .voters(vote.id, { ...(q.trim() ? { q: q.trim() } : {}), pageSize: 20 })
        .then((p) =>
          setOptions(
            p.items.map((x) => ({
              value: x.voterKey,
              label: `${x.label}${x.area !== null ? `（${x.area.toFixed(2)}㎡）` : ''}${x.participated ? ' · 已参与' : ''}`,
            })),
          ),
        )
        .catch(() => undefined);
    },
    [vote.id],
  );
  useEffect(() => search(''), [search]);
  return (
    <Select
      style={{ width: 260 }}
      placeholder="投票人（输入姓名搜索）"
      value={value}
      onChange={onChange}
      allowClear
      options={options}
      showSearch={{ filterOption: false, onSearch: search }}
    />
  );
}

function BallotEditor({ vote, ballots, onChange }: { vote: Vote; ballots: DraftBallot[]; onChange: (b: DraftBallot[]) => void }) {
  const named = !vote.secret;
  const multi = vote.method !== 'single';
  const set = (i: number, b: DraftBallot) => onChange(ballots.map((x, j) => (j === i ? b : x)));
  return (
    <div>
      {ballots.map((b, i) => (
        <Space key={i} style={{ display: 'flex', marginBottom: 8 }} wrap>
          <span style={{ width: 48, display: 'inline-block' }}>第 {i + 1} 张</span>
          {named && <VoterSelect vote={vote} value={b.voterKey} onChange={(voterKey) => set(i, { ...b, voterKey })} />}
          <Select
            style={{ minWidth: 280 }}
            mode={multi ? 'multiple' : undefined}
            maxCount={vote.method === 'multiple' ? (vote.maxChoices ?? undefined) : undefined}
            placeholder={vote.method === 'ranking' ? '按名次顺序依次选择全部选项' : '所选选项'}
            value={multi ? b.choice : b.choice[0]}
            onChange={(v: string | string[] | undefined) => set(i, { ...b, choice: v === undefined ? [] : Array.isArray(v) ? v : [v] })}
            options={vote.options.map((o) => ({ value: o.key, label: o.label }))}
          />
          <Button icon={<DeleteOutlined />} onClick={() => onChange(ballots.filter((_, j) => j !== i))} aria-label="删除" />
        </Space>
      ))}
      <Button type="dashed" icon={<PlusOutlined />} onClick={() => onChange([...ballots, { choice: [] }])}>
        添加一张选票
      </Button>
    </div>
  );
}

function ballotsProblem(vote: Vote, ballots: DraftBallot[]): string | null {
  for (const [i, b] of ballots.entries()) {
    if (!b.choice.length) return `第 ${i + 1} 张选票未选择选项`;
    if (vote.method === 'ranking' && b.choice.length !== vote.options.length) return `第 ${i + 1} 张选票应为全部选项排序`;
    if (!vote.secret && !b.voterKey) return `第 ${i + 1} 张选票未选择投票人`;
  }
  return null;
}

/** Ballot ids of the batches entered in this browser session (kept across tabs and drawers until reload). */
const sessionBallotIds: Record<string, string[]> = {};

const toBody = (ballots: DraftBallot[]) => ballots.map((b) => ({ choice: b.choice, ...(b.voterKey ? { voterKey: b.voterKey } : {}) }));

export function PaperTab({ vote, onChanged }: { vote: Vote; onChanged: () => void }) {
  const { message } = App.useApp();
  const [batches, setBatches] = useState<PaperBatch[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [draft, setDraft] = useState<DraftBallot[]>([{ choice: [] }]);
  const [saving, setSaving] = useState(false);
  /** Ballot ids of the batches entered in this session. */
  const [known, setKnown] = useState<Record<string, string[]>>(() => ({ ...sessionBallotIds }));
  const [correcting, setCorrecting] = useState<PaperBatch | null>(null);

  useEffect(() => {
    let cancelled = false;
    democracyApi
      .paperBatches(vote.id)
      .then((b) => !cancelled && setBatches(b))
      .catch((err: unknown) => !cancelled && setError(errorText(err)));
    return () => {
      cancelled = true;
    };
  }, [vote.id, version]);

  const enter = async (body: PaperBatchBody) => {
    const r = await democracyApi.enterPaperBatch(vote.id, body);
    sessionBallotIds[r.batchId] = r.ballots;
    setKnown((k) => ({ ...k, [r.batchId]: r.ballots }));
    setVersion((x) => x + 1);
    onChanged();
    return r;
  };

  const submit = async () => {
    const p = draft.length === 0 ? '请添加选票' : ballotsProblem(vote, draft);
    if (p) {
      message.error(p);
      return;
    }
    setSaving(true);
    try {
      const r = await enter({ ballots: toBody(draft) });
      message.success(`已录入 ${r.ballots.length} 张选票`);
      setDraft([{ choice: [] }]);
    } catch (err) {
      message.error(errorText(err));
    } finally {
      setSaving(false);
    }
  };

  const editable = vote.status === 'open' || vote.status === 'counting';
  const columns: TableColumnsType<PaperBatch> = [
    {
      title: '批次',
      dataIndex: 'id',
      width: 110,
      render: (v: string) => <Typography.Text className="mono">{v.slice(-8)}</Typography.Text>,
    },
    { title: '录入人', dataIndex: 'enteredBy', width: 110 },
    { title: '录入时间', dataIndex: 'enteredAt', width: 140, render: (v: string) => formatTime(v, 'MM-DD HH:mm') },
    { title: '选票数', dataIndex: 'ballots', width: 80 },
    {
      title: '更正',
      key: 'corrects',
      render: (_: unknown, b) => (b.corrects ? `更正批次 ${b.corrects.slice(-8)}：${b.reason ?? ''}` : '—'),
    },
    {
      title: '操作',
      key: 'op',
      width: 80,
      render: (_: unknown, b) => (
        <Button size="small" disabled={!editable} onClick={() => setCorrecting(b)}>
          更正
        </Button>
      ),
    },
  ];

  return (
    <div data-testid="vote-paper">
      {!editable && <Alert type="info" showIcon title="结果公布后不能再录入或更正纸质票" style={{ marginBottom: 12 }} />}
      {vote.secret && (
        <Typography.Paragraph type="secondary">
          无记名投票：纸质票不注明投票人，纸质票总数不能超过现场签到人数（先在“现场签到”登记）。
        </Typography.Paragraph>
      )}
      {editable && (
        <div style={{ marginBottom: 16 }}>
          <BallotEditor vote={vote} ballots={draft} onChange={setDraft} />
          <div style={{ marginTop: 12 }}>
            <Button type="primary" loading={saving} onClick={() => void submit()}>
              提交本批（{draft.length} 张）
            </Button>
          </div>
        </div>
      )}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Table<PaperBatch>
        rowKey="id"
        size="small"
        loading={batches === null && !error}
        columns={columns}
        dataSource={batches ?? []}
        pagination={false}
        expandable={{
          rowExpandable: (b) => !!known[b.id]?.length,
          expandedRowRender: (b) => (
            <div className="mono" style={{ fontSize: 12 }}>
              本批选票编号：{(known[b.id] ?? []).join('，')}
            </div>
          ),
        }}
      />
      {correcting && (
        <CorrectionModal
          vote={vote}
          batch={correcting}
          knownIds={known[correcting.id] ?? []}
          onClose={() => setCorrecting(null)}
          onSubmit={async (body) => {
            const r = await enter(body);
            message.success(`更正已录入：作废 ${r.voided} 张，新增 ${r.ballots.length} 张`);
            setCorrecting(null);
          }}
        />
      )}
    </div>
  );
}

function CorrectionModal({
  vote,
  batch,
  knownIds,
  onClose,
  onSubmit,
}: {
  vote: Vote;
  batch: PaperBatch;
  knownIds: string[];
  onClose: () => void;
  onSubmit: (body: PaperBatchBody) => Promise<void>;
}) {
  const [voids, setVoids] = useState<string[]>([]);
  const [ballots, setBallots] = useState<DraftBallot[]>([]);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const submit = async () => {
    if (!reason.trim()) return setError('请填写更正原因');
    if (!voids.length && !ballots.length) return setError('请选择要作废的选票或添加替换选票');
    const p = ballotsProblem(vote, ballots);
    if (p) return setError(p);
    setSaving(true);
    setError(null);
    try {
      await onSubmit({ ballots: toBody(ballots), corrects: batch.id, voids, reason: reason.trim() });
    } catch (err) {
      setError(errorText(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open
      title={`更正批次 ${batch.id.slice(-8)}`}
      okText="提交更正"
      onOk={() => void submit()}
      onCancel={onClose}
      confirmLoading={saving}
      width={760}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Typography.Paragraph type="secondary">
        更正不修改原批次：作废其中的选票、录入替换选票，并说明原因，全部留痕。
        {knownIds.length === 0 && '该批次不是在本次会话中录入的，无法列出其选票编号，可粘贴选票编号。'}
      </Typography.Paragraph>
      <div style={{ marginBottom: 12 }}>
        <div style={{ marginBottom: 4 }}>作废的选票</div>
        <Select
          mode="tags"
          style={{ width: '100%' }}
          value={voids}
          onChange={setVoids}
          placeholder="选择或粘贴选票编号"
          options={knownIds.map((id, i) => ({ value: id, label: `第 ${i + 1} 张 · ${id}` }))}
        />
      </div>
      <div style={{ marginBottom: 12 }}>
        <div style={{ marginBottom: 4 }}>替换选票</div>
        <BallotEditor vote={vote} ballots={ballots} onChange={setBallots} />
      </div>
      <div>
        <div style={{ marginBottom: 4 }}>更正原因（必填）</div>
        <Input.TextArea rows={2} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
      </div>
    </Modal>
  );
}
