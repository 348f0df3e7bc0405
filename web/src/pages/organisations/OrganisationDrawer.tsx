// One organisation: its facts, its members (在任 / 已退出), 增加成员 (a registered resident or a
// person known by name only), 退出 with a date, and 编辑.
import { EditOutlined, LogoutOutlined, PlusOutlined, ReloadOutlined, TeamOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  AutoComplete,
  Button,
  Col,
  DatePicker,
  Descriptions,
  Drawer,
  Form,
  Input,
  Modal,
  Radio,
  Row,
  Segmented,
  Space,
  Spin,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import type { TableColumnsType } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { errorText } from '../../api/client';
import { organisationApi } from '../../api/endpoints';
import type { MemberCreate, OrganisationDetail, OrganisationMember } from '../../api/types';
import { useAuth } from '../../auth/context';
import { applyServerErrors } from '../../lib/formErrors';
import { organisationKindColor } from '../../lib/registry';
import { todayInZone } from '../../lib/time';
import { useRegions } from '../../regions/context';
import { ResidentPicker } from '../registry/ResidentPicker';
import { placeName } from '../registry/shared';
import { ResidentDrawer } from '../residents/ResidentDrawer';
import { OrganisationFormModal, type OrganisationFormTarget } from './OrganisationFormModal';

type Loaded = { key: string; detail: OrganisationDetail; error: null } | { key: string; detail: null; error: string };

/** Positions offered by kind (any other text may be typed). */
const POSITIONS: Record<string, string[]> = {
  party: ['书记', '副书记', '组织委员', '宣传委员', '纪检委员', '委员', '党员'],
  residents_committee: ['主任', '副主任', '委员', '成员'],
  supervisory_committee: ['主任', '委员', '成员'],
  owners_committee: ['主任', '副主任', '委员'],
  property_company: ['项目经理', '客服主管', '保安队长', '维修工', '保洁员', '员工'],
  volunteer_team: ['队长', '副队长', '志愿者'],
};
const DEFAULT_POSITIONS = ['负责人', '联系人', '成员'];

interface MemberValues {
  who: 'resident' | 'other';
  residentId?: string;
  name?: string;
  position?: string;
  joinedOn?: Dayjs | null;
}

function AddMemberForm({
  organisation,
  onCancel,
  onAdded,
}: {
  organisation: OrganisationDetail;
  onCancel: () => void;
  onAdded: (m: OrganisationMember) => void;
}) {
  const { message } = App.useApp();
  const [form] = Form.useForm<MemberValues>();
  const who = Form.useWatch('who', form) ?? 'resident';
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const today = dayjs(todayInZone());

  const submit = async () => {
    const v = await form.validateFields();
    setSaving(true);
    setError(null);
    try {
      const body: MemberCreate = {
        ...(v.who === 'resident' ? { residentId: v.residentId! } : { name: v.name!.trim() }),
        ...(v.position?.trim() ? { position: v.position.trim() } : {}),
        ...(v.joinedOn ? { joinedOn: v.joinedOn.format('YYYY-MM-DD') } : {}),
      };
      const m = await organisationApi.addMember(organisation.id, body);
      message.success(`已增加成员 ${m.name}`);
      onAdded(m);
    } catch (err) {
      setError(applyServerErrors(form, err, ['residentId', 'name', 'position', 'joinedOn']));
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className="inline-form">
      <Form
        form={form}
        layout="vertical"
        initialValues={{ who: 'resident', joinedOn: today }}
        preserve={false}
        autoComplete="off"
        data-testid="member-form"
      >
        {error && <Alert type="error" showIcon title={error} className="form-alert" />}
        <Form.Item name="who" label="成员">
          <Radio.Group
            optionType="button"
            options={[
              { value: 'resident', label: '登记在册的居民' },
              { value: 'other', label: '非本社区居民（填写姓名）' },
            ]}
          />
        </Form.Item>
        <Row gutter={12}>
          <Col span={24}>
            {who === 'resident' ? (
              <Form.Item name="residentId" label="居民" rules={[{ required: true, message: '请搜索并选择居民' }]}>
                <ResidentPicker communityId={organisation.communityId} testId="member-resident" />
              </Form.Item>
            ) : (
              <Form.Item
                name="name"
                label="姓名"
                rules={[
                  { required: true, whitespace: true, message: '请输入姓名' },
                  { max: 40, message: '不能超过 40 个字' },
                ]}
              >
                <Input maxLength={40} data-testid="member-name" />
              </Form.Item>
            )}
          </Col>
          <Col span={12}>
            <Form.Item name="position" label="职务" rules={[{ max: 30, message: '不能超过 30 个字' }]} extra="不填则为“成员”">
              <AutoComplete
                options={(POSITIONS[organisation.kind] ?? DEFAULT_POSITIONS).map((p) => ({ value: p }))}
                filterOption={(input, option) => (option?.value ?? '').includes(input)}
                maxLength={30}
                placeholder="如 委员"
              />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="joinedOn" label="加入日期">
              <DatePicker className="full-width" disabledDate={(d) => d.isAfter(today, 'day')} />
            </Form.Item>
          </Col>
        </Row>
        <div className="inline-form-actions">
          <Button onClick={onCancel}>取消</Button>
          <Button type="primary" loading={saving} onClick={() => void submit().catch(() => undefined)} data-testid="member-save">
            保存
          </Button>
        </div>
      </Form>
    </div>
  );
}

function LeaveModal({ member, onClose, onDone }: { member: OrganisationMember | null; onClose: () => void; onDone: () => void }) {
  const { message } = App.useApp();
  const [form] = Form.useForm<{ leftOn: Dayjs }>();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const today = dayjs(todayInZone());

  const submit = async () => {
    if (!member) return;
    const v = await form.validateFields();
    setSaving(true);
    setError(null);
    try {
      await organisationApi.endMember(member.id, v.leftOn.format('YYYY-MM-DD'));
      message.success(`已登记 ${member.name} 退出`);
      onDone();
    } catch (err) {
      setError(applyServerErrors(form, err, ['leftOn']));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      title="登记退出"
      open={member !== null}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
      okText="确认退出"
      okButtonProps={{ danger: true }}
      confirmLoading={saving}
      destroyOnHidden
      afterClose={() => setError(null)}
      width={440}
    >
      {member && (
        <Form form={form} layout="vertical" initialValues={{ leftOn: today }} preserve={false} data-testid="member-leave-form">
          {error && <Alert type="error" showIcon title={error} className="form-alert" />}
          <p>
            {member.name}（{member.position}）
          </p>
          <Form.Item
            name="leftOn"
            label="退出日期"
            rules={[{ required: true, message: '请选择退出日期' }]}
            extra={member.joinedOn ? `加入日期 ${member.joinedOn}，退出日期不能早于加入日期` : undefined}
          >
            <DatePicker
              className="full-width"
              disabledDate={(d) => d.isAfter(today, 'day') || (member.joinedOn ? d.isBefore(dayjs(member.joinedOn), 'day') : false)}
            />
          </Form.Item>
        </Form>
      )}
    </Modal>
  );
}

export function OrganisationDrawer({
  organisationId,
  onClose,
  onChanged,
}: {
  organisationId: string | null;
  onClose: () => void;
  /** Something was saved (the list's counts may be out of date). */
  onChanged: () => void;
}) {
  const { can } = useAuth();
  const { index } = useRegions();
  const [version, setVersion] = useState(0);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [tab, setTab] = useState<'current' | 'past'>('current');
  const [adding, setAdding] = useState(false);
  const [leaving, setLeaving] = useState<OrganisationMember | null>(null);
  const [formTarget, setFormTarget] = useState<OrganisationFormTarget | null>(null);
  const [residentId, setResidentId] = useState<string | null>(null);

  const key = `${organisationId ?? ''}#${version}`;
  useEffect(() => {
    if (!organisationId) return;
    const ctrl = new AbortController();
    organisationApi
      .get(organisationId, ctrl.signal)
      .then((detail) => setLoaded({ key, detail, error: null }))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setLoaded({ key, detail: null, error: errorText(err) });
      });
    return () => ctrl.abort();
  }, [key, organisationId]);

  const current = loaded?.key === key ? loaded : null;
  const detail = current?.detail ?? (loaded?.detail?.id === organisationId ? loaded.detail : null);
  const writable = can('registry.write');
  const changed = () => {
    setVersion((v) => v + 1);
    onChanged();
  };

  const members = detail?.memberList ?? [];
  const active = members.filter((m) => !m.leftOn);
  const past = members.filter((m) => m.leftOn).sort((a, b) => (b.leftOn ?? '').localeCompare(a.leftOn ?? ''));
  const shown = tab === 'current' ? active : past;

  const columns: TableColumnsType<OrganisationMember> = [
    {
      title: '姓名',
      dataIndex: 'name',
      width: 140,
      render: (name: string, m) =>
        m.residentId ? (
          <Space size={4}>
            <Typography.Link onClick={() => setResidentId(m.residentId)}>{name}</Typography.Link>
            <Tooltip title="登记在册的居民，点击查看">
              <Tag color="blue" variant="outlined" className="resident-tag">
                居民
              </Tag>
            </Tooltip>
          </Space>
        ) : (
          name
        ),
    },
    { title: '职务', dataIndex: 'position', width: 110 },
    { title: '加入日期', dataIndex: 'joinedOn', width: 110, render: (v: string | null) => v ?? '—' },
    ...(tab === 'past'
      ? [{ title: '退出日期', dataIndex: 'leftOn', width: 110, render: (v: string | null) => v ?? '—' }]
      : writable
        ? [
            {
              title: '操作',
              key: 'actions',
              width: 80,
              render: (_: unknown, m: OrganisationMember) => (
                <Button size="small" icon={<LogoutOutlined />} onClick={() => setLeaving(m)} data-testid="member-leave">
                  退出
                </Button>
              ),
            },
          ]
        : []),
  ];

  return (
    <Drawer
      title={
        detail ? (
          <Space size={8}>
            <span data-testid="organisation-drawer-name">{detail.name}</span>
            <Tag color={organisationKindColor(detail.kind)}>{detail.kindLabel}</Tag>
          </Space>
        ) : (
          '组织详情'
        )
      }
      open={organisationId !== null}
      onClose={onClose}
      size={720}
      destroyOnHidden
      afterOpenChange={(open) => {
        if (!open) {
          setAdding(false);
          setTab('current');
        }
      }}
      extra={
        detail && (
          <Space>
            {writable && (
              <Button
                type="primary"
                icon={<EditOutlined />}
                onClick={() => setFormTarget({ mode: 'edit', organisation: detail })}
                data-testid="organisation-edit"
              >
                编辑
              </Button>
            )}
            <Tooltip title="刷新">
              <Button icon={<ReloadOutlined />} onClick={() => setVersion((v) => v + 1)} aria-label="刷新" />
            </Tooltip>
          </Space>
        )
      }
    >
      <div data-testid="organisation-detail" data-organisation-id={detail?.id}>
        {current?.error ? (
          <Alert type="error" showIcon title="组织详情加载失败" description={current.error} />
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
              styles={{ label: { width: 120, whiteSpace: 'nowrap' } }}
              items={[
                { key: 'name', label: '名称', span: 2, children: detail.name },
                { key: 'kind', label: '组织类型', children: detail.kindLabel },
                { key: 'established', label: '成立日期', children: detail.establishedOn ?? '—' },
                {
                  key: 'credit',
                  label: '统一社会信用代码',
                  span: 2,
                  children: detail.creditCode ? (
                    <Typography.Text className="mono" copyable>
                      {detail.creditCode}
                    </Typography.Text>
                  ) : (
                    '—'
                  ),
                },
                { key: 'contact', label: '联系人', children: detail.contactName ?? '—' },
                {
                  key: 'phone',
                  label: '联系电话',
                  children: detail.contactPhone ? <span className="mono">{detail.contactPhone}</span> : '—',
                },
                { key: 'address', label: '地址', span: 2, children: detail.address ?? '—' },
                { key: 'place', label: '所属社区', span: 2, children: placeName(index, detail.communityId, null) },
                { key: 'note', label: '备注', span: 2, children: detail.note ?? '—' },
              ]}
            />
            <div className="section-head">
              <Space size={12}>
                <span className="section-label">
                  <TeamOutlined /> 成员
                </span>
                <Segmented
                  size="small"
                  value={tab}
                  onChange={(v) => setTab(v as 'current' | 'past')}
                  options={[
                    { value: 'current', label: `在任（${active.length}）` },
                    { value: 'past', label: `已退出（${past.length}）` },
                  ]}
                  data-testid="member-tabs"
                />
              </Space>
              {writable && !adding && (
                <Button size="small" icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="member-add-open">
                  增加成员
                </Button>
              )}
            </div>
            {adding && (
              <AddMemberForm
                organisation={detail}
                onCancel={() => setAdding(false)}
                onAdded={() => {
                  setAdding(false);
                  setTab('current');
                  changed();
                }}
              />
            )}
            <div data-testid="member-table">
              <Table<OrganisationMember>
                rowKey="id"
                size="small"
                dataSource={shown}
                columns={columns}
                pagination={shown.length > 20 ? { defaultPageSize: 20, showSizeChanger: false } : false}
                locale={{ emptyText: tab === 'current' ? '暂无在任成员' : '暂无已退出的成员' }}
              />
            </div>
          </>
        )}
      </div>
      <OrganisationFormModal
        target={formTarget}
        onClose={() => setFormTarget(null)}
        onSaved={() => {
          setFormTarget(null);
          changed();
        }}
      />
      <LeaveModal
        member={leaving}
        onClose={() => setLeaving(null)}
        onDone={() => {
          setLeaving(null);
          changed();
        }}
      />
      {/* Inside the drawer so that it opens above it. */}
      <ResidentDrawer residentId={residentId} onClose={() => setResidentId(null)} />
    </Drawer>
  );
}
