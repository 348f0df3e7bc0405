// The small form behind one action on an event: a reason, a unit and assignee, a handling note with
// photos, or a rating, as the action needs. Posts with the event's version; a stale version (409)
// reloads the event.
import { App, Form, Input, Modal, Rate, Select } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { ApiError, errorText } from '../../api/client';
import { ACTIONS, gridApi, type ActionBody, type ActionKey, type EventDetail, type Unit } from './api';
import { PhotoPicker } from './shared';

export interface ActionTarget {
  action: ActionKey;
  /** 立案并派遣: accept with a unit. */
  withDispatch?: boolean;
  /** merge: the event to merge into. */
  intoId?: string;
  intoNumber?: string;
}

interface Values {
  reason?: string;
  unitId?: string;
  assigneeId?: string;
  note?: string;
  photos?: string[];
  satisfaction?: number;
  comment?: string;
}

/** Whether an action can go without any input (a confirmation is enough). */
export function needsForm(t: ActionTarget): boolean {
  return ACTIONS[t.action].reason || t.withDispatch === true || ['dispatch', 'handle', 'confirm'].includes(t.action);
}

export function actionTitle(t: ActionTarget): string {
  if (t.withDispatch) return '立案并派遣';
  if (t.action === 'merge') return `合并到 ${t.intoNumber ?? ''}`;
  return ACTIONS[t.action].label;
}

/** Runs an action; shows the server's reason on failure. Resolves true on success. */
export async function runAction(
  detail: EventDetail,
  body: ActionBody,
  message: ReturnType<typeof App.useApp>['message'],
  reload: () => void,
): Promise<boolean> {
  try {
    await gridApi.act(detail.id, { ...body, version: detail.version });
    message.success(`${ACTIONS[body.action].label}成功`);
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 409 && err.errors.some((e) => e.field === 'body.version')) {
      message.warning('已被他人更新，已重新加载');
      reload();
    } else message.error(errorText(err));
    return false;
  }
}

export function ActionModal({
  detail,
  target,
  onClose,
  onDone,
  reload,
}: {
  detail: EventDetail;
  target: ActionTarget | null;
  onClose: () => void;
  onDone: () => void;
  reload: () => void;
}) {
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [units, setUnits] = useState<Unit[]>([]);
  const [saving, setSaving] = useState(false);
  const unitId = Form.useWatch('unitId', form);
  const wantsUnit = target?.action === 'dispatch' || target?.withDispatch === true;

  useEffect(() => {
    if (!wantsUnit) return;
    gridApi
      .units()
      .then(setUnits)
      .catch((err: unknown) => void message.error(errorText(err)));
  }, [wantsUnit, message]);

  const members = useMemo(() => units.find((u) => u.id === unitId)?.members ?? [], [units, unitId]);

  if (!target) return null;
  const spec = ACTIONS[target.action];

  const submit = async () => {
    const v = await form.validateFields();
    setSaving(true);
    const body: ActionBody = { action: target.action };
    if (v.reason) body.reason = v.reason;
    if (v.unitId) body.unitId = v.unitId;
    if (v.assigneeId) body.assigneeId = v.assigneeId;
    if (v.note) body.note = v.note;
    if (v.photos?.length) body.photos = v.photos;
    if (v.satisfaction) body.satisfaction = v.satisfaction;
    if (v.comment) body.comment = v.comment;
    if (target.intoId) body.intoId = target.intoId;
    const ok = await runAction(detail, body, message, reload);
    setSaving(false);
    if (ok) onDone();
  };

  return (
    <Modal
      open
      title={actionTitle(target)}
      okText={actionTitle(target)}
      onOk={() => void submit().catch(() => setSaving(false))}
      onCancel={onClose}
      confirmLoading={saving}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        preserve={false}
        data-testid="grid-action-form"
        initialValues={{ unitId: wantsUnit ? (detail.suggestedUnitId ?? undefined) : undefined, satisfaction: 5 }}
      >
        {wantsUnit && (
          <>
            <Form.Item
              name="unitId"
              label="处置单位"
              rules={[{ required: true, message: '请选择处置单位' }]}
              extra={detail.suggestedUnitName ? `路由表建议：${detail.suggestedUnitName}` : '路由表未匹配到单位'}
            >
              <Select
                showSearch={{ optionFilterProp: 'label' }}
                placeholder="选择处置单位"
                data-testid="grid-action-unit"
                options={units.map((u) => ({ value: u.id, label: `${u.name}（${u.regionName}）` }))}
                onChange={() => form.setFieldValue('assigneeId', undefined)}
              />
            </Form.Item>
            <Form.Item name="assigneeId" label="指派人员（可选）">
              <Select allowClear placeholder="不指定则由单位成员领取" options={members.map((m) => ({ value: m.userId, label: m.name }))} />
            </Form.Item>
          </>
        )}
        {target.action === 'handle' && (
          <>
            <Form.Item name="note" label="处置情况" rules={[{ required: true, whitespace: true, message: '请填写处置情况' }]}>
              <Input.TextArea rows={3} maxLength={2000} showCount data-testid="grid-action-note" />
            </Form.Item>
            <Form.Item name="photos" label="处置照片">
              <PhotoPicker max={6} />
            </Form.Item>
          </>
        )}
        {target.action === 'confirm' && (
          <>
            <Form.Item name="satisfaction" label="满意度（代报告人评价）" rules={[{ required: true, message: '请评分' }]}>
              <Rate />
            </Form.Item>
            <Form.Item name="comment" label="评价">
              <Input.TextArea rows={2} maxLength={500} />
            </Form.Item>
          </>
        )}
        {spec.reason && (
          <Form.Item name="reason" label="原因" rules={[{ required: true, whitespace: true, message: `${spec.label}需填写原因` }]}>
            <Input.TextArea rows={3} maxLength={500} showCount data-testid="grid-action-reason" />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
