// Organisation kinds and the unified social credit code. Pure: no I/O.

/** Kinds of community organisations (`004` 5.1 组织; `004` 5.2 五个民主 names the committees). */
export const ORGANISATION_KINDS = {
  party: '党组织',
  residents_committee: '居民委员会',
  supervisory_committee: '居务监督委员会',
  owners_committee: '业主委员会',
  property_company: '物业服务企业',
  social_org: '社会组织',
  local_unit: '驻区单位',
  volunteer_team: '志愿服务队',
  other: '其他',
} as const;
export type OrganisationKind = keyof typeof ORGANISATION_KINDS;
export const KIND_KEYS = Object.keys(ORGANISATION_KINDS) as OrganisationKind[];

// GB 32100-2015: 18 characters from this 31-character set (no I, O, S, V, Z).
const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function creditCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = CHARSET.indexOf(first17[i]!);
    if (v < 0) throw new RangeError(`invalid character ${first17[i]}`);
    sum += v * WEIGHTS[i]!;
  }
  return CHARSET[(31 - (sum % 31)) % 31]!;
}

/** Checks a 统一社会信用代码; returns a Chinese message or null. */
export function creditCodeProblem(code: string): string | null {
  const c = code.trim().toUpperCase();
  if (c.length !== 18) return '统一社会信用代码应为 18 位';
  if (![...c].every((ch) => CHARSET.includes(ch))) return '统一社会信用代码含有无效字符（不使用 I、O、S、V、Z）';
  return creditCheckChar(c.slice(0, 17)) === c[17] ? null : '统一社会信用代码校验位不正确';
}
