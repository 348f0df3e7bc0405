// Chinese labels and small rules of the community register (基础信息库), mirroring the server's model.
import type {
  BuildingUse,
  FacilityKind,
  FacilityStatus,
  Gender,
  Hukou,
  IdType,
  LedgerKind,
  OrganisationKind,
  Relation,
  ResidentTag,
  RoomUse,
} from '../api/types';

export const RESIDENT_TAGS: readonly ResidentTag[] = [
  'elderly_alone',
  'empty_nest',
  'disabled',
  'veteran',
  'dibao',
  'special_hardship',
  'left_behind_child',
  'community_correction',
  'party_member',
  'volunteer',
  'mental_disorder',
  'released_prisoner',
  'drug_rehab',
  'petitioner',
  'idle_youth',
  'health_record',
];

export const TAG_LABEL: Record<ResidentTag, string> = {
  elderly_alone: '独居老人',
  empty_nest: '空巢老人',
  disabled: '残疾人',
  veteran: '退役军人',
  dibao: '低保对象',
  special_hardship: '特困人员',
  left_behind_child: '留守儿童',
  community_correction: '社区矫正对象',
  party_member: '党员',
  volunteer: '志愿者',
  mental_disorder: '严重精神障碍患者',
  released_prisoner: '刑释解教人员',
  drug_rehab: '吸毒戒毒人员',
  petitioner: '重点信访人员',
  idle_youth: '社会闲散青少年',
  health_record: '已建电子健康档案',
};

/** Care groups in warm colours, welfare in gold, civic roles in blue/green, sensitive control groups in red/purple. */
export const TAG_COLOR: Record<ResidentTag, string> = {
  elderly_alone: 'orange',
  empty_nest: 'gold',
  disabled: 'cyan',
  veteran: 'geekblue',
  dibao: 'lime',
  special_hardship: 'lime',
  left_behind_child: 'magenta',
  community_correction: 'red',
  party_member: 'volcano',
  volunteer: 'green',
  mental_disorder: 'purple',
  released_prisoner: 'red',
  drug_rehab: 'red',
  petitioner: 'purple',
  idle_youth: 'purple',
  health_record: 'blue',
};

/** Tags the server shows (and lets filter by) only with the permission registry.sensitive. */
export const SENSITIVE_TAGS: ReadonlySet<string> = new Set<ResidentTag>([
  'community_correction',
  'mental_disorder',
  'released_prisoner',
  'drug_rehab',
  'petitioner',
  'idle_youth',
  'disabled',
  'dibao',
  'special_hardship',
]);

export function isResidentTag(t: string): t is ResidentTag {
  return (RESIDENT_TAGS as readonly string[]).includes(t);
}

export function tagLabel(t: string): string {
  return isResidentTag(t) ? TAG_LABEL[t] : t;
}

export function tagColor(t: string): string | undefined {
  return isResidentTag(t) ? TAG_COLOR[t] : undefined;
}

/** The tags a caller may see and choose: all of them with registry.sensitive, else the non-sensitive ones. */
export function visibleTags(canSeeSensitive: boolean): ResidentTag[] {
  return RESIDENT_TAGS.filter((t) => canSeeSensitive || !SENSITIVE_TAGS.has(t));
}

export const ID_TYPES: readonly IdType[] = ['resident_id', 'passport', 'hk_macau_permit', 'taiwan_permit', 'foreign_permanent', 'other'];

export const ID_TYPE_LABEL: Record<IdType, string> = {
  resident_id: '居民身份证',
  passport: '护照',
  hk_macau_permit: '港澳居民来往内地通行证',
  taiwan_permit: '台湾居民来往大陆通行证',
  foreign_permanent: '外国人永久居留身份证',
  other: '其他证件',
};

export function idTypeLabel(t: string): string {
  return (ID_TYPE_LABEL as Record<string, string>)[t] ?? t;
}

export const GENDER_LABEL: Record<Gender, string> = { male: '男', female: '女' };

export function genderLabel(g: string | null): string {
  return g ? ((GENDER_LABEL as Record<string, string>)[g] ?? g) : '—';
}

export const HUKOU_LABEL: Record<Hukou, string> = { local: '户籍', nonlocal: '非户籍', unknown: '未知' };

export function hukouLabel(h: string): string {
  return (HUKOU_LABEL as Record<string, string>)[h] ?? h;
}

export const RELATION_LABEL: Record<Relation, string> = { owner: '业主', tenant: '租户', family: '家庭成员', other: '其他' };

export function relationLabel(r: string): string {
  return (RELATION_LABEL as Record<string, string>)[r] ?? r;
}

export const RESIDENT_STATUS_LABEL: Record<string, string> = { active: '在册' };

export const DISABILITY_GRADE_LABEL: Record<number, string> = { 1: '一级', 2: '二级', 3: '三级', 4: '四级' };

export const BUILDING_USE_LABEL: Record<BuildingUse, string> = {
  residential: '住宅',
  commercial: '商业',
  mixed: '商住',
  public: '公共建筑',
  other: '其他',
};

export const ROOM_USE_LABEL: Record<RoomUse, string> = {
  residential: '住宅',
  commercial: '商铺',
  office: '办公',
  storage: '储藏',
  parking: '车位',
  other: '其他',
};

export function labelOf(map: Record<string, string>, v: string): string {
  return map[v] ?? v;
}

/** 18-character resident ID: 17 digits and a check digit (0–9 or X). The server checks the rest. */
export const RESIDENT_ID_PATTERN = /^\d{17}[\dXx]$/;

// ---- 组织 ----

export const ORGANISATION_KINDS: readonly OrganisationKind[] = [
  'party',
  'residents_committee',
  'supervisory_committee',
  'owners_committee',
  'property_company',
  'social_org',
  'local_unit',
  'volunteer_team',
  'other',
];

export const ORGANISATION_KIND_LABEL: Record<OrganisationKind, string> = {
  party: '党组织',
  residents_committee: '居民委员会',
  supervisory_committee: '居务监督委员会',
  owners_committee: '业主委员会',
  property_company: '物业服务企业',
  social_org: '社会组织',
  local_unit: '驻区单位',
  volunteer_team: '志愿服务队',
  other: '其他',
};

export const ORGANISATION_KIND_COLOR: Record<OrganisationKind, string> = {
  party: 'red',
  residents_committee: 'blue',
  supervisory_committee: 'geekblue',
  owners_committee: 'cyan',
  property_company: 'gold',
  social_org: 'green',
  local_unit: 'purple',
  volunteer_team: 'volcano',
  other: 'default',
};

export function organisationKindColor(k: string): string {
  return (ORGANISATION_KIND_COLOR as Record<string, string>)[k] ?? 'default';
}

/** GB 32100 unified social credit code: 18 characters without I, O, S, V, Z (the server checks the check character). */
export const CREDIT_CODE_PATTERN = /^[0-9A-HJ-NPQRTUWXY]{18}$/;

// ---- 场所设施 ----

export type FacilityGroup = 'place' | 'thing';

export const FACILITY_KINDS: readonly { kind: FacilityKind; label: string; group: FacilityGroup }[] = [
  { kind: 'shelter', label: '应急避难场所', group: 'place' },
  { kind: 'activity_centre', label: '党群服务/活动中心', group: 'place' },
  { kind: 'elderly_care', label: '养老服务站', group: 'place' },
  { kind: 'clinic', label: '社区卫生服务站', group: 'place' },
  { kind: 'civil_defence', label: '人防工程', group: 'place' },
  { kind: 'parking', label: '停车场', group: 'place' },
  { kind: 'ev_charger', label: '电动汽车充电桩', group: 'thing' },
  { kind: 'ebike_charger', label: '电动自行车充电点', group: 'thing' },
  { kind: 'fire_hydrant', label: '消防栓', group: 'thing' },
  { kind: 'aed', label: 'AED 除颤仪', group: 'thing' },
  { kind: 'street_light', label: '路灯', group: 'thing' },
  { kind: 'camera', label: '监控摄像机', group: 'thing' },
  { kind: 'elevator', label: '电梯', group: 'thing' },
  { kind: 'other', label: '其他', group: 'thing' },
];

export const FACILITY_GROUP_LABEL: Record<FacilityGroup, string> = { place: '场所', thing: '设施设备' };

export function facilityGroupLabel(g: string): string {
  return (FACILITY_GROUP_LABEL as Record<string, string>)[g] ?? g;
}

/** Kind options for a Select, grouped under 场所 and 设施设备. */
export function facilityKindOptions() {
  return (['place', 'thing'] as const).map((g) => ({
    label: FACILITY_GROUP_LABEL[g],
    title: FACILITY_GROUP_LABEL[g],
    options: FACILITY_KINDS.filter((k) => k.group === g).map((k) => ({ value: k.kind, label: k.label })),
  }));
}

export const FACILITY_STATUSES: readonly FacilityStatus[] = ['in_service', 'out_of_service', 'planned'];

export const FACILITY_STATUS: Record<FacilityStatus, { text: string; color: string }> = {
  in_service: { text: '在用', color: 'success' },
  out_of_service: { text: '停用', color: 'default' },
  planned: { text: '规划中', color: 'processing' },
};

export function facilityStatus(s: string): { text: string; color: string } {
  return (FACILITY_STATUS as Record<string, { text: string; color: string }>)[s] ?? { text: s, color: 'default' };
}

// ---- 台账导入 ----

export const LEDGERS: readonly { kind: LedgerKind; label: string; hint: string }[] = [
  { kind: 'residents', label: '居民', hint: '按证件号码识别，已登记的居民保持不变；房屋须已在本社区登记' },
  { kind: 'rooms', label: '楼栋房屋', hint: '按标准地址识别，已登记的房屋保持不变；楼栋不存在时自动建立' },
  { kind: 'organisations', label: '组织', hint: '按组织名称识别，已登记的组织保持不变' },
];

export function ledgerLabel(kind: string): string {
  return LEDGERS.find((l) => l.kind === kind)?.label ?? kind;
}
