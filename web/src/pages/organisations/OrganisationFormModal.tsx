// 新增组织 / 编辑组织: kind, name, unified social credit code (checked by the server), contact, dates.
import { FormModal } from '../../components/FormModal';
import { App, Col, DatePicker, Form, Input, Row, Select, TreeSelect } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { organisationApi } from '../../api/endpoints';
import type { Organisation, OrganisationCreate, OrganisationKind, OrganisationPatch } from '../../api/types';
import { CREDIT_CODE_PATTERN, ORGANISATION_KIND_LABEL, ORGANISATION_KINDS } from '../../lib/registry';
import { todayInZone } from '../../lib/time';
import { useRegions } from '../../regions/context';
import { COMMUNITY_LEVEL, placeOptions } from '../registry/shared';

export type OrganisationFormTarget = { mode: 'create'; regionId: string | null } | { mode: 'edit'; organisation: Organisation };

interface Values {
  regionId?: string;
  kind: OrganisationKind;
  name: string;
  creditCode?: string;
  contactName?: string;
  contactPhone?: string;
  address?: string;
  establishedOn?: Dayjs | null;
  note?: string;
}

const FIELDS = ['regionId', 'kind', 'name', 'creditCode', 'contactName', 'contactPhone', 'address', 'establishedOn', 'note'] as const;

type Editable = Exclude<(typeof FIELDS)[number], 'regionId'>;

/** The form's values as the API's fields: text trimmed, empty as null. */
function toBody(v: Values): Required<{ [K in Editable]: OrganisationPatch[K] }> {
  const text = (s: string | undefined) => (s?.trim() ? s.trim() : null);
  return {
    kind: v.kind,
    name: v.name.trim(),
    creditCode: v.creditCode?.trim() ? v.creditCode.trim().toUpperCase() : null,
    contactName: text(v.contactName),
    contactPhone: text(v.contactPhone),
    address: text(v.address),
    establishedOn: v.establishedOn ? v.establishedOn.format('YYYY-MM-DD') : null,
    note: text(v.note),
  };
}

export function OrganisationFormModal({
  target,
  onClose,
  onSaved,
}: {
  target: OrganisationFormTarget | null;
  onClose: () => void;
  onSaved: (o: Organisation) => void;
}) {
  const { tree } = useRegions();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const editing = target?.mode === 'edit' ? target.organisation : null;
  const today = dayjs(todayInZone());

  const initialValues: Partial<Values> = editing
    ? {
        kind: editing.kind as OrganisationKind,
        name: editing.name,
        creditCode: editing.creditCode ?? '',
        contactName: editing.contactName ?? '',
        contactPhone: editing.contactPhone ?? '',
        address: editing.address ?? '',
        establishedOn: editing.establishedOn ? dayjs(editing.establishedOn) : null,
        note: editing.note ?? '',
      }
    : { ...(target?.mode === 'create' && target.regionId ? { regionId: target.regionId } : {}) };

  const submit = async (v: Values) => {
    if (!target) return;
    const body = toBody(v);
    let saved: Organisation;
    if (target.mode === 'create') {
      const create: OrganisationCreate = { regionId: v.regionId!, kind: body.kind!, name: body.name! };
      for (const k of ['creditCode', 'contactName', 'contactPhone', 'address', 'establishedOn', 'note'] as const) {
        if (body[k] !== null) create[k] = body[k];
      }
      saved = await organisationApi.create(create);
      message.success(`已登记 ${saved.name}`);
    } else {
      const o = target.organisation;
      // Only what changed.
      const patch: OrganisationPatch = {};
      const before = toBody({
        kind: o.kind as OrganisationKind,
        name: o.name,
        creditCode: o.creditCode ?? '',
        contactName: o.contactName ?? '',
        contactPhone: o.contactPhone ?? '',
        address: o.address ?? '',
        establishedOn: o.establishedOn ? dayjs(o.establishedOn) : null,
        note: o.note ?? '',
      });
      for (const k of Object.keys(body) as Editable[]) {
        if (body[k] !== before[k]) Object.assign(patch, { [k]: body[k] });
      }
      if (Object.keys(patch).length === 0) {
        message.info('没有修改');
        onClose();
        return;
      }
      saved = await organisationApi.update(o.id, patch);
      message.success('已保存');
    }
    onSaved(saved);
  };

  return (
    <FormModal
      title={editing ? `编辑组织：${editing.name}` : '新增组织'}
      open={target !== null}
      onClose={onClose}
      form={form}
      fields={FIELDS}
      initialValues={initialValues}
      onSubmit={submit}
      width={680}
      testId="organisation-form"
    >
      <Row gutter={16}>
        {!editing && (
          <Col span={24}>
            <Form.Item name="regionId" label="所属社区" rules={[{ required: true, message: '请选择组织所属的社区' }]}>
              <TreeSelect
                treeData={placeOptions(tree, COMMUNITY_LEVEL)}
                showSearch={{ treeNodeFilterProp: 'search' }}
                treeDefaultExpandAll
                placeholder="选择社区"
              />
            </Form.Item>
          </Col>
        )}
        <Col span={10}>
          <Form.Item name="kind" label="组织类型" rules={[{ required: true, message: '请选择组织类型' }]}>
            <Select
              options={ORGANISATION_KINDS.map((k) => ({ value: k, label: ORGANISATION_KIND_LABEL[k] }))}
              placeholder="选择类型"
              data-testid="organisation-kind"
            />
          </Form.Item>
        </Col>
        <Col span={14}>
          <Form.Item
            name="name"
            label="名称"
            rules={[
              { required: true, whitespace: true, message: '请输入组织名称' },
              { max: 80, message: '不能超过 80 个字' },
            ]}
          >
            <Input maxLength={80} placeholder="如 柳岸社区居民委员会" />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item
            name="creditCode"
            label="统一社会信用代码"
            normalize={(v: string | undefined) => v?.toUpperCase().replace(/\s/g, '')}
            rules={[{ pattern: CREDIT_CODE_PATTERN, message: '应为 18 位数字或大写字母（不使用 I、O、S、V、Z）' }]}
            extra="18 位，无则不填"
          >
            <Input maxLength={18} className="mono" data-testid="organisation-credit-code" />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="establishedOn" label="成立日期">
            <DatePicker className="full-width" disabledDate={(d) => d.isAfter(today, 'day')} />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="contactName" label="联系人" rules={[{ max: 40, message: '不能超过 40 个字' }]}>
            <Input maxLength={40} />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="contactPhone" label="联系电话" rules={[{ max: 30, message: '不能超过 30 个字符' }]}>
            <Input maxLength={30} placeholder="手机或座机，如 0571-89182333" />
          </Form.Item>
        </Col>
        <Col span={24}>
          <Form.Item name="address" label="地址" rules={[{ max: 200, message: '不能超过 200 个字' }]}>
            <Input maxLength={200} />
          </Form.Item>
        </Col>
        <Col span={24}>
          <Form.Item name="note" label="备注" rules={[{ max: 500, message: '不能超过 500 个字' }]}>
            <Input.TextArea maxLength={500} rows={2} showCount />
          </Form.Item>
        </Col>
      </Row>
    </FormModal>
  );
}
