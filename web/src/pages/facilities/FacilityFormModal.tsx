// 新增 / 编辑场所设施: kind (场所 or 设施设备), name, place in the community, status, and free
// attributes (型号、功率、责任单位…) as name–value pairs.
import { FormModal } from '../../components/FormModal';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Col, Form, Input, InputNumber, Radio, Row, Select, Space, TreeSelect } from 'antd';
import { facilityApi } from '../../api/endpoints';
import type { AttributeValue, Facility, FacilityCreate, FacilityKind, FacilityPatch, FacilityStatus } from '../../api/types';
import { FACILITY_KINDS, FACILITY_STATUS, FACILITY_STATUSES, facilityKindOptions } from '../../lib/registry';
import { useRegions } from '../../regions/context';
import { placeName, placeOptions } from '../registry/shared';

export type FacilityFormTarget = { mode: 'create'; regionId: string | null } | { mode: 'edit'; facility: Facility };

interface Attr {
  key?: string;
  value?: string;
}

interface Values {
  regionId?: string;
  kind: FacilityKind;
  name: string;
  status: FacilityStatus;
  location?: string;
  capacity?: number | null;
  lng?: number | null;
  lat?: number | null;
  attributes?: Attr[];
}

const FIELDS = ['regionId', 'kind', 'name', 'status', 'location', 'capacity', 'lng', 'lat', 'attributes'] as const;

function attrText(v: unknown): string {
  if (typeof v === 'boolean') return v ? '是' : '否';
  return v === null || v === undefined ? '' : String(v);
}

/**
 * The pairs as the API's object. A value shown unchanged keeps its stored type (a number stays a
 * number); anything typed is text.
 */
function attributesOf(pairs: Attr[] | undefined, original: Record<string, unknown>): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const p of pairs ?? []) {
    const k = p.key?.trim();
    if (!k) continue;
    const text = p.value?.trim() ?? '';
    const old = original[k];
    if ((typeof old === 'number' || typeof old === 'boolean') && attrText(old) === text) out[k] = old;
    else out[k] = text;
  }
  return out;
}

function sameAttributes(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.is(a[k], b[k]));
}

export function FacilityFormModal({
  target,
  onClose,
  onSaved,
}: {
  target: FacilityFormTarget | null;
  onClose: () => void;
  onSaved: (f: Facility) => void;
}) {
  const { tree, index } = useRegions();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const editing = target?.mode === 'edit' ? target.facility : null;
  const kind = Form.useWatch('kind', form);
  const group = FACILITY_KINDS.find((k) => k.kind === kind)?.group;

  const initialValues: Partial<Values> = editing
    ? {
        regionId: editing.gridId ?? editing.communityId,
        kind: editing.kind as FacilityKind,
        name: editing.name,
        status: editing.status as FacilityStatus,
        location: editing.location ?? '',
        capacity: editing.capacity,
        lng: editing.lng,
        lat: editing.lat,
        attributes: Object.entries(editing.attributes).map(([key, value]) => ({ key, value: attrText(value) })),
      }
    : { status: 'in_service', ...(target?.mode === 'create' && target.regionId ? { regionId: target.regionId } : {}) };

  const submit = async (v: Values) => {
    if (!target) return;
    const keys = (v.attributes ?? []).map((a) => a.key?.trim()).filter(Boolean);
    // Shown in the form's alert.
    if (new Set(keys).size !== keys.length) throw new Error('属性名称不能重复');
    const fields = {
      kind: v.kind,
      name: v.name.trim(),
      status: v.status,
      location: v.location?.trim() ? v.location.trim() : null,
      capacity: v.capacity ?? null,
      lng: v.lng ?? null,
      lat: v.lat ?? null,
    };
    let saved: Facility;
    if (target.mode === 'create') {
      const body: FacilityCreate = { regionId: v.regionId!, kind: fields.kind, name: fields.name, status: fields.status };
      if (fields.location) body.location = fields.location;
      if (fields.capacity !== null) body.capacity = fields.capacity;
      if (fields.lng !== null) body.lng = fields.lng;
      if (fields.lat !== null) body.lat = fields.lat;
      const attributes = attributesOf(v.attributes, {});
      if (Object.keys(attributes).length) body.attributes = attributes;
      saved = await facilityApi.create(body);
      message.success(`已登记 ${saved.name}`);
    } else {
      const f = target.facility;
      const patch: FacilityPatch = {};
      if (v.regionId && v.regionId !== (f.gridId ?? f.communityId)) patch.regionId = v.regionId;
      if (fields.kind !== f.kind) patch.kind = fields.kind;
      if (fields.name !== f.name) patch.name = fields.name;
      if (fields.status !== f.status) patch.status = fields.status;
      if (fields.location !== f.location) patch.location = fields.location;
      if (fields.capacity !== f.capacity) patch.capacity = fields.capacity;
      if (fields.lng !== f.lng) patch.lng = fields.lng;
      if (fields.lat !== f.lat) patch.lat = fields.lat;
      const attributes = attributesOf(v.attributes, f.attributes);
      if (!sameAttributes(attributes, f.attributes)) patch.attributes = attributes;
      if (Object.keys(patch).length === 0) {
        message.info('没有修改');
        onClose();
        return;
      }
      saved = await facilityApi.update(f.id, patch);
      message.success('已保存');
    }
    onSaved(saved);
  };

  return (
    <FormModal
      title={editing ? `编辑：${editing.name}` : '新增场所设施'}
      open={target !== null}
      onClose={onClose}
      form={form}
      fields={FIELDS}
      initialValues={initialValues}
      onSubmit={submit}
      width={720}
      testId="facility-form"
    >
      <Row gutter={16}>
        <Col span={24}>
          {editing ? (
            // A facility stays in its community: the choice is the community itself or one of its grids.
            <Form.Item name="regionId" label="所属社区或网格" extra="可调整到本社区的其他网格">
              <Select
                data-testid="facility-place"
                options={[
                  { value: editing.communityId, label: `${placeName(index, editing.communityId, null)}（社区本级）` },
                  ...(index.get(editing.communityId)?.node.children ?? [])
                    .filter((c) => c.level === 'grid')
                    .map((c) => ({ value: c.id, label: placeName(index, editing.communityId, c.id) })),
                ]}
              />
            </Form.Item>
          ) : (
            <Form.Item name="regionId" label="所属社区或网格" rules={[{ required: true, message: '请选择所属的社区或网格' }]}>
              <TreeSelect
                treeData={placeOptions(tree)}
                showSearch={{ treeNodeFilterProp: 'search' }}
                treeDefaultExpandAll
                placeholder="选择社区或网格"
              />
            </Form.Item>
          )}
        </Col>
        <Col span={10}>
          <Form.Item name="kind" label="类别" rules={[{ required: true, message: '请选择类别' }]}>
            <Select
              options={facilityKindOptions()}
              placeholder="选择场所或设施类别"
              showSearch={{ optionFilterProp: 'label' }}
              data-testid="facility-kind"
            />
          </Form.Item>
        </Col>
        <Col span={14}>
          <Form.Item
            name="name"
            label="名称"
            rules={[
              { required: true, whitespace: true, message: '请输入名称' },
              { max: 80, message: '不能超过 80 个字' },
            ]}
          >
            <Input maxLength={80} placeholder={group === 'thing' ? '如 3栋东侧消防栓' : '如 柳岸公园应急避难场所'} />
          </Form.Item>
        </Col>
        <Col span={24}>
          <Form.Item name="status" label="状态">
            <Radio.Group optionType="button" options={FACILITY_STATUSES.map((s) => ({ value: s, label: FACILITY_STATUS[s].text }))} />
          </Form.Item>
        </Col>
        <Col span={24}>
          <Form.Item name="location" label="位置" rules={[{ max: 200, message: '不能超过 200 个字' }]}>
            <Input maxLength={200} placeholder="如 滨河路10号柳岸花园3栋东侧" />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="capacity" label={group === 'thing' ? '数量 / 容量' : '可容纳人数'}>
            <InputNumber min={0} max={1_000_000} precision={0} className="full-width" />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="lng" label="经度">
            <InputNumber min={-180} max={180} step={0.000001} className="full-width" />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="lat" label="纬度">
            <InputNumber min={-90} max={90} step={0.000001} className="full-width" />
          </Form.Item>
        </Col>
      </Row>
      <div className="section-label">其他属性</div>
      <Form.List name="attributes">
        {(fields, { add, remove }) => (
          <>
            {fields.map((field) => (
              <Space key={field.key} align="start" className="attr-row">
                <Form.Item
                  name={[field.name, 'key']}
                  rules={[
                    { required: true, whitespace: true, message: '请输入属性名' },
                    { max: 40, message: '不能超过 40 个字' },
                  ]}
                >
                  <Input placeholder="属性名，如 责任单位" maxLength={40} />
                </Form.Item>
                <Form.Item name={[field.name, 'value']} rules={[{ max: 200, message: '不能超过 200 个字' }]}>
                  <Input placeholder="属性值" maxLength={200} className="attr-value" />
                </Form.Item>
                <Button type="text" icon={<MinusCircleOutlined />} onClick={() => remove(field.name)} aria-label="删除属性" />
              </Space>
            ))}
            <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ key: '', value: '' })} disabled={fields.length >= 30}>
              添加属性
            </Button>
          </>
        )}
      </Form.List>
    </FormModal>
  );
}
