// 新增居民 and 编辑居民: one form; the server's per-field errors land on the matching fields.
import { FormModal } from '../../components/FormModal';
import { App, Col, DatePicker, Form, Input, Radio, Row, Select, Tag, TreeSelect } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { residentApi } from '../../api/endpoints';
import type { Gender, Hukou, IdType, Resident, ResidentPatch, ResidentReveal } from '../../api/types';
import { useAuth } from '../../auth/context';
import {
  DISABILITY_GRADE_LABEL,
  HUKOU_LABEL,
  ID_TYPE_LABEL,
  ID_TYPES,
  RESIDENT_ID_PATTERN,
  SENSITIVE_TAGS,
  tagColor,
  tagLabel,
  visibleTags,
} from '../../lib/registry';
import { useRegions } from '../../regions/context';
import { placeOptions } from '../registry/shared';

interface Values {
  regionId?: string;
  name: string;
  idType: IdType;
  idNumber?: string;
  phone?: string;
  gender?: Gender | 'none';
  birthDate?: Dayjs | null;
  hukou: Hukou;
  hukouAddress?: string;
  tags: string[];
  disabilityGrade?: number | null;
  note?: string;
}

const FIELDS = [
  'regionId',
  'name',
  'idType',
  'idNumber',
  'phone',
  'gender',
  'birthDate',
  'hukou',
  'hukouAddress',
  'tags',
  'disabilityGrade',
  'note',
] as const;

export type ResidentFormTarget =
  | { mode: 'create'; regionId: string | null }
  /** `revealed`: the full numbers when the user has already looked at them (they prefill the form). */
  | { mode: 'edit'; resident: Resident; revealed: ResidentReveal | null };

const text = (v: string | undefined) => (v ?? '').trim();
const orNull = (v: string | undefined) => text(v) || null;
const dateText = (d: Dayjs | null | undefined) => (d ? d.format('YYYY-MM-DD') : null);

export function ResidentFormModal({
  target,
  onClose,
  onSaved,
}: {
  target: ResidentFormTarget | null;
  onClose: () => void;
  onSaved: (resident: Resident) => void;
}) {
  const { can } = useAuth();
  const { tree } = useRegions();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const idType = Form.useWatch('idType', form) ?? 'resident_id';
  const tags = Form.useWatch('tags', form) ?? [];

  const editing = target?.mode === 'edit' ? target.resident : null;
  const revealed = target?.mode === 'edit' ? target.revealed : null;
  const canSensitive = can('registry.sensitive');
  const tagOptions = visibleTags(canSensitive).map((t) => ({ value: t, label: tagLabel(t) }));
  const derivedFromId = idType === 'resident_id';
  const hasDisabled = tags.includes('disabled');
  // The caller sees (and edits) only the tags the server shows it; hidden ones are kept by the server.
  const shownTags = editing ? editing.tags.filter((t) => canSensitive || !SENSITIVE_TAGS.has(t)) : [];

  const initialValues: Partial<Values> = editing
    ? {
        name: editing.name,
        idType: editing.idType as IdType,
        idNumber: revealed?.idNumber ?? '',
        phone: revealed?.phone ?? '',
        gender: (editing.gender as Gender | null) ?? 'none',
        birthDate: editing.birthDate ? dayjs(editing.birthDate) : null,
        hukou: editing.hukou as Hukou,
        hukouAddress: editing.hukouAddress ?? '',
        tags: shownTags,
        disabilityGrade: editing.disabilityGrade,
        note: editing.note ?? '',
      }
    : {
        ...(target?.mode === 'create' && target.regionId ? { regionId: target.regionId } : {}),
        idType: 'resident_id',
        gender: 'none',
        hukou: 'local',
        tags: [],
      };

  const createBody = (v: Values) => {
    const derived = v.idType === 'resident_id';
    return {
      regionId: v.regionId ?? '',
      name: text(v.name),
      idType: v.idType,
      idNumber: text(v.idNumber),
      ...(text(v.phone) ? { phone: text(v.phone) } : {}),
      ...(!derived && v.gender && v.gender !== 'none' ? { gender: v.gender } : {}),
      ...(!derived && v.birthDate ? { birthDate: dateText(v.birthDate) } : {}),
      hukou: v.hukou,
      ...(text(v.hukouAddress) ? { hukouAddress: text(v.hukouAddress) } : {}),
      tags: v.tags,
      ...(v.tags.includes('disabled') && v.disabilityGrade ? { disabilityGrade: v.disabilityGrade } : {}),
      ...(text(v.note) ? { note: text(v.note) } : {}),
    };
  };

  const patchBody = (r: Resident, v: Values): ResidentPatch => {
    const patch: ResidentPatch = {};
    if (text(v.name) !== r.name) patch.name = text(v.name);
    const idNumber = text(v.idNumber);
    // Without the revealed number the field starts empty: empty means "unchanged".
    if (idNumber && idNumber !== revealed?.idNumber) {
      patch.idType = v.idType;
      patch.idNumber = idNumber;
    } else if (v.idType !== r.idType) {
      patch.idType = v.idType;
      patch.idNumber = idNumber;
    }
    const phone = text(v.phone);
    if (revealed ? phone !== (revealed.phone ?? '') : phone !== '') patch.phone = phone || null;
    if (v.idType !== 'resident_id') {
      const gender = v.gender === 'none' || !v.gender ? null : v.gender;
      if (gender !== r.gender) patch.gender = gender;
      const birth = dateText(v.birthDate);
      if (birth !== r.birthDate) patch.birthDate = birth;
    }
    if (v.hukou !== r.hukou) patch.hukou = v.hukou;
    if (orNull(v.hukouAddress) !== r.hukouAddress) patch.hukouAddress = orNull(v.hukouAddress);
    if ([...v.tags].sort().join() !== [...shownTags].sort().join()) patch.tags = v.tags;
    const grade = v.tags.includes('disabled') ? (v.disabilityGrade ?? null) : null;
    if (grade !== r.disabilityGrade) patch.disabilityGrade = grade;
    if (orNull(v.note) !== r.note) patch.note = orNull(v.note);
    return patch;
  };

  const submit = async (v: Values) => {
    if (!editing) {
      const created = await residentApi.create(createBody(v));
      message.success(`已登记居民 ${created.name}`);
      onSaved(created);
      return;
    }
    const patch = patchBody(editing, v);
    if (Object.keys(patch).length === 0) {
      message.info('没有需要保存的修改');
      onClose();
      return;
    }
    const updated = await residentApi.update(editing.id, patch);
    message.success(`已保存居民 ${updated.name} 的信息`);
    onSaved(updated);
  };

  return (
    <FormModal
      title={editing ? `编辑居民：${editing.name}` : '新增居民'}
      open={target !== null}
      onClose={onClose}
      form={form}
      fields={FIELDS}
      initialValues={initialValues}
      onSubmit={submit}
      width={720}
      testId="resident-form"
    >
      <Row gutter={16}>
        {!editing && (
          <Col span={24}>
            <Form.Item
              name="regionId"
              label="所属社区或网格"
              rules={[{ required: true, message: '请选择居民所属的社区或网格' }]}
              extra="居民登记在社区或网格下；登记入住后，网格随房屋所在网格调整"
            >
              <TreeSelect
                treeData={placeOptions(tree)}
                showSearch={{ treeNodeFilterProp: 'search' }}
                treeDefaultExpandAll
                placeholder="选择社区或网格"
                data-testid="resident-form-region"
              />
            </Form.Item>
          </Col>
        )}
        <Col span={12}>
          <Form.Item
            name="name"
            label="姓名"
            rules={[
              { required: true, whitespace: true, message: '请输入姓名' },
              { max: 50, message: '不能超过 50 个字' },
            ]}
          >
            <Input maxLength={50} />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="idType" label="证件类型" rules={[{ required: true, message: '请选择证件类型' }]}>
            <Select options={ID_TYPES.map((t) => ({ value: t, label: ID_TYPE_LABEL[t] }))} />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item
            name="idNumber"
            label="证件号码"
            dependencies={['idType']}
            extra={editing && !revealed ? `当前 ${editing.idNumber}；留空则不修改` : undefined}
            rules={[
              { required: !editing || idType !== editing.idType, whitespace: true, message: '请输入证件号码' },
              {
                validator: (_, value: string | undefined) =>
                  !value || idType !== 'resident_id' || RESIDENT_ID_PATTERN.test(value.trim())
                    ? Promise.resolve()
                    : Promise.reject(new Error('身份证号应为 18 位，最后一位可为数字或 X')),
              },
            ]}
          >
            <Input maxLength={40} className="mono" placeholder={editing && !revealed ? editing.idNumber : undefined} />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item
            name="phone"
            label="联系电话"
            extra={editing && !revealed && editing.phone ? `当前 ${editing.phone}；留空则不修改` : '手机号或固定电话（如 0571-87654321）'}
          >
            <Input maxLength={30} className="mono" placeholder={editing && !revealed ? (editing.phone ?? undefined) : undefined} />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="gender" label="性别" extra={derivedFromId ? '由身份证号自动识别' : undefined}>
            <Radio.Group
              disabled={derivedFromId}
              optionType="button"
              options={[
                { value: 'male', label: '男' },
                { value: 'female', label: '女' },
                { value: 'none', label: '未填' },
              ]}
            />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="birthDate" label="出生日期" extra={derivedFromId ? '由身份证号自动识别' : undefined}>
            <DatePicker
              disabled={derivedFromId}
              className="full-width"
              disabledDate={(d) => d.isAfter(dayjs(), 'day') || d.year() < 1900}
            />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="hukou" label="户籍">
            <Radio.Group
              optionType="button"
              options={(['local', 'nonlocal', 'unknown'] as const).map((h) => ({ value: h, label: HUKOU_LABEL[h] }))}
            />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="hukouAddress" label="户籍地址" rules={[{ max: 200, message: '不能超过 200 个字' }]}>
            <Input maxLength={200} />
          </Form.Item>
        </Col>
        <Col span={hasDisabled ? 16 : 24}>
          <Form.Item
            name="tags"
            label="人员标签"
            extra={!canSensitive && editing ? '敏感标签由有权限的工作人员维护，不在此显示' : undefined}
          >
            <Select
              mode="multiple"
              options={tagOptions}
              placeholder="选择人员标签"
              optionFilterProp="label"
              data-testid="resident-form-tags"
              tagRender={({ value, closable, onClose: close }) => (
                <Tag color={tagColor(String(value))} closable={closable} onClose={close} className="select-tag">
                  {tagLabel(String(value))}
                </Tag>
              )}
            />
          </Form.Item>
        </Col>
        {hasDisabled && (
          <Col span={8}>
            <Form.Item name="disabilityGrade" label="残疾等级">
              <Select
                allowClear
                placeholder="选择等级"
                options={[1, 2, 3, 4].map((g) => ({ value: g, label: DISABILITY_GRADE_LABEL[g] }))}
                data-testid="resident-form-grade"
              />
            </Form.Item>
          </Col>
        )}
        <Col span={24}>
          <Form.Item name="note" label="备注" rules={[{ max: 500, message: '不能超过 500 个字' }]}>
            <Input.TextArea rows={2} maxLength={500} showCount />
          </Form.Item>
        </Col>
      </Row>
    </FormModal>
  );
}
