// An election in the console: seats, thresholds and dates; the nominations (self, joint, committee)
// with 确认 / 不予确认 (with a reason) and 录入提名 from the register; 公示候选人 turns the confirmed
// nominations into the ballot; 发布投票 fixes the voters, and 投票与计票 opens the vote's own drawer.
import { Alert, App, Button, Descriptions, Drawer, Form, Input, Modal, Radio, Select, Space, Spin, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useEffect, useState } from 'react';
import { errorText } from '../../api/client';
import { useAuth } from '../../auth/context';
import { formatTime } from '../../lib/time';
import { channelLabel, democracyApi } from './api';
import {
  democracy2Api,
  electionPhase,
  NOMINATION_SOURCES,
  NOMINATION_STATUS,
  nominationsOpen as isNominating,
  type Election,
  type Nomination,
} from './api2';
import { VoteDrawer } from './VoteDrawer';

function NominateModal({ election, onClose, onDone }: { election: Election; onClose: () => void; onDone: (e: Election) => void }) {
  const { message } = App.useApp();
  const [form] = Form.useForm<{ residentId: string; source: 'residents' | 'committee'; statement?: string }>();
  const [options, setOptions] = useState<{ value: string; label: string }[]>([]);
  const [searching, setSearching] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const search = (q: string) => {
    if (!q.trim()) return;
    setSearching(true);
    democracy2Api
      .residents(q.trim(), election.vote.communityId)
      .then((p) =>
        setOptions(p.items.map((r) => ({ value: r.id, label: `${r.name}${r.age !== null ? `（${r.age}岁）` : ''} ${r.idNumber}` }))),
      )
      .catch((err: unknown) => setError(errorText(err)))
      .finally(() => setSearching(false));
  };

  const submit = async () => {
    const v = await form.validateFields();
    setSaving(true);
    setError(null);
    try {
      const e = await democracy2Api.nominate(election.vote.id, {
        residentId: v.residentId,
        source: v.source,
        ...(v.statement?.trim() ? { statement: v.statement.trim() } : {}),
      });
      message.success('提名已录入');
      onDone(e);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open
      title="录入提名"
      okText="录入"
      onOk={() => void submit().catch(() => setSaving(false))}
      onCancel={onClose}
      confirmLoading={saving}
    >
      {error && <Alert type="error" showIcon title={error} className="form-alert" />}
      <Form form={form} layout="vertical" initialValues={{ source: 'residents' }} data-testid="election-nominate-form">
        <Form.Item name="residentId" label="被提名居民" rules={[{ required: true, message: '请从基础信息库选择居民' }]}>
          <Select
            showSearch={{ filterOption: false, onSearch: search }}
            options={options}
            loading={searching}
            placeholder="输入姓名或证件号搜索"
            notFoundContent={searching ? <Spin size="small" /> : '输入后搜索'}
          />
        </Form.Item>
        <Form.Item name="source" label="提名方式" rules={[{ required: true }]}>
          <Radio.Group
            options={[
              { value: 'residents', label: NOMINATION_SOURCES.residents },
              { value: 'committee', label: NOMINATION_SOURCES.committee },
            ]}
          />
        </Form.Item>
        <Form.Item name="statement" label="推荐理由 / 简介">
          <Input.TextArea rows={3} maxLength={2000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function ElectionDrawer({ voteId, onClose, onChanged }: { voteId: string | null; onClose: () => void; onChanged: () => void }) {
  const { can } = useAuth();
  const { message, modal } = App.useApp();
  const manage = can('democracy.manage');
  const [data, setData] = useState<Election | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [nominating, setNominating] = useState(false);
  const [rejecting, setRejecting] = useState<Nomination | null>(null);
  const [reason, setReason] = useState('');
  const [voteOpen, setVoteOpen] = useState(false);

  useEffect(() => {
    if (!voteId) return;
    let cancelled = false;
    democracy2Api
      .election(voteId)
      .then((e) => {
        if (cancelled) return;
        setData(e);
        setError(null);
      })
      .catch((err: unknown) => !cancelled && setError(errorText(err)));
    return () => {
      cancelled = true;
    };
  }, [voteId, version]);

  const current = data && data.vote.id === voteId ? data : null;
  const changed = (e?: Election) => {
    if (e) setData(e);
    else setVersion((x) => x + 1);
    onChanged();
  };

  const decide = async (n: Nomination, accept: boolean, why?: string) => {
    try {
      const e = await democracy2Api.decide(current!.vote.id, n.id, accept ? { accept } : { accept, reason: why ?? '' });
      message.success(accept ? `已确认 ${n.name} 为候选人` : '已不予确认');
      changed(e);
      return true;
    } catch (err) {
      message.error(errorText(err));
      return false;
    }
  };

  const publishCandidates = () =>
    modal.confirm({
      title: '公示候选人',
      content: `已确认的候选人将成为选票上的选项并向居民公示，公示期 ${current!.publicityDays} 天。公示后不能再提名或更改。`,
      okText: '公示',
      onOk: async () => {
        try {
          changed(await democracy2Api.publishCandidates(current!.vote.id));
          message.success('候选人名单已公示');
        } catch (err) {
          message.error(errorText(err));
        }
      },
    });

  const publishVote = () =>
    modal.confirm({
      title: '发布投票',
      content: '发布后按选民资格从基础信息库确定选民名单，到投票开始时间即开始投票。',
      okText: '发布',
      onOk: async () => {
        try {
          await democracyApi.publish(current!.vote.id);
          message.success('已发布');
          changed();
        } catch (err) {
          message.error(errorText(err));
        }
      },
    });

  const phase = current ? electionPhase(current) : null;
  const nominationsOpen = current ? isNominating(current) : false;
  const accepted = current ? current.nominations.filter((n) => n.status === 'accepted').length : 0;

  const columns: TableColumnsType<Nomination> = [
    { title: '被提名人', dataIndex: 'name', width: 100 },
    { title: '提名方式', dataIndex: 'source', width: 120, render: (s: string) => NOMINATION_SOURCES[s] ?? s },
    {
      title: '简介',
      dataIndex: 'statement',
      render: (s: string, r) => (
        <div>
          <div style={{ whiteSpace: 'pre-wrap' }}>{s || '—'}</div>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {r.nominatedBy} · {formatTime(r.createdAt, 'MM-DD HH:mm')}
          </Typography.Text>
        </div>
      ),
    },
    {
      title: '状态',
      dataIndex: 'status',
      width: 150,
      render: (s: string, r) => (
        <div>
          <Tag color={NOMINATION_STATUS[s]?.color ?? 'default'}>{NOMINATION_STATUS[s]?.label ?? s}</Tag>
          {r.reason && <div style={{ fontSize: 12, color: '#cf1322' }}>理由：{r.reason}</div>}
          {r.decidedBy && <div style={{ fontSize: 12, color: '#6b778c' }}>{r.decidedBy}</div>}
        </div>
      ),
    },
    ...(manage
      ? [
          {
            title: '操作',
            key: 'ops',
            width: 170,
            render: (_: unknown, r: Nomination) =>
              r.status === 'nominated' && !current?.candidatesPublishedAt ? (
                <Space size={4}>
                  <Button size="small" type="primary" onClick={() => void decide(r, true)} data-testid="nomination-accept">
                    确认
                  </Button>
                  <Button
                    size="small"
                    danger
                    onClick={() => {
                      setReason('');
                      setRejecting(r);
                    }}
                  >
                    不予确认
                  </Button>
                </Space>
              ) : null,
          },
        ]
      : []),
  ];

  return (
    <Drawer title={current ? current.vote.title : '选举详情'} open={voteId !== null} onClose={onClose} size={900} destroyOnHidden>
      {error && <Alert type="error" showIcon title="选举加载失败" description={error} className="form-alert" />}
      {!current && !error && (
        <div className="center-pad">
          <Spin />
        </div>
      )}
      {current && phase && (
        <div data-testid="election-drawer">
          <Descriptions size="small" column={2} bordered style={{ marginBottom: 16 }}>
            <Descriptions.Item label="阶段">
              <Tag color={phase.color} data-phase={phase.key}>
                {phase.label}
              </Tag>
            </Descriptions.Item>
            <Descriptions.Item label="应选名额">{current.seats} 名</Descriptions.Item>
            <Descriptions.Item label="提名截止">{formatTime(current.nominationsCloseAt, 'YYYY-MM-DD HH:mm')}</Descriptions.Item>
            <Descriptions.Item label="候选人公示">
              {current.candidatesPublishedAt
                ? `${formatTime(current.candidatesPublishedAt, 'YYYY-MM-DD HH:mm')} 起`
                : `投票开始前至少 ${current.publicityDays} 天`}
            </Descriptions.Item>
            <Descriptions.Item label="投票时间" span={2}>
              {formatTime(current.vote.opensAt, 'YYYY-MM-DD HH:mm')} 至 {formatTime(current.vote.closesAt, 'YYYY-MM-DD HH:mm')}
            </Descriptions.Item>
            <Descriptions.Item label="渠道">{current.vote.channels.map(channelLabel).join('、')}</Descriptions.Item>
            <Descriptions.Item label="选民">{current.vote.eligibilityLabel}</Descriptions.Item>
            <Descriptions.Item label="当选门槛" span={2}>
              参加投票人数超过选民的 {current.validTurnoutPercent}% 选举有效；得票超过参加投票人数的 {current.electedPercent}% 始得当选
            </Descriptions.Item>
            {current.vote.description ? (
              <Descriptions.Item label="说明" span={2}>
                <span style={{ whiteSpace: 'pre-wrap' }}>{current.vote.description}</span>
              </Descriptions.Item>
            ) : null}
          </Descriptions>
          <Space wrap style={{ marginBottom: 12 }}>
            {manage && nominationsOpen && (
              <Button onClick={() => setNominating(true)} data-testid="election-nominate">
                录入提名
              </Button>
            )}
            {manage && !current.candidatesPublishedAt && (
              <Button
                type="primary"
                onClick={publishCandidates}
                disabled={accepted < current.seats}
                data-testid="election-publish-candidates"
              >
                公示候选人（已确认 {accepted} / 应选 {current.seats}）
              </Button>
            )}
            {manage && current.candidatesPublishedAt && current.vote.status === 'draft' && (
              <Button type="primary" onClick={publishVote} data-testid="election-publish-vote">
                发布投票
              </Button>
            )}
            {current.vote.status !== 'draft' && (
              <Button onClick={() => setVoteOpen(true)} data-testid="election-open-vote">
                投票与计票
              </Button>
            )}
          </Space>
          {!current.candidatesPublishedAt && accepted < current.seats && (
            <Alert
              type="info"
              showIcon
              style={{ marginBottom: 12 }}
              title={`确认的候选人不少于应选名额（${current.seats} 名）时才能公示；公示须在投票开始前至少 ${current.publicityDays} 天。`}
            />
          )}
          <Typography.Title level={5}>提名</Typography.Title>
          <Table<Nomination>
            rowKey="id"
            size="small"
            columns={columns}
            dataSource={current.nominations}
            pagination={false}
            data-testid="election-nominations"
            locale={{ emptyText: '暂无提名' }}
          />
        </div>
      )}
      {nominating && current && (
        <NominateModal
          election={current}
          onClose={() => setNominating(false)}
          onDone={(e) => {
            setNominating(false);
            changed(e);
          }}
        />
      )}
      <Modal
        open={rejecting !== null}
        title={`不予确认：${rejecting?.name ?? ''}`}
        okText="不予确认"
        okButtonProps={{ danger: true, disabled: !reason.trim() }}
        onCancel={() => setRejecting(null)}
        onOk={async () => {
          if (rejecting && (await decide(rejecting, false, reason.trim()))) setRejecting(null);
        }}
      >
        <Input.TextArea
          rows={3}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          placeholder="请说明理由（将告知被提名人）"
          maxLength={500}
        />
      </Modal>
      <VoteDrawer voteId={voteOpen && current ? current.vote.id : null} onClose={() => setVoteOpen(false)} onChanged={() => changed()} />
    </Drawer>
  );
}
