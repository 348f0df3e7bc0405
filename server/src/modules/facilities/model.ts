// Kinds of places and things. Pure.
export const FACILITY_KINDS = {
  shelter: { label: '应急避难场所', group: 'place' },
  activity_centre: { label: '党群服务/活动中心', group: 'place' },
  elderly_care: { label: '养老服务站', group: 'place' },
  clinic: { label: '社区卫生服务站', group: 'place' },
  civil_defence: { label: '人防工程', group: 'place' },
  parking: { label: '停车场', group: 'place' },
  ev_charger: { label: '电动汽车充电桩', group: 'thing' },
  ebike_charger: { label: '电动自行车充电点', group: 'thing' },
  fire_hydrant: { label: '消防栓', group: 'thing' },
  aed: { label: 'AED 除颤仪', group: 'thing' },
  street_light: { label: '路灯', group: 'thing' },
  camera: { label: '监控摄像机', group: 'thing' },
  elevator: { label: '电梯', group: 'thing' },
  other: { label: '其他', group: 'thing' },
} as const;
export type FacilityKind = keyof typeof FACILITY_KINDS;
export const FACILITY_KIND_KEYS = Object.keys(FACILITY_KINDS) as FacilityKind[];
export const FACILITY_STATUSES = { in_service: '在用', out_of_service: '停用', planned: '规划中' } as const;
