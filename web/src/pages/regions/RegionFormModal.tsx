import { Alert, App, Col, Form, Input, InputNumber, Modal, Row, Tag, Typography } from 'antd';
import { useState } from 'react';
import { regionApi } from '../../api/endpoints';
import type { Boundary, Level, RegionDetail, RegionPatch } from '../../api/types';
import { BoundaryPreview } from '../../components/BoundaryPreview';
import { applyServerErrors } from '../../lib/formErrors';
import { CHILD_LEVEL, childCodeHint, LEVEL_COLOR, LEVEL_LABEL } from '../../lib/labels';

interface Values {
  name: string;
  code: string;
  sortOrder: number | null;
  boundary: string;
}

const FIELDS = ['name', 'code', 'sortOrder', 'boundary'] as const;

export type RegionFormTarget =
  { mode: 'create'; parent: { id: string; name: string; level: Level; code: string } } | { mode: 'edit'; region: RegionDetail };

export function boundaryText(b: RegionDetail['boundary']): string {
  if (!b) return '';
  return `{\n  "type": ${JSON.stringify(b.type)},\n  "coordinates": ${JSON.stringify(b.coordinates)}\n}`;
}

/** The textarea's content as a boundary: null when empty; throws a Chinese message when malformed. */
function parseBoundary(text: string): Boundary | null {
  const t = text.trim();
  if (!t) return null;
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch {
    throw new Error('不是有效的 JSON');
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('应为 GeoJSON 对象，如 {"type":"Polygon","coordinates":[…]}');
  const o = v as { type?: unknown; coordinates?: unknown };
  if (o.type !== 'Polygon' && o.type !== 'MultiPolygon') throw new Error('边界类型应为 Polygon 或 MultiPolygon');
  if (!Array.isArray(o.coordinates)) throw new Error('缺少 coordinates 数组');
  return { type: o.type, coordinates: o.coordinates } as Boundary;
}

function safePreview(text: string): Boundary | null {
  try {
    return parseBoundary(text);
  } catch {
    return null;
  }
}

export function RegionFormModal({
  target,
  onClose,
  onSaved,
}: {
  target: RegionFormTarget | null;
  onClose: () => void;
  onSaved: (region: RegionDetail, mode: 'create' | 'edit') => void;
}) {
  const [form] = Form.useForm<Values>();
  const { message } = App.useApp();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const boundaryDraft = Form.useWatch('boundary', form) ?? '';

  const editing = target?.mode === 'edit' ? target.region : null;
  const parent = target?.mode === 'create' ? target.parent : null;
  const level: Level | null = editing ? editing.level : parent ? CHILD_LEVEL[parent.level] : null;
  const codeHint = parent ? childCodeHint(parent.level, parent.code) : null;

  const initialValues: Values = editing
    ? { name: editing.name, code: editing.code, sortOrder: editing.sortOrder, boundary: boundaryText(editing.boundary) }
    : { name: '', code: parent && parent.level !== 'city' ? parent.code : '', sortOrder: null, boundary: '' };

  const submit = async () => {
    const v = await form.validateFields();
    let boundary: Boundary | null;
    try {
      boundary = parseBoundary(v.boundary ?? '');
    } catch (e) {
      form.setFields([{ name: 'boundary', errors: [(e as Error).message] }]);
      return;
    }
    setSaving(true);
    setError(null);
    try {
      if (target?.mode === 'create') {
        const created = await regionApi.create({
          parentId: target.parent.id,
          name: v.name.trim(),
          code: v.code.trim(),
          ...(boundary ? { boundary } : {}),
          ...(v.sortOrder !== null && v.sortOrder !== undefined ? { sortOrder: v.sortOrder } : {}),
        });
        message.success(`已新建${LEVEL_LABEL[created.level]}「${created.name}」`);
        onSaved(created, 'create');
      } else if (editing) {
        const patch: RegionPatch = {};
        if (v.name.trim() !== editing.name) patch.name = v.name.trim();
        if (v.code.trim() !== editing.code) patch.code = v.code.trim();
        if (v.sortOrder !== null && v.sortOrder !== undefined && v.sortOrder !== editing.sortOrder) patch.sortOrder = v.sortOrder;
        if (JSON.stringify(boundary) !== JSON.stringify(editing.boundary ?? null)) patch.boundary = boundary;
        if (Object.keys(patch).length === 0) {
          message.info('没有需要保存的修改');
          onClose();
          return;
        }
        const updated = await regionApi.update(editing.id, patch);
        message.success(`已保存「${updated.name}」`);
        onSaved(updated, 'edit');
      }
    } catch (err) {
      setError(applyServerErrors(form, err, FIELDS));
    } finally {
      setSaving(false);
    }
  };

  const preview = safePreview(boundaryDraft);

  return (
    <Modal
      title={
        editing ? (
          `编辑区划：${editing.name}`
        ) : parent ? (
          <span>
            新建下级区划 <Typography.Text type="secondary">（上级：{parent.name}）</Typography.Text>
          </span>
        ) : null
      }
      open={target !== null}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
      okText="保存"
      confirmLoading={saving}
      destroyOnHidden
      afterClose={() => setError(null)}
      width={720}
    >
      <Form form={form} layout="vertical" initialValues={initialValues} preserve={false} data-testid="region-form">
        {error && <Alert type="error" showIcon title={error} className="form-alert" />}
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item label="级别">
              {level ? (
                <Tag color={LEVEL_COLOR[level]} variant="outlined">
                  {LEVEL_LABEL[level]}
                </Tag>
              ) : (
                '—'
              )}
              <Typography.Text type="secondary" className="field-note">
                由上级自动确定
              </Typography.Text>
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="sortOrder" label="排序号" tooltip="同级区划按排序号从小到大排列">
              <InputNumber min={0} max={100000} precision={0} placeholder="默认 0" className="full-width" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item
              name="name"
              label="名称"
              rules={[
                { required: true, whitespace: true, message: '请输入名称' },
                { max: 60, message: '名称不能超过 60 个字' },
              ]}
            >
              <Input placeholder="如：柳岸社区" maxLength={60} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item
              name="code"
              label="区划代码"
              extra={codeHint}
              rules={[
                { required: true, message: '请输入区划代码' },
                { pattern: /^[0-9]+$/, message: '区划代码只能是数字' },
                { min: 6, max: 15, message: '区划代码为 6–15 位数字' },
              ]}
            >
              <Input placeholder="数字代码" maxLength={15} inputMode="numeric" />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={16}>
          <Col span={15}>
            <Form.Item name="boundary" label="边界（GeoJSON）" extra="Polygon 或 MultiPolygon，WGS 84 经纬度；留空表示不设置边界">
              <Input.TextArea
                rows={9}
                spellCheck={false}
                className="mono"
                placeholder={
                  '{\n  "type": "Polygon",\n  "coordinates": [[[118.10, 30.10], [118.20, 30.10], [118.20, 30.22], [118.10, 30.22], [118.10, 30.10]]]\n}'
                }
              />
            </Form.Item>
          </Col>
          <Col span={9}>
            <Form.Item label="预览">
              <div className="boundary-box">
                <BoundaryPreview boundary={preview} width={230} height={190} />
              </div>
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Modal>
  );
}
