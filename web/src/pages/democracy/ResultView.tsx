// The published result of a vote, shared by the phone page, the console drawer and the printable
// notice: general votes as options with votes, share and a bar; owners' decisions as the 民法典第278条
// figures (participation and agreement by headcount and exclusive area) with the reasons; elections
// (民主选举) as who was elected, ties at the last seat and unfilled seats, above the candidates' votes.
import { area, channelLabel, type VoteResult } from './api';
import type { ElectionOutcome } from './api2';

function Bar({ share, passed }: { share: number; passed: boolean }) {
  return (
    <div style={{ background: '#edf0f5', borderRadius: 4, height: 10, overflow: 'hidden' }} aria-hidden>
      <div style={{ width: `${Math.min(100, Math.max(0, share))}%`, height: '100%', background: passed ? '#389e0d' : '#1f5fbf' }} />
    </div>
  );
}

function Row({ label, value }: { label: string; value: string }) {
  return (
    <div
      style={{
        display: 'flex',
        flexWrap: 'wrap',
        justifyContent: 'space-between',
        columnGap: 12,
        padding: '4px 0',
        borderBottom: '1px dashed #e5e8ee',
      }}
    >
      <span>{label}</span>
      <strong style={{ textAlign: 'right', marginLeft: 'auto' }}>{value}</strong>
    </div>
  );
}

export function ResultView({ data, showChannels = true }: { data: VoteResult; showChannels?: boolean }) {
  const { result } = data;
  const channels = Object.entries(result.byChannel ?? {});
  const election = (result as { election?: ElectionOutcome }).election;
  return (
    <div data-testid="vote-result">
      {election && <ElectionOutcomeView e={election} />}
      {result.owners ? (
        <OwnersResult t={result.owners} />
      ) : result.general ? (
        <div>
          <Row label="应参与人数" value={String(result.general.eligible)} />
          <Row label="参与人数" value={`${result.general.participants}（${result.general.turnout.toFixed(2)}%）`} />
          <Row label="有效票" value={String(result.general.ballots)} />
          <Row
            label="参与率要求"
            value={
              result.general.quorumPercent === null
                ? '不设'
                : `${result.general.quorumPercent}%（${result.general.quorumMet ? '已达到' : '未达到'}）`
            }
          />
          <div style={{ marginTop: 12 }}>
            {result.general.options.map((o) => (
              <div key={o.key} style={{ marginBottom: 10 }} data-testid="vote-result-option">
                <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8 }}>
                  <span>
                    {o.label}
                    {result.general!.leaders.includes(o.key) && <span style={{ color: '#d46b08', marginLeft: 6 }}>最多</span>}
                    {o.passed && <span style={{ color: '#389e0d', marginLeft: 6 }}>通过</span>}
                  </span>
                  <span>
                    {o.votes}
                    {result.general!.method === 'ranking' ? ' 分' : ' 票'} · {o.share.toFixed(2)}%
                  </span>
                </div>
                <Bar share={o.share} passed={o.passed} />
              </div>
            ))}
          </div>
          <div style={{ color: '#6b778c', fontSize: 13 }}>计票规则：{result.general.rule}</div>
        </div>
      ) : (
        <div>暂无结果</div>
      )}
      {showChannels && channels.length > 0 && (
        <div style={{ color: '#6b778c', fontSize: 13, marginTop: 8 }}>
          参与渠道：{channels.map(([c, n]) => `${channelLabel(c)} ${n}`).join('，')}
        </div>
      )}
    </div>
  );
}

function OwnersResult({ t }: { t: NonNullable<VoteResult['result']['owners']> }) {
  return (
    <div data-testid="vote-owners-result">
      <div
        style={{
          fontSize: 22,
          fontWeight: 700,
          color: t.passed ? '#389e0d' : '#cf1322',
          marginBottom: 8,
        }}
        data-testid="vote-owners-verdict"
      >
        {t.passed ? '表决通过' : '表决未通过'}
        <span style={{ fontSize: 14, fontWeight: 400, color: '#6b778c', marginLeft: 8 }}>
          {t.matter === 'major' ? '重大事项（四分之三）' : '一般事项（过半数）'}
        </span>
      </div>
      <Row label="参与表决人数 / 业主总人数" value={`${t.participatingOwners} / ${t.totalOwners} 人`} />
      <Row label="参与表决面积 / 总面积" value={`${area(t.participatingArea)} / ${area(t.totalArea)}`} />
      <Row label="双三分之二参与" value={t.quorumMet ? '已达到' : '未达到'} />
      <Row label="同意人数" value={`${t.agreeOwners} 人`} />
      <Row label="同意面积" value={area(t.agreeArea)} />
      <Row label="不同意" value={`${t.disagreeOwners} 人，${area(t.disagreeArea)}`} />
      <Row label="弃权" value={`${t.abstainOwners} 人，${area(t.abstainArea)}`} />
      <Row label="结论" value={t.passed ? '通过' : '未通过'} />
      <ol style={{ paddingLeft: 20, margin: '12px 0 4px', fontSize: 14 }} data-testid="vote-owners-reasons">
        {t.reasons.map((r, i) => (
          <li key={i} style={{ marginBottom: 4 }}>
            {r}
          </li>
        ))}
      </ol>
      <div style={{ color: '#6b778c', fontSize: 13 }}>依据：{t.rule}</div>
    </div>
  );
}

function ElectionOutcomeView({ e }: { e: ElectionOutcome }) {
  return (
    <div data-testid="vote-election-result" style={{ marginBottom: 16 }}>
      <div
        style={{ fontSize: 20, fontWeight: 700, color: e.valid ? '#389e0d' : '#cf1322', marginBottom: 8 }}
        data-testid="vote-election-verdict"
      >
        {e.valid ? '选举有效' : '选举无效（参加投票人数未过半）'}
        <span style={{ fontSize: 14, fontWeight: 400, color: '#6b778c', marginLeft: 8 }}>应选 {e.seats} 名</span>
      </div>
      <Row label="选民总数" value={`${e.eligible} 人`} />
      <Row label="参加投票人数" value={`${e.participants} 人`} />
      <Row label="当选" value={e.elected.length ? e.elected.map((x) => `${x.label}（${x.votes} 票）`).join('、') : '无人当选'} />
      {e.tiedAtCut.length > 0 && (
        <Row label="末位得票相等（另行选举）" value={e.tiedAtCut.map((x) => `${x.label}（${x.votes} 票）`).join('、')} />
      )}
      {e.unfilled > 0 && <Row label="未选足名额" value={`${e.unfilled} 名，另行选举`} />}
      <div style={{ color: '#6b778c', fontSize: 13, marginTop: 4 }}>当选规则：{e.rule}</div>
      <div style={{ fontWeight: 600, marginTop: 12 }}>候选人得票</div>
    </div>
  );
}
