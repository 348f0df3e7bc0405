// One room: its facts, who lives there now (found by its standard address), and 登记入住.
import { HistoryOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Checkbox, Col, DatePicker, Descriptions, Form, Modal, Row, Select, Table, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { errorText } from '../../api/client';
import { residencyApi, residentApi } from '../../api/endpoints';
import type { BuildingRoom, Page, Relation, Resident } from '../../api/types';
import { useAuth } from '../../auth/context';
import { applyServerErrors } from '../../lib/formErrors';
import { genderLabel, RELATION_LABEL, ROOM_USE_LABEL, labelOf } from '../../lib/registry';
import { todayInZone } from '../../lib/time';
import { ResidentPicker } from '../registry/ResidentPicker';
import { PlateLink, roomSearchText, TagList } from '../registry/shared';
import { TimelinePanel } from '../registry/TimelinePanel';
import { ResidentDrawer } from '../residents/ResidentDrawer';

type Loaded = { key: string; data: Page<Resident>; error: null } | { key: string; data: null; error: string };

interface MoveInValues {
  residentId: string;
  relation: Relation;
  householdHead: boolean;
  movedInOn?: Dayjs | null;
}

export function RoomModal({
  room,
  buildingLabel,
  onClose,
  onChanged,
}: {
  room: BuildingRoom | null;
  buildingLabel: string;
  onClose: () => void;
  /** A residency was added or ended: occupancy counts changed. */
  onChanged: () => void;
}) {
  const { can } = useAuth();
  const { message } = App.useApp();
  const [form] = Form.useForm<MoveInValues>();
  const [version, setVersion] = useState(0);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [adding, setAdding] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [residentId, setResidentId] = useState<string | null>(null);

  const key = `${room?.id ?? ''}#${version}`;
  useEffect(() => {
    if (!room) return;
    const ctrl = new AbortController();
    residentApi
      .list({ q: roomSearchText(room.address), pageSize: 50 }, ctrl.signal)
      .then((data) => setLoaded({ key, data, error: null }))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setLoaded({ key, data: null, error: errorText(err) });
      });
    return () => ctrl.abort();
  }, [key, room]);

  const current = loaded?.key === key ? loaded : null;
  const writable = can('registry.write');

  const moveIn = async () => {
    if (!room) return;
    const v = await form.validateFields();
    setSaving(true);
    setError(null);
    try {
      await residencyApi.create({
        residentId: v.residentId,
        roomId: room.id,
        relation: v.relation,
        householdHead: v.householdHead,
        ...(v.movedInOn ? { movedInOn: v.movedInOn.format('YYYY-MM-DD') } : {}),
      });
      message.success('已登记入住');
      setAdding(false);
      setVersion((x) => x + 1);
      onChanged();
    } catch (err) {
      setError(applyServerErrors(form, err, ['residentId', 'relation', 'householdHead', 'movedInOn']));
    } finally {
      setSaving(false);
    }
  };

  const today = dayjs(todayInZone());

  return (
    <Modal
      title={room ? `${buildingLabel} ${room.unitNumber ? `${room.unitNumber}单元 ` : ''}${room.number}室` : '房屋'}
      open={room !== null}
      onCancel={onClose}
      footer={null}
      destroyOnHidden
      afterClose={() => {
        setAdding(false);
        setError(null);
      }}
      width={760}
    >
      {room && (
        <div data-testid="room-detail">
          <Descriptions
            size="small"
            column={2}
            items={[
              { key: 'address', label: '标准地址', span: 2, children: <Typography.Text copyable>{room.address}</Typography.Text> },
              { key: 'floor', label: '楼层', children: room.floor !== null ? `${room.floor} 层` : '—' },
              { key: 'area', label: '建筑面积', children: room.area !== null ? `${room.area} ㎡` : '—' },
              { key: 'use', label: '用途', children: labelOf(ROOM_USE_LABEL, room.use) },
              {
                key: 'plate',
                label: '门牌码',
                children: <PlateLink communityId={room.communityId} code={room.plateCode} testId="room-plate-link" />,
              },
            ]}
          />
          <div className="section-head">
            <span className="section-label">在住居民（{current?.data?.total ?? room.occupants}）</span>
            {writable && !adding && (
              <Button size="small" icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="move-in-open">
                登记入住
              </Button>
            )}
          </div>
          {adding && (
            <div className="inline-form">
              <Form
                form={form}
                layout="vertical"
                initialValues={{ relation: 'family', householdHead: false, movedInOn: today }}
                preserve={false}
                data-testid="move-in-form"
              >
                {error && <Alert type="error" showIcon title={error} className="form-alert" />}
                <Row gutter={12}>
                  <Col span={24}>
                    <Form.Item name="residentId" label="居民" rules={[{ required: true, message: '请选择居民' }]}>
                      <ResidentPicker testId="move-in-resident" />
                    </Form.Item>
                  </Col>
                  <Col span={8}>
                    <Form.Item name="relation" label="关系">
                      <Select options={Object.entries(RELATION_LABEL).map(([value, label]) => ({ value, label }))} />
                    </Form.Item>
                  </Col>
                  <Col span={8}>
                    <Form.Item name="movedInOn" label="入住日期">
                      <DatePicker className="full-width" disabledDate={(d) => d.isAfter(today, 'day')} />
                    </Form.Item>
                  </Col>
                  <Col span={8}>
                    <Form.Item name="householdHead" label="户主" valuePropName="checked">
                      <Checkbox>是户主</Checkbox>
                    </Form.Item>
                  </Col>
                </Row>
                <div className="inline-form-actions">
                  <Button onClick={() => setAdding(false)}>取消</Button>
                  <Button type="primary" loading={saving} onClick={() => void moveIn().catch(() => undefined)}>
                    保存
                  </Button>
                </div>
              </Form>
            </div>
          )}
          {current?.error && <Alert type="error" showIcon title="在住居民加载失败" description={current.error} />}
          <div data-testid="room-residents">
            <Table<Resident>
              rowKey="id"
              size="small"
              loading={!current}
              dataSource={current?.data?.items ?? []}
              pagination={false}
              locale={{ emptyText: '该房屋暂无在住居民' }}
              onRow={(r) => ({ onClick: () => setResidentId(r.id), className: 'clickable-row' })}
              columns={[
                { title: '姓名', dataIndex: 'name', width: 100, render: (n: string) => <Typography.Link>{n}</Typography.Link> },
                { title: '性别', dataIndex: 'gender', width: 60, render: (g: string | null) => genderLabel(g) },
                { title: '年龄', dataIndex: 'age', width: 60, render: (a: number | null) => a ?? '—' },
                {
                  title: '联系电话',
                  dataIndex: 'phone',
                  width: 130,
                  render: (p: string | null) => <span className="mono">{p ?? '—'}</span>,
                },
                { title: '人员标签', dataIndex: 'tags', render: (t: string[]) => <TagList tags={t} /> },
              ]}
            />
          </div>
          <div className="section-head">
            <span className="section-label">
              <HistoryOutlined /> 户时间线
            </span>
          </div>
          <TimelinePanel subject="room" id={room.id} version={version} emptyText="暂无记录（迁入、迁出等会记在这里）" />
        </div>
      )}
      {/* Inside the modal so that it opens above it. */}
      <ResidentDrawer
        residentId={residentId}
        onClose={() => setResidentId(null)}
        onChanged={() => {
          setVersion((x) => x + 1);
          onChanged();
        }}
      />
    </Modal>
  );
}
