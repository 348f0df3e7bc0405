// 结果公告: a clean A4 page of a vote's published result, for printing and posting — community, title,
// matter, period, electorate, participation, the per-option results or the 民法典第278条 figures with
// their reasons, the publication time, 特此公告 and the community's name.
import { PrinterOutlined } from '@ant-design/icons';
import { Alert, Button, Spin } from 'antd';
import { useEffect, useState } from 'react';
import { useParams } from 'react-router-dom';
import { errorText } from '../../api/client';
import { regionApi } from '../../api/endpoints';
import { formatTime } from '../../lib/time';
import { channelLabel, democracyApi, turnoutText, type VoteResult } from './api';
import { ResultView } from './ResultView';

const PRINT_CSS = `
@page { size: A4; margin: 18mm 16mm; }
@media print { .vote-notice-toolbar { display: none !important; } body { background: #fff !important; } .vote-notice { box-shadow: none !important; margin: 0 !important; } }
.vote-notice { width: 210mm; min-height: 297mm; box-sizing: border-box; margin: 16px auto; padding: 20mm 18mm; background: #fff;
  box-shadow: 0 0 8px rgba(0,0,0,.15); color: #111; font-size: 15px; line-height: 1.8; }
.vote-notice h1 { text-align: center; font-size: 24px; margin: 0 0 4px; letter-spacing: 2px; }
.vote-notice h2 { text-align: center; font-size: 18px; margin: 0 0 20px; font-weight: 600; }
.vote-notice table { width: 100%; border-collapse: collapse; margin: 8px 0 16px; }
.vote-notice td { border: 1px solid #999; padding: 4px 8px; vertical-align: top; }
.vote-notice td:first-child { width: 30%; background: #fafafa; }
`;

export default function NoticePage() {
  const { id = '' } = useParams();
  const [data, setData] = useState<VoteResult | null>(null);
  const [community, setCommunity] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    democracyApi
      .result(id)
      .then((r) => {
        if (cancelled) return;
        setData(r);
        regionApi
          .get(r.vote.communityId)
          .then((c) => !cancelled && setCommunity(c.name))
          .catch(() => undefined);
      })
      .catch((err: unknown) => !cancelled && setError(errorText(err)));
    return () => {
      cancelled = true;
    };
  }, [id]);

  if (error)
    return (
      <div className="center-pad">
        <Alert type="error" title={error} />
      </div>
    );
  if (!data)
    return (
      <div className="center-pad">
        <Spin />
      </div>
    );
  const v = data.vote;
  const name = community ?? '';
  return (
    <div style={{ background: '#f0f2f5', minHeight: '100vh', padding: '1px 0' }}>
      <style>{PRINT_CSS}</style>
      <div className="vote-notice-toolbar" style={{ textAlign: 'center', paddingTop: 16 }}>
        <Button type="primary" icon={<PrinterOutlined />} onClick={() => window.print()}>
          打印
        </Button>
      </div>
      <div className="vote-notice" data-testid="vote-notice">
        <h1>{name}</h1>
        <h2>
          关于“{v.title}”{v.kind === 'owners' ? '表决' : '投票'}结果的公告
        </h2>
        <table>
          <tbody>
            <tr>
              <td>事项</td>
              <td>
                {v.title}
                {v.ownerMatterLabel && (
                  <div>
                    表决事项：{v.ownerMatterLabel}（{v.matter === 'major' ? '重大事项，需四分之三以上同意' : '一般事项，需过半数同意'}）
                  </div>
                )}
              </td>
            </tr>
            <tr>
              <td>类型</td>
              <td>
                {v.kindLabel}，{v.methodLabel}，{v.secret ? '无记名投票' : '记名投票'}
              </td>
            </tr>
            <tr>
              <td>投票时间</td>
              <td>
                {formatTime(v.opensAt, 'YYYY年MM月DD日 HH:mm')} 至 {formatTime(v.closesAt, 'YYYY年MM月DD日 HH:mm')}
              </td>
            </tr>
            <tr>
              <td>投票范围</td>
              <td>
                {v.eligibilityLabel}，共 {v.eligibleCount ?? '—'} {v.kind === 'owners' ? '户（名）' : '人'}
              </td>
            </tr>
            <tr>
              <td>参与情况</td>
              <td>
                {turnoutText(data.result.participants, v.eligibleCount)}
                {Object.keys(data.result.byChannel ?? {}).length > 0 && (
                  <div>
                    其中：
                    {Object.entries(data.result.byChannel)
                      .map(([c, n]) => `${channelLabel(c)} ${n}`)
                      .join('，')}
                  </div>
                )}
              </td>
            </tr>
          </tbody>
        </table>
        <div style={{ fontWeight: 600, marginBottom: 4 }}>表决结果</div>
        <ResultView data={data} showChannels={false} />
        <p style={{ marginTop: 24 }}>结果公布时间：{formatTime(v.closedAt ?? data.result.computedAt, 'YYYY年MM月DD日 HH:mm')}</p>
        <p style={{ textIndent: '2em' }}>特此公告。</p>
        <div style={{ textAlign: 'right', marginTop: 32 }}>
          <div>{name}</div>
          <div>{formatTime(v.closedAt ?? data.result.computedAt, 'YYYY年MM月DD日')}</div>
        </div>
      </div>
    </div>
  );
}
