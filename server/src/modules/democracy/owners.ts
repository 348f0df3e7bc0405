// Owners' common decisions (业主共同决定): the pure rules of 民法典 第278条 as the platform applies them
// (`003 L2P10` 民主协商/电子表决, `004 5.2.3` 业主共同决定). No I/O.
//
// 民法典 第278条（2021年1月1日起施行的文本）:
//   第一款 下列事项由业主共同决定：（一）制定和修改业主大会议事规则；（二）制定和修改管理规约；
//     （三）选举业主委员会或者更换业主委员会成员；（四）选聘和解聘物业服务企业或者其他管理人；
//     （五）使用建筑物及其附属设施的维修资金；（六）筹集建筑物及其附属设施的维修资金；
//     （七）改建、重建建筑物及其附属设施；（八）改变共有部分的用途或者利用共有部分从事经营活动；
//     （九）有关共有和共同管理权利的其他重大事项。
//   第二款 业主共同决定事项，应当由专有部分面积占比三分之二以上的业主且人数占比三分之二以上的业主参与表决。
//     决定前款第六项至第八项规定的事项，应当经参与表决专有部分面积四分之三以上的业主且参与表决人数四分之三以上的业主同意。
//     决定前款其他事项，应当经参与表决专有部分面积过半数的业主且参与表决人数过半数的业主同意。
// 民法典 第1259条: "以上" includes the bound; "过半数" (more than half) does not.
//
// So 'major' here means items (六)–(八) (double three quarters); everything else, including item (九)
// "其他重大事项" and item (五) 使用维修资金, needs only the double majority ('ordinary').
//
// Platform rules (issue text): eligible owners and their exclusive area come from the register, one entry per
// room; a person owning several rooms counts once by headcount with the sum of their areas; co-owners of one room
// decide among themselves who votes for it (the register carries one owner id per room). An abstention counts as
// participation, not as agreement.
//
// Exactness: areas become integer hundredths of a m² (more than 2 decimals is refused); every comparison is a
// cross-multiplication in BigInt. No float is ever compared.

export type Matter = 'ordinary' | 'major';
export type OwnerChoice = 'yes' | 'no' | 'abstain';
/** One entry per room owned; the same id may appear several times (several rooms). */
export interface OwnerEntry {
  id: string;
  area: number;
}
export interface OwnerBallot {
  ownerId: string;
  choice: OwnerChoice;
}
export interface OwnersTally {
  matter: Matter;
  /** Area in m², 2 decimals. */
  totalOwners: number;
  totalArea: number;
  participatingOwners: number;
  participatingArea: number;
  agreeOwners: number;
  agreeArea: number;
  disagreeOwners: number;
  disagreeArea: number;
  abstainOwners: number;
  abstainArea: number;
  quorumMet: boolean;
  /** False whenever the quorum is not met. */
  passed: boolean;
  /** Chinese, for the result notice: each condition with its figures. */
  reasons: string[];
  rule: string;
}
/** `field` like 'body.ballots.3.ownerId'; `message` in Chinese. */
export interface FieldProblem {
  field: string;
  message: string;
}

export const MATTERS: readonly Matter[] = ['ordinary', 'major'];
export const OWNER_CHOICES: readonly OwnerChoice[] = ['yes', 'no', 'abstain'];

/** The rule applied, for the result notice. */
export const MATTER_RULES: Record<Matter, string> = {
  ordinary: '民法典第278条（一般事项）',
  major: '民法典第278条（重大事项）',
};

/**
 * The matters 民法典 第278条第一款 lists, in its order, with the majority its second paragraph requires:
 * items (六) to (八) need three quarters ('major'); the others, item (九) "其他重大事项" included, more than half.
 */
export const OWNER_MATTERS: Record<string, { label: string; matter: Matter }> = {
  rules: { label: '制定和修改业主大会议事规则', matter: 'ordinary' },
  covenant: { label: '制定和修改管理规约', matter: 'ordinary' },
  committee: { label: '选举业主委员会或者更换业主委员会成员', matter: 'ordinary' },
  property_company: { label: '选聘和解聘物业服务企业或者其他管理人', matter: 'ordinary' },
  repair_fund_use: { label: '使用建筑物及其附属设施的维修资金', matter: 'ordinary' },
  repair_fund_raise: { label: '筹集建筑物及其附属设施的维修资金', matter: 'major' },
  rebuild: { label: '改建、重建建筑物及其附属设施', matter: 'major' },
  common_use_change: { label: '改变共有部分的用途或者利用共有部分从事经营活动', matter: 'major' },
  other: { label: '有关共有和共同管理权利的其他重大事项', matter: 'ordinary' },
};

// ---------------------------------------------------------------------------------------------
// Exact areas
// ---------------------------------------------------------------------------------------------

/**
 * An area in m² as integer hundredths, or a Chinese problem: it must be a finite number ≥ 0 with at most
 * 2 decimals. "At most 2 decimals" means the number is the double nearest to some h/100 (how 12.34 is read).
 */
export function areaToHundredths(area: unknown): bigint | string {
  if (typeof area !== 'number' || !Number.isFinite(area)) return '面积须为有限数值';
  if (area < 0) return '面积不能为负数';
  const h = Math.round(area * 100);
  if (!Number.isSafeInteger(h)) return '面积过大';
  if (h / 100 !== area) return '面积最多保留两位小数';
  return BigInt(h);
}

/** Hundredths of m² as a number of m² (the double nearest to the 2-decimal value). */
function m2(h: bigint): number {
  return Number(h) / 100;
}

/** A non-negative exact decimal `units / 10^scale` written with at least `minDecimals` decimals. */
function decimalText(units: bigint, scale: number, minDecimals: number): string {
  const base = 10n ** BigInt(scale);
  const int = units / base;
  let frac = (units % base).toString().padStart(scale, '0');
  while (frac.length > minDecimals && frac.endsWith('0')) frac = frac.slice(0, -1);
  return frac.length > 0 ? `${int}.${frac}` : `${int}`;
}

function areaText(h: bigint): string {
  return decimalText(h, 2, 2);
}

/**
 * `value × num / den` written exactly when it is a finite decimal (at most 4 more places than the unit),
 * otherwise as the least whole unit that reaches it ("至少 …"). `scale` is the unit's decimals (2 for
 * hundredths of m², 0 for people); `suffix` the unit shown.
 */
function boundText(value: bigint, num: bigint, den: bigint, scale: number, suffix: string): string {
  const product = value * num;
  for (let extra = 0; extra <= 4; extra++) {
    const p = 10n ** BigInt(extra);
    if ((product * p) % den === 0n) return `${decimalText((product * p) / den, scale + extra, scale)}${suffix}`;
  }
  const ceil = (product + den - 1n) / den;
  return `至少 ${decimalText(ceil, scale, scale)}${suffix}`;
}

function yesNo(b: boolean): string {
  return b ? '是' : '否';
}

// ---------------------------------------------------------------------------------------------
// The decision
// ---------------------------------------------------------------------------------------------

/**
 * Validates and tallies. Problems: an area that is not a finite number ≥ 0 with at most 2 decimals
 * (body.owners.i.area), an empty owner id (body.owners.i.id), no owners at all (body.owners), total area 0
 * (body.owners), a ballot for an owner not in the list (body.ballots.i.ownerId '不在业主名单中'), two ballots for
 * one owner (body.ballots.i.ownerId '该业主已投票', on the second), an unknown choice (body.ballots.i.choice).
 */
export function ownersDecision(
  matter: Matter,
  owners: readonly OwnerEntry[],
  ballots: readonly OwnerBallot[],
): { tally: OwnersTally } | { problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  if (!MATTERS.includes(matter)) problems.push({ field: 'body.matter', message: '事项类型须为 ordinary（一般事项）或 major（重大事项）' });

  // Owners: headcount by distinct id, area summed over the rooms.
  const areaOf = new Map<string, bigint>();
  let areaProblems = false;
  if (!Array.isArray(owners) || owners.length === 0) {
    problems.push({ field: 'body.owners', message: '业主名单不能为空' });
  } else {
    owners.forEach((o, i) => {
      const entry = (o ?? {}) as Partial<OwnerEntry>;
      const id = entry.id;
      const idOk = typeof id === 'string' && id.trim() !== '';
      if (!idOk) problems.push({ field: `body.owners.${i}.id`, message: '业主标识不能为空' });
      const h = areaToHundredths(entry.area);
      if (typeof h === 'string') {
        areaProblems = true;
        problems.push({ field: `body.owners.${i}.area`, message: h });
      }
      if (idOk && typeof h === 'bigint') areaOf.set(id, (areaOf.get(id) ?? 0n) + h);
      else if (idOk && !areaOf.has(id)) areaOf.set(id, 0n);
    });
    if (!areaProblems) {
      let total = 0n;
      for (const a of areaOf.values()) total += a;
      if (total === 0n) problems.push({ field: 'body.owners', message: '专有部分总面积不能为 0' });
    }
  }

  // Ballots: one per owner, from owners in the list, with a known choice.
  const choiceOf = new Map<string, OwnerChoice>();
  if (!Array.isArray(ballots)) {
    problems.push({ field: 'body.ballots', message: '选票须为列表' });
  } else {
    ballots.forEach((b, i) => {
      const ballot = (b ?? {}) as Partial<OwnerBallot>;
      const ownerId = ballot.ownerId;
      const choice = ballot.choice;
      const choiceOk = typeof choice === 'string' && OWNER_CHOICES.includes(choice);
      if (!choiceOk)
        problems.push({ field: `body.ballots.${i}.choice`, message: '表决意见须为 yes（同意）、no（不同意）或 abstain（弃权）' });
      if (typeof ownerId !== 'string' || !areaOf.has(ownerId)) {
        problems.push({ field: `body.ballots.${i}.ownerId`, message: '不在业主名单中' });
      } else if (choiceOf.has(ownerId)) {
        problems.push({ field: `body.ballots.${i}.ownerId`, message: '该业主已投票' });
      } else {
        choiceOf.set(ownerId, choiceOk ? choice : 'abstain');
      }
    });
  }
  if (problems.length > 0) return { problems };

  // Tally, in integers.
  let totalArea = 0n;
  for (const a of areaOf.values()) totalArea += a;
  const totalOwners = BigInt(areaOf.size);
  const area: Record<OwnerChoice, bigint> = { yes: 0n, no: 0n, abstain: 0n };
  const heads: Record<OwnerChoice, bigint> = { yes: 0n, no: 0n, abstain: 0n };
  for (const [id, choice] of choiceOf) {
    area[choice] += areaOf.get(id) ?? 0n;
    heads[choice] += 1n;
  }
  const partArea = area.yes + area.no + area.abstain;
  const partOwners = heads.yes + heads.no + heads.abstain;

  // 第278条第二款: 专有部分面积占比三分之二以上 且 人数占比三分之二以上 参与表决 (以上 includes the bound, 第1259条).
  const quorumArea = partArea * 3n >= totalArea * 2n;
  const quorumHeads = partOwners * 3n >= totalOwners * 2n;
  const quorumMet = quorumArea && quorumHeads;

  let agreeAreaOk: boolean;
  let agreeHeadsOk: boolean;
  const reasons: string[] = [
    `参与表决专有部分面积 ${areaText(partArea)}㎡ ≥ 总面积 ${areaText(totalArea)}㎡ 的三分之二（${boundText(totalArea, 2n, 3n, 2, '㎡')}）：${yesNo(quorumArea)}`,
    `参与表决人数 ${partOwners} 人 ≥ 业主总人数 ${totalOwners} 人的三分之二（${boundText(totalOwners, 2n, 3n, 0, ' 人')}）：${yesNo(quorumHeads)}`,
  ];
  if (matter === 'major') {
    // 参与表决专有部分面积四分之三以上 且 参与表决人数四分之三以上 同意.
    agreeAreaOk = area.yes * 4n >= partArea * 3n;
    agreeHeadsOk = heads.yes * 4n >= partOwners * 3n;
    reasons.push(
      `同意的专有部分面积 ${areaText(area.yes)}㎡ ≥ 参与表决面积 ${areaText(partArea)}㎡ 的四分之三（${boundText(partArea, 3n, 4n, 2, '㎡')}）：${yesNo(agreeAreaOk)}`,
      `同意人数 ${heads.yes} 人 ≥ 参与表决人数 ${partOwners} 人的四分之三（${boundText(partOwners, 3n, 4n, 0, ' 人')}）：${yesNo(agreeHeadsOk)}`,
    );
  } else {
    // 参与表决专有部分面积过半数 且 参与表决人数过半数 同意 (过半数: strictly more than half).
    agreeAreaOk = area.yes * 2n > partArea;
    agreeHeadsOk = heads.yes * 2n > partOwners;
    reasons.push(
      `同意的专有部分面积 ${areaText(area.yes)}㎡ > 参与表决面积 ${areaText(partArea)}㎡ 的一半（${boundText(partArea, 1n, 2n, 2, '㎡')}）：${yesNo(agreeAreaOk)}`,
      `同意人数 ${heads.yes} 人 > 参与表决人数 ${partOwners} 人的一半（${boundText(partOwners, 1n, 2n, 0, ' 人')}）：${yesNo(agreeHeadsOk)}`,
    );
  }
  if (heads.abstain > 0n) reasons.push(`弃权 ${heads.abstain} 人（${areaText(area.abstain)}㎡）计入参与表决，不计入同意`);
  const passed = quorumMet && agreeAreaOk && agreeHeadsOk;
  if (!quorumMet) reasons.push('参与表决的业主未达到专有部分面积和人数均占三分之二以上的要求，决定不成立');
  reasons.push(passed ? '结论：表决通过' : '结论：表决未通过');

  return {
    tally: {
      matter,
      totalOwners: Number(totalOwners),
      totalArea: m2(totalArea),
      participatingOwners: Number(partOwners),
      participatingArea: m2(partArea),
      agreeOwners: Number(heads.yes),
      agreeArea: m2(area.yes),
      disagreeOwners: Number(heads.no),
      disagreeArea: m2(area.no),
      abstainOwners: Number(heads.abstain),
      abstainArea: m2(area.abstain),
      quorumMet,
      passed,
      reasons,
      rule: MATTER_RULES[matter],
    },
  };
}
