// 发起选举: the election's seats, channels, the nominations' close, the days the candidate list is public
// before voting opens, the voting period and the thresholds (legal defaults from 居民委员会组织法 第十四条).
import { Alert, App, Checkbox, DatePicker, Form, Input, InputNumber, Modal, Select, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { applyServerErrors } from '../../lib/formErrors';
import { ZONE } from '../../lib/time';
import { useRegions } from '../../regions/context';
import { CHANNELS, type Channel } from './api';
import { democracy2Api, type Election, type ElectionCreate } from './api2';

interface Values {
  regionId: string;
  title: string;
  description?: string;
  seats: number;
  channels: Channel[];
  minAge: number;
  nominationsCloseAt: Dayjs;
  publicityDays: number;
  period: [Dayjs, Dayjs];
  validTurnoutPercent: number;
  electedPercent: number;
}

const FIELDS = [
  'regionId',
  'title',
  'description',
  'seats',
  'channels',
  'minAge',
  'nominationsCloseAt',
  'publicityDays',
  'period',
  'validTurnoutPercent',
  'electedPercent',
];

function chinaIso(d: Dayjs): string {
  return dayjs.tz(d.format('YYYY-MM-DD HH:mm'), ZONE).toISOString();
}

export function CreateElectionModal({ onClose, onCreated }: { onClose: () => void; onCreated: (e: Election) => void }) {
  const { message } = App.useApp();
  const { selected, index } = useRegions();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const communities = useMemo(() => {
    const out: { value: string; label: string }[] = [];
    for (const r of index.values()) {
      if (r.node.level !== 'community') continue;
      if (selected && !r.path.some((p) => p.id === selected.node.id)) continue;
      out.push({ value: r.node.id, label: r.path.map((p) => p.name).join(' / ') });
    }
    return out;
  }, [index, selected]);

  const initial = useMemo(() => {
    const nom = dayjs().add(7, 'day').hour(18).minute(0).second(0);
    const open = nom.add(6, 'day').hour(8).minute(0);
    return {
      regionId: communities.length === 1 ? communities[0]!.value : undefined,
      seats: 5,
      channels: ['online', 'in_person'] as Channel[],
      minAge: 18,
      publicityDays: 5,
      nominationsCloseAt: nom,
      period: [open, open.hour(18)] as [Dayjs, Dayjs],
      validTurnoutPercent: 50,
      electedPercent: 50,
    };
  }, [communities]);

  const submit = async () => {
    const v = await form.validateFields();
    setSaving(true);
    setError(null);
    const body: ElectionCreate = {
      regionId: v.regionId,
      title: v.title.trim(),
      seats: v.seats,
      channels: v.channels,
      minAge: v.minAge,
      nominationsCloseAt: chinaIso(v.nominationsCloseAt),
      opensAt: chinaIso(v.period[0]),
      closesAt: chinaIso(v.period[1]),
      publicityDays: v.publicityDays,
      validTurnoutPercent: v.validTurnoutPercent,
      electedPercent: v.electedPercent,
    };
    if (v.description?.trim()) body.description = v.description.trim();
    try {
      const created = await democracy2Api.createElection(body);
      message.success('选举已发起，现在可以提名');
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
      title="发起选举"
      okText="发起"
      onOk={() => void submit().catch(() => setSaving(false))}
      onCancel={onClose}
      confirmLoading={saving}
      destroyOnHidden
      width={720}
    >
      {error && <Alert type="error" showIcon title={error} className="form-alert" />}
      <Form form={form} layout="vertical" initialValues={initial} data-testid="election-create-form">
        <Form.Item name="regionId" label="社区" rules={[{ required: true, message: '请选择社区' }]}>
          <Select options={communities} placeholder="选择社区" showSearch={{ optionFilterProp: 'label' }} />
        </Form.Item>
        <Form.Item
          name="title"
          label="标题"
          rules={[{ required: true, whitespace: true, min: 2, max: 100, message: '请填写标题（2–100 字）' }]}
        >
          <Input placeholder="如：第十二届居民委员会换届选举" />
        </Form.Item>
        <Form.Item name="description" label="说明">
          <Input.TextArea rows={2} maxLength={5000} />
        </Form.Item>
        <div style={{ display: 'flex', gap: 16, flexWrap: 'wrap' }}>
          <Form.Item name="seats" label="应选名额" rules={[{ required: true, message: '请填写应选名额' }]}>
            <InputNumber min={1} max={50} />
          </Form.Item>
          <Form.Item name="minAge" label="选民年龄（周岁以上）" rules={[{ required: true }]}>
            <InputNumber min={16} max={100} />
          </Form.Item>
          <Form.Item name="publicityDays" label="候选人公示天数" rules={[{ required: true }]}>
            <InputNumber min={1} max={60} />
          </Form.Item>
        </div>
        <Form.Item name="channels" label="投票渠道" rules={[{ required: true, message: '请至少选择一个渠道' }]}>
          <Checkbox.Group options={Object.entries(CHANNELS).map(([value, label]) => ({ value, label }))} />
        </Form.Item>
        <Form.Item name="nominationsCloseAt" label="提名截止" rules={[{ required: true, message: '请选择提名截止时间' }]}>
          <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" placeholder="提名截止时间" />
        </Form.Item>
        <Form.Item
          name="period"
          label="投票时间"
          extra="投票开始时间应在提名截止并公示候选人名单满公示天数之后。"
          rules={[{ required: true, message: '请选择投票时间' }]}
        >
          <DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" placeholder={['开始时间', '截止时间']} />
        </Form.Item>
        <div style={{ display: 'flex', gap: 16, flexWrap: 'wrap' }}>
          <Form.Item name="validTurnoutPercent" label="选举有效：参加投票人数超过选民的（%）" rules={[{ required: true }]}>
            <InputNumber min={0} max={100} />
          </Form.Item>
          <Form.Item name="electedPercent" label="当选：得票超过参加投票人数的（%）" rules={[{ required: true }]}>
            <InputNumber min={0} max={100} />
          </Form.Item>
        </div>
        <Typography.Paragraph type="secondary" style={{ fontSize: 13 }}>
          默认依据《居民委员会组织法》第十四条：选举须有全体选民过半数参加投票方为有效；候选人获得参加投票的选民过半数的选票，始得当选。
          得票超过门槛的候选人按得票多少当选；末位得票相等的候选人不当选，其名额另行选举。
        </Typography.Paragraph>
      </Form>
    </Modal>
  );
}
