// 新增楼栋: the building's place (community or grid), its name parts and, optionally, its units.
import { FormModal } from '../../components/FormModal';
import { App, Col, Form, Input, InputNumber, Row, Select, TreeSelect } from 'antd';
import { buildingApi } from '../../api/endpoints';
import type { Building, BuildingCreate, BuildingUse } from '../../api/types';
import { BUILDING_USE_LABEL } from '../../lib/registry';
import { useRegions } from '../../regions/context';
import { placeOptions } from '../registry/shared';

interface Values {
  regionId: string;
  compound?: string;
  road?: string;
  number: string;
  floors?: number | null;
  units?: number | null;
  use: BuildingUse;
  builtYear?: number | null;
  lng?: number | null;
  lat?: number | null;
}

const FIELDS = ['regionId', 'compound', 'road', 'number', 'floors', 'units', 'use', 'builtYear', 'lng', 'lat'] as const;

export function BuildingFormModal({
  open,
  regionId,
  onClose,
  onSaved,
}: {
  open: boolean;
  /** Preselected community or grid. */
  regionId: string | null;
  onClose: () => void;
  onSaved: (b: Building) => void;
}) {
  const { tree } = useRegions();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();

  const submit = async (v: Values) => {
    const body: BuildingCreate = {
      regionId: v.regionId,
      number: v.number.trim(),
      use: v.use,
      ...(v.compound?.trim() ? { compound: v.compound.trim() } : {}),
      ...(v.road?.trim() ? { road: v.road.trim() } : {}),
      ...(v.floors != null ? { floors: v.floors } : {}),
      ...(v.units != null ? { units: v.units } : {}),
      ...(v.builtYear != null ? { builtYear: v.builtYear } : {}),
      ...(v.lng != null ? { lng: v.lng } : {}),
      ...(v.lat != null ? { lat: v.lat } : {}),
    };
    const created = await buildingApi.create(body);
    message.success(`已登记楼栋 ${created.label}`);
    onSaved(created);
  };

  return (
    <FormModal
      title={'新增楼栋'}
      open={open}
      onClose={onClose}
      form={form}
      fields={FIELDS}
      initialValues={{ ...(regionId ? { regionId } : {}), use: 'residential' }}
      onSubmit={submit}
      width={640}
      testId="building-form"
    >
      <Row gutter={16}>
        <Col span={24}>
          <Form.Item name="regionId" label="所属社区或网格" rules={[{ required: true, message: '请选择楼栋所属的社区或网格' }]}>
            <TreeSelect
              treeData={placeOptions(tree)}
              showSearch={{ treeNodeFilterProp: 'search' }}
              treeDefaultExpandAll
              placeholder="选择社区或网格"
            />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="compound" label="小区名称" rules={[{ max: 60, message: '不能超过 60 个字' }]}>
            <Input maxLength={60} placeholder="如 柳岸花园" />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="road" label="道路门牌" rules={[{ max: 100, message: '不能超过 100 个字' }]}>
            <Input maxLength={100} placeholder="如 滨河路10号" />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item
            name="number"
            label="楼号"
            rules={[
              { required: true, whitespace: true, message: '请输入楼号' },
              { max: 20, message: '不能超过 20 个字' },
            ]}
            extra="只填号码，如 3（显示为 3栋）"
          >
            <Input maxLength={20} />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="floors" label="地上层数">
            <InputNumber min={1} max={200} precision={0} className="full-width" />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="units" label="单元数" extra="自动建立 1 至 N 单元">
            <InputNumber min={0} max={50} precision={0} className="full-width" />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="use" label="用途">
            <Select options={Object.entries(BUILDING_USE_LABEL).map(([value, label]) => ({ value, label }))} />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="builtYear" label="建成年份">
            <InputNumber min={1800} max={2100} precision={0} className="full-width" />
          </Form.Item>
        </Col>
        <Col span={8} />
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
    </FormModal>
  );
}
