// 发起投票: drafts a community vote (社区事务表决: options, method, secret ballot, electorate, channels,
// quorum and pass thresholds, period) or an owners' decision (业主共同决定: a 民法典第278条 matter).
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Checkbox,
  DatePicker,
  Form,
  Input,
  InputNumber,
  Modal,
  Radio,
  Select,
  Space,
  Switch,
  Tag,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { applyServerErrors } from '../../lib/formErrors';
import { ZONE } from '../../lib/time';
import { useRegions } from '../../regions/context';
import {
  CHANNELS,
  democracyApi,
  ELIGIBILITY,
  METHODS,
  type Channel,
  type Method,
  type OwnerMatter,
  type Vote,
  type VoteCreate,
} from './api';

interface Values {
  regionId: string;
  kind: 'general' | 'owners';
  title: string;
  description?: string;
  method: Method;
  options: { label: string }[];
  maxChoices?: number | null;
  secret: boolean;
  eligibility: 'residents' | 'households' | 'owners';
  minAge?: number;
  ownerMatter?: string;
  channels: Channel[];
  quorumPercent?: number | null;
  passPercent?: number | null;
  period: [Dayjs, Dayjs];
}

const FIELDS = [
  'regionId',
  'kind',
  'title',
  'description',
  'method',
  'options',
  'maxChoices',
  'secret',
  'eligibility',
  'minAge',
  'ownerMatter',
  'channels',
  'quorumPercent',
  'passPercent',
  'period',
];

/** The wall-clock time picked, read as China Standard Time (the app shows every time in it), as ISO. */
function chinaIso(d: Dayjs): string {
  return dayjs.tz(d.format('YYYY-MM-DD HH:mm'), ZONE).toISOString();
}

/** Option keys a, b, c … z, then o27, o28 … */
function optionKey(i: number): string {
  return i < 26 ? String.fromCharCode(97 + i) : `o${i + 1}`;
}

export function CreateVoteModal({ onClose, onCreated }: { onClose: () => void; onCreated: (v: Vote) => void }) {
  const { message } = App.useApp();
  const { selected, index } = useRegions();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [matters, setMatters] = useState<OwnerMatter[]>([]);
  const kind = Form.useWatch('kind', form) ?? 'general';
  const method = Form.useWatch('method', form) ?? 'single';
  const eligibility = Form.useWatch('eligibility', form);
  const secret = Form.useWatch('secret', form);

  useEffect(() => {
    democracyApi
      .ownerMatters()
      .then(setMatters)
      .catch(() => undefined);
  }, []);

  // The communities at or under the selected region.
  const communities = useMemo(() => {
    const out: { value: string; label: string }[] = [];
    for (const r of index.values()) {
      if (r.node.level !== 'community') continue;
      if (selected && !r.path.some((p) => p.id === selected.node.id)) continue;
      out.push({ value: r.node.id, label: r.path.map((p) => p.name).join(' / ') });
    }
    return out;
  }, [index, selected]);

  const submit = async () => {
    const v = await form.validateFields();
    setSaving(true);
    setError(null);
    const body: VoteCreate = {
      regionId: v.regionId,
      kind: v.kind,
      title: v.title.trim(),
      channels: v.channels,
      eligibility: v.kind === 'owners' ? 'owners' : v.eligibility,
      opensAt: chinaIso(v.period[0]),
      closesAt: chinaIso(v.period[1]),
    };
    if (v.description?.trim()) body.description = v.description.trim();
    if (v.kind === 'owners') {
      body.ownerMatter = v.ownerMatter;
      body.secret = false;
    } else {
      body.method = v.method;
      body.options = v.options.map((o, i) => ({ key: optionKey(i), label: o.label.trim() }));
      if (v.method === 'multiple' && v.maxChoices) body.maxChoices = v.maxChoices;
      body.secret = v.secret;
      if (v.eligibility === 'residents' && v.minAge) body.minAge = v.minAge;
      if (v.quorumPercent !== undefined && v.quorumPercent !== null) body.quorumPercent = v.quorumPercent;
      if (v.passPercent !== undefined && v.passPercent !== null) body.passPercent = v.passPercent;
    }
    try {
      const created = await democracyApi.create(body);
      message.success('投票草稿已创建，发布后开始投票');
      onCreated(created);
    } catch (err) {
      setError(applyServerErrors(form, err, FIELDS, { opensAt: 'period', closesAt: 'period' }));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open
      title="发起投票"
      okText="保存草稿"
      onOk={() => void submit().catch(() => setSaving(false))}
      onCancel={onClose}
      confirmLoading={saving}
      destroyOnHidden
      width={720}
    >
      {error && <Alert type="error" showIcon title={error} className="form-alert" />}
      <Form<Values>
        form={form}
        layout="vertical"
        preserve={false}
        data-testid="vote-create-form"
        initialValues={{
          regionId: selected?.node.level === 'community' ? selected.node.id : communities.length === 1 ? communities[0]!.value : undefined,
          kind: 'general',
          method: 'single',
          options: [{ label: '' }, { label: '' }],
          secret: true,
          eligibility: 'residents',
          minAge: 18,
          channels: ['online'],
          passPercent: 50,
        }}
      >
        <Form.Item name="regionId" label="社区" rules={[{ required: true, message: '请选择社区' }]}>
          <Select options={communities} placeholder="选择社区" showSearch={{ optionFilterProp: 'label' }} />
        </Form.Item>
        <Form.Item name="kind" label="类型">
          <Radio.Group
            optionType="button"
            options={[
              { value: 'general', label: '社区事务表决' },
              { value: 'owners', label: '业主共同决定（民法典第278条）' },
            ]}
          />
        </Form.Item>
        <Form.Item
          name="title"
          label="标题"
          rules={[{ required: true, whitespace: true, min: 2, max: 100, message: '请填写 2–100 字的标题' }]}
        >
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="description" label="说明">
          <Input.TextArea rows={3} maxLength={5000} />
        </Form.Item>
        {kind === 'owners' ? (
          <>
            <Form.Item name="ownerMatter" label="表决事项" rules={[{ required: true, message: '请选择表决事项' }]}>
              <Select
                placeholder="民法典第278条所列事项"
                options={matters.map((m) => ({
                  value: m.key,
                  label: (
                    <Space size={4}>
                      <span>{m.label}</span>
                      {m.matter === 'major' ? <Tag color="red">重大事项 四分之三</Tag> : <Tag color="blue">一般事项 过半数</Tag>}
                    </Space>
                  ),
                }))}
              />
            </Form.Item>
            <Typography.Paragraph type="secondary">
              业主共同决定为记名投票，投票人名单为本社区业主（按人数和专有部分面积），选项固定为同意、不同意、弃权；
              须专有部分面积和人数均占三分之二以上的业主参与表决。
            </Typography.Paragraph>
          </>
        ) : (
          <>
            <Form.Item name="method" label="投票方式">
              <Select options={Object.entries(METHODS).map(([value, label]) => ({ value, label }))} />
            </Form.Item>
            <Form.Item label="选项（代码按顺序自动编为 a、b、c…）" required>
              <Form.List
                name="options"
                rules={[
                  {
                    validator: async (_, opts: unknown[]) => {
                      if (!opts || opts.length < 2) throw new Error('至少需要两个选项');
                    },
                  },
                ]}
              >
                {(fields, { add, remove }, { errors }) => (
                  <>
                    {fields.map((f, i) => (
                      <Space key={f.key} align="baseline" style={{ display: 'flex' }}>
                        <Tag>{optionKey(i)}</Tag>
                        <Form.Item
                          name={[f.name, 'label']}
                          rules={[{ required: true, whitespace: true, message: '请填写选项' }]}
                          style={{ marginBottom: 8, width: 480 }}
                        >
                          <Input maxLength={100} placeholder={`选项 ${i + 1}`} />
                        </Form.Item>
                        {fields.length > 2 && <MinusCircleOutlined onClick={() => remove(f.name)} aria-label="删除选项" />}
                      </Space>
                    ))}
                    <Button type="dashed" onClick={() => add({ label: '' })} icon={<PlusOutlined />} disabled={fields.length >= 50}>
                      添加选项
                    </Button>
                    <Form.ErrorList errors={errors} />
                  </>
                )}
              </Form.List>
            </Form.Item>
            {method === 'multiple' && (
              <Form.Item name="maxChoices" label="最多可选项数" extra="不填则不限">
                <InputNumber min={1} max={50} precision={0} />
              </Form.Item>
            )}
            <Form.Item
              name="secret"
              label="无记名投票"
              valuePropName="checked"
              extra={
                secret === false
                  ? '记名投票：选择与投票人姓名一并记录，结果公布后随选票公开。'
                  : '无记名投票：选票与投票人分开保存，任何人（包括管理员）都无法得知某人的选择；投票人凭回执码核验选票已计入。'
              }
            >
              <Switch />
            </Form.Item>
            <Form.Item name="eligibility" label="投票范围">
              <Select options={(['residents', 'households'] as const).map((k) => ({ value: k, label: ELIGIBILITY[k] }))} />
            </Form.Item>
            {eligibility === 'residents' && (
              <Form.Item name="minAge" label="最低年龄">
                <InputNumber min={14} max={100} precision={0} addonAfter="周岁" />
              </Form.Item>
            )}
            <Space size={24} wrap>
              <Form.Item name="quorumPercent" label="参与率要求（%）" extra="不填则不设">
                <InputNumber min={0} max={100} />
              </Form.Item>
              <Form.Item name="passPercent" label="通过比例（% 有效票）" extra="得票超过此比例为通过">
                <InputNumber min={0} max={100} />
              </Form.Item>
            </Space>
          </>
        )}
        <Form.Item name="channels" label="投票渠道" rules={[{ required: true, type: 'array', min: 1, message: '请至少选择一种渠道' }]}>
          <Checkbox.Group options={Object.entries(CHANNELS).map(([value, label]) => ({ value, label }))} />
        </Form.Item>
        <Form.Item
          name="period"
          label="投票时间（北京时间）"
          rules={[
            { required: true, message: '请选择开始和截止时间' },
            {
              validator: async (_, p: [Dayjs, Dayjs] | undefined) => {
                if (p?.[0] && p[1] && !p[1].isAfter(p[0])) throw new Error('截止时间应晚于开始时间');
              },
            },
          ]}
        >
          <DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" placeholder={['开始时间', '截止时间']} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
