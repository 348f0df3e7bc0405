// The register's events on people's and rooms' timelines (see modules/timeline).
import { registerTimeline } from '../timeline/service.js';

const FIELD_LABELS: Record<string, string> = {
  name: '姓名',
  idType: '证件类型',
  idNumber: '证件号码',
  phone: '联系电话',
  gender: '性别',
  birthDate: '出生日期',
  hukou: '户籍类型',
  hukouAddress: '户籍地址',
  tags: '人员标签',
  disabilityGrade: '残疾等级',
  note: '备注',
};
const RELATION_LABELS: Record<string, string> = { owner: '业主', tenant: '租户', family: '家庭成员', other: '其他' };

type P = Record<string, unknown>;
const s = (v: unknown) => (typeof v === 'string' ? v : '');

export function registerRegistryTimeline(): void {
  registerTimeline('resident.registered', (e) => [
    { subjectType: 'resident', subjectId: s(e.payload.residentId), summary: '登记入居民信息库' },
  ]);
  registerTimeline('resident.updated', (e) => [
    {
      subjectType: 'resident',
      subjectId: s(e.payload.residentId),
      summary: `信息变更：${((e.payload.changed as string[] | undefined) ?? []).map((f) => FIELD_LABELS[f] ?? f).join('、')}`,
    },
  ]);
  registerTimeline('resident.moved-in', (e) => {
    const p: P = e.payload;
    const relation = RELATION_LABELS[s(p.relation)] ?? s(p.relation);
    return [
      { subjectType: 'resident', subjectId: s(p.residentId), summary: `以${relation}身份迁入 ${s(p.address)}`, data: { roomId: p.roomId } },
      { subjectType: 'room', subjectId: s(p.roomId), summary: `${s(p.name)}（${relation}）迁入`, data: { residentId: p.residentId } },
    ];
  });
  registerTimeline('resident.moved-out', (e) => {
    const p: P = e.payload;
    return [
      { subjectType: 'resident', subjectId: s(p.residentId), summary: `迁出 ${s(p.address)}`, data: { roomId: p.roomId } },
      { subjectType: 'room', subjectId: s(p.roomId), summary: `${s(p.name)} 迁出`, data: { residentId: p.residentId } },
    ];
  });
  registerTimeline('organisation.member-joined', (e) => [
    {
      subjectType: 'resident',
      subjectId: s(e.payload.residentId),
      summary: `加入${s(e.payload.organisation)}（${s(e.payload.position)}）`,
      data: { organisationId: e.payload.organisationId },
    },
  ]);
  registerTimeline('organisation.member-left', (e) => [
    {
      subjectType: 'resident',
      subjectId: s(e.payload.residentId),
      summary: `退出${s(e.payload.organisation)}`,
      data: { organisationId: e.payload.organisationId },
    },
  ]);
}
