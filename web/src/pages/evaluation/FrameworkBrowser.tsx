// 评价标准: the full text of a framework — groups → indicators → criteria with weights, kinds,
// thresholds, numerator/denominator and the seed clause each comes from; criteria computed live from
// the platform's data are tagged 平台自动计算. For Beijing also the star rules and the four dimensions.
import { Alert, Card, Collapse, Descriptions, Empty, Space, Spin, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useEffect, useState } from 'react';
import { errorText } from '../../api/client';
import { evaluationApi } from '../../api/evaluation';
import type { FrameworkCriterion, FrameworkDetail, FrameworkGroup, FrameworkIndicator } from '../../api/types';

const KIND: Record<string, string> = {
  boolean: '是否达到',
  ratio: '比例',
  count: '数量',
  duration: '时限',
  survey: '调查',
};

function thresholdOf(c: FrameworkCriterion): string {
  if (c.threshold === undefined) return '—';
  return `${c.direction ?? ''}${c.threshold}${c.unit ?? ''}`;
}

function IndicatorBlock({ indicator, measures, stars }: { indicator: FrameworkIndicator; measures: Set<string>; stars: boolean }) {
  const columns: TableColumnsType<FrameworkCriterion> = [
    { title: '考核项', dataIndex: 'code', width: 80, render: (code: string) => <span className="mono nowrap">{code}</span> },
    {
      title: '内容',
      dataIndex: 'text',
      render: (text: string, c) => (
        <div>
          <span>{text}</span>
          {measures.has(c.code) && (
            <Tag color="blue" style={{ marginLeft: 6 }} data-testid={`auto-${c.code}`}>
              平台自动计算
            </Tag>
          )}
        </div>
      ),
    },
    { title: '类型', dataIndex: 'kind', width: 80, render: (k: string) => KIND[k] ?? k },
    { title: '标准', key: 'threshold', width: 90, render: (_, c) => <span className="nowrap">{thresholdOf(c)}</span> },
    {
      title: '分子 / 分母',
      key: 'ratio',
      width: 220,
      render: (_, c) =>
        c.numerator || c.denominator ? (
          <span className="small-text">
            {c.numerator ?? '—'} / {c.denominator ?? '—'}
          </span>
        ) : (
          '—'
        ),
    },
    { title: '条款', dataIndex: 'clause', width: 150, render: (cl: string) => <span className="small-text nowrap">{cl}</span> },
  ];
  return (
    <div className="framework-indicator" data-indicator={indicator.code}>
      <Space size={6} wrap>
        <span className="mono strong-text">{indicator.code}</span>
        <span className="strong-text">{indicator.name}</span>
        {!stars && indicator.weight !== undefined && <Tag color="geekblue">权重 {indicator.weight}</Tag>}
        {indicator.dimensions?.map((d) => (
          <Tag key={d}>{d}</Tag>
        ))}
        <Typography.Text type="secondary" className="small-text">
          {indicator.clause}
        </Typography.Text>
      </Space>
      {indicator.definition && (
        <div className="small-text" style={{ margin: '4px 0 6px' }}>
          <Typography.Text type="secondary">{indicator.definition}</Typography.Text>
        </div>
      )}
      <Table<FrameworkCriterion>
        rowKey="code"
        size="small"
        columns={columns}
        dataSource={indicator.criteria}
        pagination={false}
        scroll={{ x: 'max-content' }}
      />
    </div>
  );
}

function GroupBody({ group, measures, stars }: { group: FrameworkGroup; measures: Set<string>; stars: boolean }) {
  return (
    <>
      {(group.indicators ?? []).map((i) => (
        <IndicatorBlock key={i.code} indicator={i} measures={measures} stars={stars} />
      ))}
      {(group.groups ?? []).map((sub) => (
        <div key={sub.code} style={{ marginTop: 8 }}>
          <Typography.Title level={5} style={{ marginTop: 8 }}>
            <span className="mono">{sub.code}</span> {sub.name}
            {!stars && sub.weight !== undefined && <Tag style={{ marginLeft: 8 }}>权重 {sub.weight}</Tag>}
            <Typography.Text type="secondary" className="small-text" style={{ marginLeft: 8 }}>
              {sub.clause}
            </Typography.Text>
          </Typography.Title>
          <GroupBody group={sub} measures={measures} stars={stars} />
        </div>
      ))}
    </>
  );
}

export function FrameworkBrowser({ framework }: { framework: string }) {
  const [detail, setDetail] = useState<{ code: string; data: FrameworkDetail | null; error: string | null } | null>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    evaluationApi
      .framework(framework, ctrl.signal)
      .then((data) => setDetail({ code: framework, data, error: null }))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setDetail({ code: framework, data: null, error: errorText(err) });
      });
    return () => ctrl.abort();
  }, [framework]);

  const current = detail?.code === framework ? detail : null;
  if (!current)
    return (
      <div className="center-pad">
        <Spin />
      </div>
    );
  if (current.error !== null || !current.data) return <Alert type="error" showIcon title="评价标准加载失败" description={current.error} />;
  const f = current.data;
  const stars = f.rule === 'beijing-stars';
  const measures = new Set(f.measures);

  return (
    <div data-testid="framework-browser">
      <Descriptions size="small" column={{ xs: 1, md: 2 }} style={{ marginBottom: 12 }}>
        <Descriptions.Item label="标准">
          {f.code} {f.title}
        </Descriptions.Item>
        <Descriptions.Item label="平台自动计算">{f.measures.length} 个考核项由平台数据实时计算，其余需填报并附佐证</Descriptions.Item>
      </Descriptions>
      {stars && (f.stars.length > 0 || (f.dimensions?.length ?? 0) > 0) && (
        <div style={{ display: 'flex', flexDirection: 'column', gap: 12, marginBottom: 12 }}>
          {f.stars.length > 0 && (
            <Card size="small" title="星级评定规则" data-testid="framework-stars">
              <Table
                rowKey="stars"
                size="small"
                pagination={false}
                dataSource={f.stars}
                columns={[
                  { title: '星级', dataIndex: 'stars', width: 90, render: (s: number) => `${s} 星` },
                  { title: '达标指标数', dataIndex: 'minAchieved', render: (n: number) => `不少于 ${n} 项` },
                  {
                    title: '前置条件',
                    dataIndex: 'minPriorStars',
                    render: (p: number | undefined) => (p ? `须已认定 ${p} 星及以上` : '—'),
                  },
                  { title: '条款', dataIndex: 'clause', width: 120 },
                ]}
              />
            </Card>
          )}
          {(f.dimensions?.length ?? 0) > 0 && (
            <Card size="small" title="评价维度" data-testid="framework-dimensions">
              <Descriptions size="small" column={1} bordered>
                {f.dimensions!.map((d) => (
                  <Descriptions.Item key={d.code} label={d.name}>
                    <span style={{ whiteSpace: 'pre-line' }}>{d.description}</span>
                    <Typography.Text type="secondary" className="small-text" style={{ marginLeft: 8 }}>
                      {d.clause}
                    </Typography.Text>
                  </Descriptions.Item>
                ))}
              </Descriptions>
            </Card>
          )}
        </div>
      )}
      {f.groups.length === 0 ? (
        <Empty />
      ) : (
        <Collapse
          defaultActiveKey={f.groups.map((g) => g.code)}
          items={f.groups.map((g) => ({
            key: g.code,
            label: (
              <Space size={6}>
                <span className="mono">{g.code}</span>
                <span className="strong-text">{g.name}</span>
                {!stars && g.weight !== undefined && <Tag color="geekblue">权重 {g.weight}</Tag>}
                <Typography.Text type="secondary" className="small-text">
                  {g.clause}
                </Typography.Text>
              </Space>
            ),
            children: <GroupBody group={g} measures={measures} stars={stars} />,
          }))}
        />
      )}
    </div>
  );
}
