// 居民报事 without an account: reached from a 数字门牌 QR (community + plate) or directly (current
// position). A phone number is required; the answer is the event number and the 查询码.
import { Alert, Button, Input } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { publicGridApi, type PublicReportBody } from '../pages/grid/api';
import { ReportForm } from './ReportForm';
import './mobile.css';

interface Done {
  number: string;
  trackingCode: string;
  statusLabel: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default function MobileReportPage() {
  const [params] = useSearchParams();
  const community = params.get('community');
  const plate = params.get('plate');
  const validCommunity = community && UUID.test(community) ? community : null;
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [done, setDone] = useState<Done | null>(null);
  // The plate's public page data: the address and community (nothing personal).
  const [place, setPlace] = useState<{ address: string; community: string } | null>(null);
  useEffect(() => {
    if (!validCommunity || !plate) return;
    let live = true;
    fetch(`/api/plates/${validCommunity}/${encodeURIComponent(plate)}`)
      .then((r) => (r.ok ? (r.json() as Promise<{ address: string; community: string }>) : null))
      .then((p) => live && setPlace(p))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [validCommunity, plate]);

  if (done) {
    return (
      <div className="m-page">
        <div className="m-header">报事成功</div>
        <div className="m-body" data-testid="m-report-done">
          <div className="m-card">
            <Alert type="success" showIcon title="您的问题已提交，我们会尽快处理" />
            <p style={{ marginTop: 16 }}>
              事件编号：
              <span className="mono" data-testid="m-report-number">
                {done.number}
              </span>
            </p>
            <p>当前状态：{done.statusLabel}</p>
            <span className="m-label">查询码</span>
            <div className="m-code" data-testid="m-tracking-code">
              {done.trackingCode}
            </div>
            <p className="m-muted">请保存查询码（截图或抄下）。凭查询码和手机号可随时查看办理进度，办结后也可在此评价。</p>
            <Link to={`/m/track?code=${encodeURIComponent(done.trackingCode)}`}>
              <Button type="primary" size="large" block className="m-big-button">
                查看办理进度
              </Button>
            </Link>
          </div>
        </div>
      </div>
    );
  }

  const phoneOk = /^1\d{10}$/.test(phone.trim()) || /^[0-9-]{5,30}$/.test(phone.trim());

  return (
    <div className="m-page">
      <div className="m-header">
        <span>我要报事</span>
        <Link to="/m/track" style={{ color: '#fff', fontSize: 15, fontWeight: 400 }}>
          查进度
        </Link>
      </div>
      <div className="m-body">
        <ReportForm
          locationNote={
            validCommunity && plate ? (
              <span data-testid="m-report-place">
                {place ? (
                  <>
                    {place.community} · {place.address}
                  </>
                ) : (
                  <>
                    门牌编号 <span className="mono">{plate}</span>（扫码所在楼栋/房屋）
                  </>
                )}
              </span>
            ) : null
          }
          needsPosition={!validCommunity}
          submitText="提交报事"
          extra={
            <div className="m-card">
              <label className="m-label" htmlFor="m-name">
                称呼（选填）
              </label>
              <Input id="m-name" size="large" maxLength={40} value={name} onChange={(e) => setName(e.target.value)} data-testid="m-name" />
              <label className="m-label" htmlFor="m-phone" style={{ marginTop: 12 }}>
                手机号（必填，用于回访和查询）
              </label>
              <Input
                id="m-phone"
                size="large"
                type="tel"
                inputMode="tel"
                maxLength={30}
                value={phone}
                onChange={(e) => setPhone(e.target.value)}
                data-testid="m-phone"
                status={phone && !phoneOk ? 'error' : undefined}
              />
            </div>
          }
          onSubmit={async (draft) => {
            if (!phoneOk) throw new Error('请填写正确的手机号');
            const body: PublicReportBody = {
              categoryCode: draft.categoryCode,
              description: draft.description,
              reporterPhone: phone.trim(),
            };
            if (draft.photos.length) body.photos = draft.photos;
            if (name.trim()) body.reporterName = name.trim();
            if (validCommunity && plate) body.plate = { communityId: validCommunity, code: plate };
            else if (validCommunity) body.regionId = validCommunity;
            if (draft.lng !== undefined && draft.lat !== undefined) {
              body.lng = draft.lng;
              body.lat = draft.lat;
            }
            const r = await publicGridApi.report(body);
            setDone({ number: r.number, trackingCode: r.trackingCode, statusLabel: r.statusLabel });
            window.scrollTo(0, 0);
          }}
        />
      </div>
    </div>
  );
}
