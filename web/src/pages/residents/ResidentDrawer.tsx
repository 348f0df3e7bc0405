// A resident's detail: every field, current homes (迁出 from one), the audited 查看完整信息, and 编辑.
import { EditOutlined, EyeOutlined, HistoryOutlined, HomeOutlined, LogoutOutlined, ReloadOutlined } from '@ant-design/icons';
import { Alert, App, Button, DatePicker, Descriptions, Drawer, Empty, Form, Modal, Space, Spin, Tag, Tooltip, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { errorText } from '../../api/client';
import { residencyApi, residentApi } from '../../api/endpoints';
import type { ResidentDetail, ResidentHome, ResidentReveal } from '../../api/types';
import { useAuth } from '../../auth/context';
import { DISABILITY_GRADE_LABEL, genderLabel, idTypeLabel, relationLabel, RESIDENT_STATUS_LABEL } from '../../lib/registry';
import { formatTime, todayInZone } from '../../lib/time';
import { useRegions } from '../../regions/context';
import { HukouTag, placeName, TagList } from '../registry/shared';
import { TimelinePanel } from '../registry/TimelinePanel';
import { ResidentFormModal, type ResidentFormTarget } from './ResidentFormModal';

type Loaded = { key: string; detail: ResidentDetail; error: null } | { key: string; detail: null; error: string };

function MoveOutModal({ home, onClose, onDone }: { home: ResidentHome | null; onClose: () => void; onDone: () => void }) {
  const { message } = App.useApp();
  const [form] = Form.useForm<{ movedOutOn: Dayjs }>();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const today = dayjs(todayInZone());

  const submit = async () => {
    if (!home) return;
    const v = await form.validateFields();
    setSaving(true);
    setError(null);
    try {
      await residencyApi.moveOut(home.residencyId, v.movedOutOn.format('YYYY-MM-DD'));
      message.success('已登记迁出');
      onDone();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      title="登记迁出"
      open={home !== null}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
      okText="确认迁出"
      okButtonProps={{ danger: true }}
      confirmLoading={saving}
      destroyOnHidden
      afterClose={() => setError(null)}
      width={480}
    >
      {home && (
        <Form form={form} layout="vertical" initialValues={{ movedOutOn: today }} preserve={false} data-testid="move-out-form">
          {error && <Alert type="error" showIcon title={error} className="form-alert" />}
          <p>
            <Typography.Text type="secondary">房屋：</Typography.Text>
            {home.address}
          </p>
          <Form.Item
            name="movedOutOn"
            label="迁出日期"
            rules={[{ required: true, message: '请选择迁出日期' }]}
            extra={home.movedInOn ? `入住日期 ${home.movedInOn}，迁出日期不能早于入住日期` : undefined}
          >
            <DatePicker
              className="full-width"
              disabledDate={(d) => d.isAfter(today, 'day') || (home.movedInOn ? d.isBefore(dayjs(home.movedInOn), 'day') : false)}
            />
          </Form.Item>
        </Form>
      )}
    </Modal>
  );
}

export function ResidentDrawer({
  residentId,
  onClose,
  onChanged,
}: {
  residentId: string | null;
  onClose: () => void;
  /** Something was saved (the lists showing this resident may be out of date). */
  onChanged?: () => void;
}) {
  const { can } = useAuth();
  const { index } = useRegions();
  const { modal, message } = App.useApp();
  const [version, setVersion] = useState(0);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [revealed, setRevealed] = useState<{ id: string; data: ResidentReveal } | null>(null);
  const [formTarget, setFormTarget] = useState<ResidentFormTarget | null>(null);
  const [movingOut, setMovingOut] = useState<ResidentHome | null>(null);

  const key = `${residentId ?? ''}#${version}`;
  useEffect(() => {
    if (!residentId) return;
    const ctrl = new AbortController();
    residentApi
      .get(residentId, ctrl.signal)
      .then((detail) => setLoaded({ key, detail, error: null }))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setLoaded({ key, detail: null, error: errorText(err) });
      });
    return () => ctrl.abort();
  }, [key, residentId]);

  const current = loaded?.key === key ? loaded : null;
  // While refreshing the same resident, keep showing what was there.
  const detail = current?.detail ?? (loaded?.detail?.id === residentId ? loaded.detail : null);
  const full = revealed && revealed.id === residentId ? revealed.data : null;
  const writable = can('registry.write');
  const refresh = () => setVersion((v) => v + 1);

  const confirmReveal = (d: ResidentDetail) => {
    modal.confirm({
      title: '查看完整信息',
      content: (
        <div data-testid="reveal-confirm">
          <p>将显示「{d.name}」的完整证件号码和联系电话。</p>
          <p>本次查看将被记录（操作人、时间、查看对象），请仅在工作需要时查看，不得截屏外传。</p>
        </div>
      ),
      okText: '确认查看',
      cancelText: '取消',
      onOk: async () => {
        try {
          const data = await residentApi.reveal(d.id);
          setRevealed({ id: d.id, data });
        } catch (err) {
          message.error(errorText(err));
        }
      },
    });
  };

  // `homes` should hold only current residencies; ended ones are kept apart in case the server sends them.
  const homes = (detail?.homes ?? []).filter((h) => !h.movedOutOn);
  const pastHomes = (detail?.homes ?? []).filter((h) => h.movedOutOn);

  return (
    <Drawer
      title={
        detail ? (
          <Space size={8}>
            <span data-testid="resident-drawer-name">{detail.name}</span>
            <HukouTag hukou={detail.hukou} />
          </Space>
        ) : (
          '居民详情'
        )
      }
      open={residentId !== null}
      onClose={onClose}
      size={640}
      destroyOnHidden
      afterOpenChange={(open) => {
        if (!open) setRevealed(null);
      }}
      extra={
        detail && (
          <Space>
            {can('registry.reveal') && (
              <Tooltip title={full ? '已显示完整信息' : '显示完整的证件号码和联系电话（查看将被记录）'}>
                <Button icon={<EyeOutlined />} disabled={!!full} onClick={() => confirmReveal(detail)} data-testid="resident-reveal">
                  查看完整信息
                </Button>
              </Tooltip>
            )}
            {writable && (
              <Button
                type="primary"
                icon={<EditOutlined />}
                onClick={() => setFormTarget({ mode: 'edit', resident: detail, revealed: full })}
                data-testid="resident-edit"
              >
                编辑
              </Button>
            )}
            <Tooltip title="刷新">
              <Button icon={<ReloadOutlined />} onClick={refresh} aria-label="刷新" />
            </Tooltip>
          </Space>
        )
      }
    >
      <div data-testid="resident-detail" data-resident-id={detail?.id}>
        {current?.error ? (
          <Alert type="error" showIcon title="居民详情加载失败" description={current.error} />
        ) : !detail ? (
          <div className="center-pad">
            <Spin />
          </div>
        ) : (
          <>
            <Descriptions
              column={2}
              bordered
              size="small"
              styles={{ label: { width: 96, whiteSpace: 'nowrap' } }}
              items={[
                { key: 'name', label: '姓名', children: detail.name },
                { key: 'gender', label: '性别', children: genderLabel(detail.gender) },
                { key: 'birth', label: '出生日期', children: detail.birthDate ?? '—' },
                { key: 'age', label: '年龄', children: detail.age !== null ? `${detail.age} 岁` : '—' },
                { key: 'idType', label: '证件类型', children: idTypeLabel(detail.idType), span: 2 },
                {
                  key: 'idNumber',
                  label: '证件号码',
                  span: 2,
                  children: (
                    <Space size={6}>
                      <Typography.Text className="mono" copyable={full ? { text: full.idNumber } : false} data-testid="resident-id-number">
                        {full ? full.idNumber : detail.idNumber}
                      </Typography.Text>
                      {full && (
                        <Tag color="warning" variant="outlined">
                          完整信息
                        </Tag>
                      )}
                    </Space>
                  ),
                },
                {
                  key: 'phone',
                  label: '联系电话',
                  span: 2,
                  children: (
                    <Typography.Text className="mono" data-testid="resident-phone">
                      {(full ? full.phone : detail.phone) ?? '—'}
                    </Typography.Text>
                  ),
                },
                { key: 'hukou', label: '户籍', children: <HukouTag hukou={detail.hukou} /> },
                { key: 'status', label: '状态', children: RESIDENT_STATUS_LABEL[detail.status] ?? detail.status },
                { key: 'hukouAddress', label: '户籍地址', span: 2, children: detail.hukouAddress ?? '—' },
                { key: 'tags', label: '人员标签', span: 2, children: <TagList tags={detail.tags} empty="无" /> },
                ...(detail.tags.includes('disabled')
                  ? [
                      {
                        key: 'grade',
                        label: '残疾等级',
                        span: 2,
                        children: detail.disabilityGrade ? DISABILITY_GRADE_LABEL[detail.disabilityGrade] : '未填',
                      },
                    ]
                  : []),
                { key: 'place', label: '所属区划', span: 2, children: placeName(index, detail.communityId, detail.gridId) },
                { key: 'note', label: '备注', span: 2, children: detail.note ?? '—' },
                { key: 'created', label: '登记时间', children: formatTime(detail.createdAt, 'YYYY-MM-DD HH:mm') },
                { key: 'updated', label: '更新时间', children: formatTime(detail.updatedAt, 'YYYY-MM-DD HH:mm') },
              ]}
            />

            <div className="section-label drawer-section">
              <HomeOutlined /> 现住房屋（{homes.length}）
            </div>
            {homes.length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="暂无在住房屋" />
            ) : (
              <div className="home-list" data-testid="resident-homes">
                {homes.map((h) => (
                  <div key={h.residencyId} className="home-item">
                    <div className="home-main">
                      <div className="home-address">{h.address}</div>
                      <Space size={6} wrap className="home-meta">
                        <Tag color={h.relation === 'owner' ? 'blue' : h.relation === 'tenant' ? 'orange' : 'default'}>
                          {relationLabel(h.relation)}
                        </Tag>
                        {h.householdHead && <Tag color="gold">户主</Tag>}
                        <Typography.Text type="secondary" className="small-text">
                          入住日期：{h.movedInOn ?? '未填'}
                        </Typography.Text>
                      </Space>
                    </div>
                    {writable && (
                      <Button size="small" icon={<LogoutOutlined />} onClick={() => setMovingOut(h)} data-testid="home-move-out">
                        迁出
                      </Button>
                    )}
                  </div>
                ))}
              </div>
            )}
            {pastHomes.length > 0 && (
              <>
                <div className="section-label drawer-section">曾住房屋（{pastHomes.length}）</div>
                <div className="home-list" data-testid="resident-past-homes">
                  {pastHomes.map((h) => (
                    <div key={h.residencyId} className="home-item is-past">
                      <div className="home-main">
                        <div className="home-address">{h.address}</div>
                        <Space size={6} wrap className="home-meta">
                          <Tag>{relationLabel(h.relation)}</Tag>
                          <Typography.Text type="secondary" className="small-text">
                            {h.movedInOn ?? '未填'} 入住，{h.movedOutOn} 迁出
                          </Typography.Text>
                        </Space>
                      </div>
                    </div>
                  ))}
                </div>
              </>
            )}

            <div className="section-label drawer-section">
              <HistoryOutlined /> 时间线
            </div>
            <TimelinePanel
              subject="resident"
              id={detail.id}
              version={version}
              emptyText="暂无记录（登记、迁入迁出、加入组织等会记在这里）"
            />
          </>
        )}
      </div>
      <ResidentFormModal
        target={formTarget}
        onClose={() => setFormTarget(null)}
        onSaved={() => {
          setFormTarget(null);
          setRevealed(null);
          refresh();
          onChanged?.();
        }}
      />
      <MoveOutModal
        home={movingOut}
        onClose={() => setMovingOut(null)}
        onDone={() => {
          setMovingOut(null);
          refresh();
          onChanged?.();
        }}
      />
    </Drawer>
  );
}
