// 新增房屋 in a building: unit, floor, number; the server writes the standard address.
import { FormModal } from '../../components/FormModal';
import { App, Col, Form, Input, InputNumber, Row, Select } from 'antd';
import { roomApi } from '../../api/endpoints';
import type { BuildingDetail, Room, RoomCreate, RoomUse } from '../../api/types';
import { ROOM_USE_LABEL } from '../../lib/registry';

interface Values {
  unitNumber?: string;
  floor?: number | null;
  number: string;
  area?: number | null;
  use: RoomUse;
}

const FIELDS = ['unitNumber', 'floor', 'number', 'area', 'use'] as const;

export function RoomFormModal({
  building,
  onClose,
  onSaved,
}: {
  building: BuildingDetail | null;
  onClose: () => void;
  onSaved: (room: Room) => void;
}) {
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();

  const submit = async (v: Values) => {
    if (!building) return;
    const body: RoomCreate = {
      buildingId: building.id,
      number: v.number.trim(),
      use: v.use,
      ...(v.unitNumber ? { unitNumber: v.unitNumber } : {}),
      ...(v.floor != null ? { floor: v.floor } : {}),
      ...(v.area != null ? { area: v.area } : {}),
    };
    const created = await roomApi.create(body);
    message.success(`已登记房屋：${created.address}`);
    onSaved(created);
  };

  const units = [...(building?.units ?? [])].sort((a, b) => a.number.localeCompare(b.number, 'zh-CN', { numeric: true }));

  return (
    <FormModal
      title={building ? `新增房屋：${building.label}` : '新增房屋'}
      open={building !== null}
      onClose={onClose}
      form={form}
      fields={FIELDS}
      initialValues={{ use: 'residential', ...(units.length === 1 ? { unitNumber: units[0]!.number } : {}) }}
      onSubmit={submit}
      width={560}
      testId="room-form"
    >
      <Row gutter={16}>
        <Col span={12}>
          <Form.Item name="unitNumber" label="单元" extra={units.length === 0 ? '该楼栋未划分单元' : undefined}>
            <Select
              allowClear
              disabled={units.length === 0}
              placeholder={units.length === 0 ? '无单元' : '选择单元'}
              options={units.map((u) => ({ value: u.number, label: `${u.number}单元` }))}
            />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="floor" label="楼层" extra="地下层填负数">
            <InputNumber min={-10} max={200} precision={0} className="full-width" />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item
            name="number"
            label="房号"
            rules={[
              { required: true, whitespace: true, message: '请输入房号' },
              { max: 20, message: '不能超过 20 个字' },
            ]}
            extra="如 301（显示为 301室）"
          >
            <Input maxLength={20} />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="area" label="建筑面积（㎡）">
            <InputNumber min={0.01} max={100000} precision={2} className="full-width" />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="use" label="用途">
            <Select options={Object.entries(ROOM_USE_LABEL).map(([value, label]) => ({ value, label }))} />
          </Form.Item>
        </Col>
      </Row>
    </FormModal>
  );
}
