// 上报事件 from the console: category, urgency, description, photos, place (community/grid or a
// building), and for a hotline call the caller's name and phone.
import { App, Cascader, Checkbox, Form, Input, Radio, Select } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { errorText } from '../../api/client';
import { FormModal } from '../../components/FormModal';
import { useRegions } from '../../regions/context';
import { categoryOptions, gridApi, type Category, type ReportBody } from './api';
import { PhotoPicker } from './shared';

interface Values {
  category: string[];
  urgency: 'normal' | 'urgent';
  description: string;
  photos?: string[];
  regionId?: string;
  buildingId?: string;
  address?: string;
  hotline?: boolean;
  reporterName?: string;
  reporterPhone?: string;
}

const FIELDS = ['category', 'urgency', 'description', 'photos', 'regionId', 'buildingId', 'address', 'reporterName', 'reporterPhone'];

export function ReportModal({ open, onClose, onReported }: { open: boolean; onClose: () => void; onReported: (id: string) => void }) {
  const { message } = App.useApp();
  const { index, selected } = useRegions();
  const [form] = Form.useForm<Values>();
  const [cats, setCats] = useState<Category[]>([]);
  const hotline = Form.useWatch('hotline', form);

  useEffect(() => {
    if (!open) return;
    gridApi
      .categories()
      .then(setCats)
      .catch((err: unknown) => void message.error(errorText(err)));
  }, [open, message]);

  const places = useMemo(
    () =>
      [...index.values()]
        .filter((r) => r.node.level === 'community' || r.node.level === 'grid')
        .map((r) => ({
          value: r.node.id,
          label: r.path
            .slice(-2)
            .map((n) => n.name)
            .join(' / '),
        })),
    [index],
  );
  const defaultRegion = selected && (selected.node.level === 'community' || selected.node.level === 'grid') ? selected.node.id : undefined;

  const submit = async (v: Values) => {
    const body: ReportBody = { categoryCode: v.category[v.category.length - 1]!, urgency: v.urgency, description: v.description };
    if (v.photos?.length) body.photos = v.photos;
    if (v.buildingId?.trim()) body.buildingId = v.buildingId.trim();
    else if (v.regionId) body.regionId = v.regionId;
    if (v.address?.trim()) body.address = v.address.trim();
    if (v.hotline) {
      body.reporterKind = 'hotline';
      if (v.reporterName?.trim()) body.reporterName = v.reporterName.trim();
      if (v.reporterPhone?.trim()) body.reporterPhone = v.reporterPhone.trim();
    }
    const r = await gridApi.report(body);
    const dup = r.suspectedDuplicates.length
      ? `；发现 ${r.suspectedDuplicates.length} 件疑似重复：${r.suspectedDuplicates.map((d) => d.number).join('、')}`
      : '';
    message.success(`已上报，事件编号 ${r.number}（${r.statusLabel}）${dup}`, dup ? 8 : 4);
    onReported(r.id);
  };

  return (
    <FormModal<Values>
      title="上报事件"
      open={open}
      onClose={onClose}
      form={form}
      fields={FIELDS}
      aliases={{ categoryCode: 'category' }}
      initialValues={{ urgency: 'normal', regionId: defaultRegion }}
      onSubmit={submit}
      okText="上报"
      width={620}
      testId="grid-report-form"
    >
      <Form.Item name="category" label="事件类别" rules={[{ required: true, message: '请选择事件类别' }]}>
        <Cascader options={categoryOptions(cats)} placeholder="选择类别" showSearch expandTrigger="hover" />
      </Form.Item>
      <Form.Item name="urgency" label="紧急程度">
        <Radio.Group
          options={[
            { value: 'normal', label: '一般' },
            { value: 'urgent', label: '紧急' },
          ]}
        />
      </Form.Item>
      <Form.Item
        name="description"
        label="问题描述"
        rules={[{ required: true, whitespace: true, min: 2, message: '请描述问题（至少 2 个字）' }]}
      >
        <Input.TextArea rows={3} maxLength={2000} showCount />
      </Form.Item>
      <Form.Item name="photos" label="现场照片">
        <PhotoPicker max={6} />
      </Form.Item>
      <Form.Item name="regionId" label="所在社区/网格" rules={[{ required: true, message: '请选择社区或网格' }]}>
        <Select showSearch={{ optionFilterProp: 'label' }} options={places} placeholder="选择社区或网格" />
      </Form.Item>
      <Form.Item name="buildingId" label="楼栋 ID（可选，填写后按楼栋定位）">
        <Input placeholder="楼栋的 UUID" />
      </Form.Item>
      <Form.Item name="address" label="详细地址（可选）">
        <Input maxLength={200} />
      </Form.Item>
      <Form.Item name="hotline" valuePropName="checked">
        <Checkbox>热线来电代录</Checkbox>
      </Form.Item>
      {hotline && (
        <>
          <Form.Item name="reporterName" label="来电人">
            <Input maxLength={40} />
          </Form.Item>
          <Form.Item name="reporterPhone" label="来电号码" rules={[{ required: true, message: '请填写来电号码' }]}>
            <Input maxLength={30} />
          </Form.Item>
        </>
      )}
    </FormModal>
  );
}
