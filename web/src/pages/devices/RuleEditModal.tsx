// 编辑 / 新增告警规则: the condition fields of one rule at one region (PUT /api/device-rules/{regionId}/{ruleId}).
// Editing an inherited rule keeps its device type and alarm type; a new rule picks both. Duration is
// entered in minutes (stored as seconds); field errors from the server land on their fields.
import { Alert, Col, Form, Input, InputNumber, Modal, Radio, Row, Select, Switch } from 'antd';
import { useState } from 'react';
import { ApiError, errorText } from '../../api/client';
import { DEVICE_TYPE_KEYS, DEVICE_TYPES, SEVERITIES } from './api';
import { KIND_LABELS, OP_LABELS, rulesApi, type EffectiveRule, type RuleDefinition, type RuleKind } from './rulesApi';

type ValueType = 'number' | 'true' | 'false' | 'text';

interface Values {
  ruleId: string;
  deviceType: string;
  alarmType: string;
  label: string;
  severity: string;
  kind: RuleKind;
  key: string;
  op: string;
  valueType: ValueType;
  numberValue?: number;
  textValue?: string;
  minutes?: number;
  count?: number;
  windowSeconds?: number;
  enabled: boolean;
}

/** Where a server field error goes in this form. */
const FIELD_OF: Record<string, keyof Values> = {
  'params.ruleId': 'ruleId',
  'body.enabled': 'enabled',
  'body.definition.deviceType': 'deviceType',
  'body.definition.alarmType': 'alarmType',
  'body.definition.label': 'label',
  'body.definition.severity': 'severity',
  'body.definition.kind': 'kind',
  'body.definition.condition.key': 'key',
  'body.definition.condition.op': 'op',
  'body.definition.seconds': 'minutes',
  'body.definition.count': 'count',
  'body.definition.windowSeconds': 'windowSeconds',
};

function initialValues(rule: EffectiveRule | null): Partial<Values> {
  if (!rule)
    return { kind: 'simple', op: '>', valueType: 'number', severity: 'warning', enabled: true, minutes: 10, count: 5, windowSeconds: 60 };
  const v = rule.condition.value;
  return {
    ruleId: rule.id,
    deviceType: rule.deviceType,
    alarmType: rule.alarmType,
    label: rule.label,
    severity: rule.severity,
    kind: rule.kind,
    key: rule.condition.key,
    op: rule.condition.op,
    valueType: typeof v === 'number' ? 'number' : v === true ? 'true' : v === false ? 'false' : 'text',
    ...(typeof v === 'number' ? { numberValue: v } : {}),
    ...(typeof v === 'string' ? { textValue: v } : {}),
    minutes: rule.seconds !== undefined ? rule.seconds / 60 : 10,
    count: rule.count ?? 5,
    windowSeconds: rule.windowSeconds ?? 60,
    enabled: rule.enabled,
  };
}

function toDefinition(v: Values): RuleDefinition {
  const value =
    v.valueType === 'number' ? v.numberValue! : v.valueType === 'true' ? true : v.valueType === 'false' ? false : (v.textValue ?? '');
  const d: RuleDefinition = {
    deviceType: v.deviceType,
    alarmType: v.alarmType.trim(),
    label: v.label.trim(),
    severity: v.severity,
    kind: v.kind,
    condition: { key: v.key.trim(), op: v.op, value },
  };
  if (v.kind === 'duration' && v.minutes !== undefined) d.seconds = Math.round(v.minutes * 60);
  if (v.kind === 'repeat') {
    if (v.count !== undefined) d.count = v.count;
    if (v.windowSeconds !== undefined) d.windowSeconds = v.windowSeconds;
  }
  return d;
}

export function RuleEditModal({
  regionId,
  regionName,
  rule,
  onClose,
  onSaved,
}: {
  regionId: string;
  regionName: string;
  /** The rule being overridden, or null to add one. */
  rule: EffectiveRule | null;
  onClose: () => void;
  onSaved: () => void;
}) {
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const kind = Form.useWatch('kind', form) ?? rule?.kind ?? 'simple';
  const valueType = Form.useWatch('valueType', form) ?? 'number';
  const adding = rule === null;

  const submit = async () => {
    const values = await form.validateFields();
    setSaving(true);
    setError(null);
    try {
      await rulesApi.put(regionId, adding ? values.ruleId.trim() : rule.id, { enabled: values.enabled, definition: toDefinition(values) });
      onSaved();
    } catch (err) {
      if (err instanceof ApiError && err.errors.length) {
        const rest: string[] = [];
        const byField = new Map<keyof Values, string[]>();
        for (const e of err.errors) {
          const name =
            FIELD_OF[e.field] ??
            (e.field === 'body.definition.condition.value'
              ? valueType === 'number'
                ? 'numberValue'
                : valueType === 'text'
                  ? 'textValue'
                  : 'valueType'
              : undefined);
          if (name) byField.set(name, [...(byField.get(name) ?? []), e.message]);
          else rest.push(e.message);
        }
        form.setFields([...byField].map(([name, errors]) => ({ name, errors })));
        setError(rest.length ? rest.join('；') : byField.size ? null : errorText(err));
      } else setError(errorText(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      title={adding ? `新增告警规则 · ${regionName}` : `编辑告警规则 · ${rule.label}（${regionName}）`}
      open
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
      okText="保存"
      confirmLoading={saving}
      destroyOnHidden
      width={720}
    >
      <Form form={form} layout="vertical" initialValues={initialValues(rule)} autoComplete="off" data-testid="rule-form">
        {error && <Alert type="error" showIcon title={error} className="form-alert" />}
        {!adding && (
          <Alert
            type="info"
            showIcon
            className="form-alert"
            title={`保存后${regionName}及其下级（下级另有设置的除外）按此规则告警。当前规则来源：${rule.sourceLabel}${rule.sourceRegionName ? `（${rule.sourceRegionName}）` : ''}`}
          />
        )}
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="ruleId" label="规则编号" rules={[{ required: adding, message: '请填写规则编号，如 temperature.low' }]}>
              <Input disabled={!adding} placeholder="如 temperature.low" data-testid="rule-id" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="deviceType" label="设备类型" rules={[{ required: true, message: '请选择设备类型' }]}>
              <Select
                disabled={!adding}
                options={DEVICE_TYPE_KEYS.map((k) => ({ value: k, label: DEVICE_TYPES[k] }))}
                showSearch={{ optionFilterProp: 'label' }}
                data-testid="rule-device-type"
              />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="label" label="告警名称" rules={[{ required: true, whitespace: true, message: '请填写告警名称' }]}>
              <Input maxLength={100} data-testid="rule-label" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="alarmType" label="告警类型" rules={[{ required: true, message: '请填写告警类型，如 low_temperature' }]}>
              <Input disabled={!adding} placeholder="如 low_temperature" data-testid="rule-alarm-type" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="severity" label="告警级别" rules={[{ required: true }]}>
              <Select options={Object.entries(SEVERITIES).map(([value, s]) => ({ value, label: s.label }))} data-testid="rule-severity" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="enabled" label="启用" valuePropName="checked">
              <Switch checkedChildren="启用" unCheckedChildren="停用" data-testid="rule-enabled" />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="kind" label="触发方式" rules={[{ required: true }]}>
              <Radio.Group
                optionType="button"
                options={(Object.keys(KIND_LABELS) as RuleKind[]).map((k) => ({ value: k, label: KIND_LABELS[k] }))}
                data-testid="rule-kind"
              />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="key" label="测量键" rules={[{ required: true, message: '请填写测量键，如 temperature' }]}>
              <Input placeholder="如 temperature" data-testid="rule-key" />
            </Form.Item>
          </Col>
          <Col span={6}>
            <Form.Item name="op" label="比较" rules={[{ required: true }]}>
              <Select
                options={Object.entries(OP_LABELS).map(([value, label]) => ({ value, label: `${value}（${label}）` }))}
                data-testid="rule-op"
              />
            </Form.Item>
          </Col>
          <Col span={4}>
            <Form.Item name="valueType" label="值类型">
              <Select
                options={[
                  { value: 'number', label: '数值' },
                  { value: 'true', label: '是' },
                  { value: 'false', label: '否' },
                  { value: 'text', label: '文本' },
                ]}
                data-testid="rule-value-type"
              />
            </Form.Item>
          </Col>
          <Col span={6}>
            {valueType === 'number' && (
              <Form.Item name="numberValue" label="阈值" rules={[{ required: true, message: '请填写阈值' }]}>
                <InputNumber style={{ width: '100%' }} data-testid="rule-threshold" />
              </Form.Item>
            )}
            {valueType === 'text' && (
              <Form.Item name="textValue" label="文本值" rules={[{ required: true, message: '请填写文本值' }]}>
                <Input maxLength={200} />
              </Form.Item>
            )}
          </Col>
          {kind === 'duration' && (
            <Col span={12}>
              <Form.Item name="minutes" label="持续时间（分钟）" rules={[{ required: true, message: '请填写持续时间' }]}>
                <InputNumber min={0.1} max={43200} step={1} style={{ width: '100%' }} data-testid="rule-minutes" />
              </Form.Item>
            </Col>
          )}
          {kind === 'repeat' && (
            <>
              <Col span={12}>
                <Form.Item name="count" label="次数" rules={[{ required: true, message: '请填写次数' }]}>
                  <InputNumber min={1} max={1000} precision={0} style={{ width: '100%' }} data-testid="rule-count" />
                </Form.Item>
              </Col>
              <Col span={12}>
                <Form.Item name="windowSeconds" label="时间窗口（秒）" rules={[{ required: true, message: '请填写时间窗口' }]}>
                  <InputNumber min={1} max={2592000} style={{ width: '100%' }} data-testid="rule-window" />
                </Form.Item>
              </Col>
            </>
          )}
        </Row>
      </Form>
    </Modal>
  );
}
