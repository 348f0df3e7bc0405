// A vote in the console: its fields and turnout by channel, 发布 for a draft, and the tabs of the
// officers' work — 现场签到, 纸质票录入 (batches and corrections), 公布结果, 结果 with the printable notice.
import { PrinterOutlined } from '@ant-design/icons';
import { Alert, App, Button, Descriptions, Drawer, Space, Spin, Tabs, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { errorText } from '../../api/client';
import { useAuth } from '../../auth/context';
import { formatTime } from '../../lib/time';
import { channelLabel, democracyApi, STATUS_COLOR, turnoutText, type Vote, type VoteResult } from './api';
import { CheckInTab } from './CheckInTab';
import { PaperTab } from './PaperTab';
import { ResultView } from './ResultView';

function ResultTab({ vote }: { vote: Vote }) {
  const [data, setData] = useState<VoteResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    democracyApi
      .result(vote.id)
      .then((r) => !cancelled && setData(r))
      .catch((err: unknown) => !cancelled && setError(errorText(err)));
    return () => {
      cancelled = true;
    };
  }, [vote.id]);
  if (error) return <Alert type="error" showIcon title={error} />;
  if (!data) return <Spin />;
  return (
    <div>
      <Space style={{ marginBottom: 12 }}>
        <Button icon={<PrinterOutlined />} onClick={() => window.open(`/democracy/votes/${vote.id}/notice`, '_blank', 'noopener')}>
          打印结果公告
        </Button>
        <Typography.Text type="secondary">
          公布时间 {formatTime(vote.closedAt, 'YYYY-MM-DD HH:mm')} · {data.result.publishedBy}
        </Typography.Text>
      </Space>
      <ResultView data={data} />
    </div>
  );
}

export function VoteDrawer({ voteId, onClose, onChanged }: { voteId: string | null; onClose: () => void; onChanged: () => void }) {
  const { can } = useAuth();
  const { message, modal } = App.useApp();
  const [vote, setVote] = useState<Vote | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [busy, setBusy] = useState(false);
  const manage = can('democracy.manage');

  useEffect(() => {
    if (!voteId) return;
    let cancelled = false;
    democracyApi
      .vote(voteId)
      .then((v) => {
        if (cancelled) return;
        setVote(v);
        setError(null);
      })
      .catch((err: unknown) => !cancelled && setError(errorText(err)));
    return () => {
      cancelled = true;
    };
  }, [voteId, version]);

  const current = vote && vote.id === voteId ? vote : null;
  const refresh = () => {
    setVersion((x) => x + 1);
    onChanged();
  };

  const publish = () =>
    modal.confirm({
      title: '发布投票',
      content: '发布后将按投票范围从基础信息库确定投票人名单，投票内容不能再修改。',
      okText: '发布',
      onOk: async () => {
        setBusy(true);
        try {
          await democracyApi.publish(current!.id);
          message.success('已发布');
          refresh();
        } catch (err) {
          message.error(errorText(err));
        } finally {
          setBusy(false);
        }
      },
    });

  const publishResult = () =>
    modal.confirm({
      title: '公布结果',
      content: '请确认纸质票已全部录入。公布后不能再录入或更正，结果对所有人可见。',
      okText: '公布结果',
      onOk: async () => {
        try {
          await democracyApi.publishResult(current!.id);
          message.success('结果已公布');
          refresh();
        } catch (err) {
          message.error(errorText(err));
        }
      },
    });

  const paper = current ? current.channels.includes('paper') || current.channels.includes('in_person') : false;
  const tabs = current
    ? [
        ...(manage && current.status !== 'draft' && current.channels.includes('in_person')
          ? [{ key: 'checkin', label: '现场签到', children: <CheckInTab vote={current} onChanged={refresh} /> }]
          : []),
        ...(manage && current.status !== 'draft' && paper
          ? [{ key: 'paper', label: '纸质票录入', children: <PaperTab vote={current} onChanged={refresh} /> }]
          : []),
        ...(manage && current.status !== 'draft'
          ? [
              {
                key: 'publish',
                label: '公布结果',
                children: (
                  <div>
                    <Typography.Paragraph type="secondary">
                      投票截止后（计票中），录入全部纸质票，再公布结果。公布前任何人都看不到计票结果。
                    </Typography.Paragraph>
                    <Button
                      type="primary"
                      disabled={current.status !== 'counting'}
                      onClick={publishResult}
                      data-testid="vote-publish-result"
                    >
                      公布结果
                    </Button>
                    {current.status === 'closed' && <Typography.Text style={{ marginLeft: 12 }}>结果已公布</Typography.Text>}
                  </div>
                ),
              },
            ]
          : []),
        ...(current.status === 'closed' ? [{ key: 'result', label: '结果', children: <ResultTab vote={current} /> }] : []),
      ]
    : [];

  return (
    <Drawer title={current ? current.title : '投票详情'} open={voteId !== null} onClose={onClose} size={820} destroyOnHidden>
      {error && <Alert type="error" showIcon title="投票加载失败" description={error} className="form-alert" />}
      {!current && !error && (
        <div className="center-pad">
          <Spin />
        </div>
      )}
      {current && (
        <div data-testid="vote-drawer">
          <Descriptions size="small" column={2} bordered style={{ marginBottom: 16 }}>
            <Descriptions.Item label="状态">
              <Tag color={STATUS_COLOR[current.status] ?? 'default'}>{current.statusLabel}</Tag>
            </Descriptions.Item>
            <Descriptions.Item label="类型">{current.kindLabel}</Descriptions.Item>
            {current.ownerMatterLabel && (
              <Descriptions.Item label="表决事项" span={2}>
                {current.ownerMatterLabel}{' '}
                {current.matter === 'major' ? <Tag color="red">重大事项 四分之三</Tag> : <Tag color="blue">一般事项 过半数</Tag>}
              </Descriptions.Item>
            )}
            <Descriptions.Item label="方式">{current.methodLabel}</Descriptions.Item>
            <Descriptions.Item label="记名">{current.secret ? '无记名投票' : '记名投票'}</Descriptions.Item>
            <Descriptions.Item label="选项" span={2}>
              {current.options.map((o) => `${o.key}. ${o.label}`).join('；')}
              {current.method === 'multiple' && current.maxChoices ? `（最多可选 ${current.maxChoices} 项）` : ''}
            </Descriptions.Item>
            <Descriptions.Item label="投票范围">{current.eligibilityLabel}</Descriptions.Item>
            <Descriptions.Item label="渠道">{current.channels.map(channelLabel).join('、')}</Descriptions.Item>
            {current.kind === 'general' && (
              <>
                <Descriptions.Item label="参与率要求">
                  {current.quorumPercent === null ? '不设' : `${current.quorumPercent}%`}
                </Descriptions.Item>
                <Descriptions.Item label="通过比例">{`${current.passPercent ?? 50}%`}</Descriptions.Item>
              </>
            )}
            <Descriptions.Item label="投票时间" span={2}>
              {formatTime(current.opensAt, 'YYYY-MM-DD HH:mm')} 至 {formatTime(current.closesAt, 'YYYY-MM-DD HH:mm')}
            </Descriptions.Item>
            <Descriptions.Item label="参与/应参与" span={2}>
              {current.status === 'draft' ? '发布后确定投票人名单' : turnoutText(current.participants, current.eligibleCount)}
              {current.participantsByChannel && Object.keys(current.participantsByChannel).length > 0 && (
                <span style={{ marginLeft: 12 }}>
                  {Object.entries(current.participantsByChannel)
                    .map(([c, n]) => `${channelLabel(c)} ${n}`)
                    .join('，')}
                </span>
              )}
            </Descriptions.Item>
            {current.description ? (
              <Descriptions.Item label="说明" span={2}>
                <span style={{ whiteSpace: 'pre-wrap' }}>{current.description}</span>
              </Descriptions.Item>
            ) : null}
          </Descriptions>
          {current.status === 'draft' && manage && (
            <Button type="primary" loading={busy} onClick={publish} style={{ marginBottom: 16 }} data-testid="vote-publish">
              发布
            </Button>
          )}
          {tabs.length > 0 && <Tabs items={tabs} destroyOnHidden />}
        </div>
      )}
    </Drawer>
  );
}
