// The community resident register (`002` #26 基础信息资源台账, `004` 5.1 人): rules for identity documents,
// phone numbers, masking, pinyin search keys, social-service tags and ages. Pure: no I/O, no clock
// reads except where a `today`/`on` parameter has a default.
//
// Calendar dates (birth dates, "today", ages) are read in China time (Asia/Shanghai), as people in
// the community read them: a server running in UTC would otherwise be a day off for 8 hours a day.
import { pinyin } from 'pinyin-pro';
import { fastNameKeys } from './name-keys.js';

// ---------------------------------------------------------------------------------------------
// Calendar dates
// ---------------------------------------------------------------------------------------------

/** A calendar date; months and days count from 1. */
interface Ymd {
  y: number;
  m: number;
  d: number;
}

const chinaDateFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
});

let lastMinute = NaN;
let lastYmd: Ymd = { y: 0, m: 0, d: 0 };

/** The calendar date of an instant in China. Asia/Shanghai also knows the 1986–1991 summer time. */
function chinaDate(at: Date): Ymd {
  if (Number.isNaN(at.getTime())) throw new RangeError('Invalid Date');
  // China's offsets are whole hours, so a date never changes inside a minute: remember the last one
  // (validating a 100,000-row ledger asks for "today" twice a row).
  const minute = Math.floor(at.getTime() / 60_000);
  if (minute === lastMinute) return { ...lastYmd };
  const ymd = formatChinaDate(at);
  lastMinute = minute;
  lastYmd = ymd;
  return { ...ymd };
}

function formatChinaDate(at: Date): Ymd {
  let y = 0;
  let m = 0;
  let d = 0;
  for (const p of chinaDateFormat.formatToParts(at)) {
    if (p.type === 'year') y = Number(p.value);
    else if (p.type === 'month') m = Number(p.value);
    else if (p.type === 'day') d = Number(p.value);
  }
  return { y, m, d };
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeapYear(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
}

function isRealDate({ y, m, d }: Ymd): boolean {
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

/** Compares two dates: negative, 0 or positive. */
function compareYmd(a: Ymd, b: Ymd): number {
  return a.y - b.y || a.m - b.m || a.d - b.d;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Parses `YYYYMMDD` or `YYYY-MM-DD` into a real calendar date, or null. */
function parseYmd(s: string): Ymd | null {
  const match = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(s);
  if (!match || (s.length !== 8 && s.length !== 10)) return null;
  const ymd = { y: Number(match[1]), m: Number(match[2]), d: Number(match[3]) };
  return isRealDate(ymd) ? ymd : null;
}

// ---------------------------------------------------------------------------------------------
// Resident identity numbers (GB 11643-1999 公民身份号码)
// ---------------------------------------------------------------------------------------------

/** ISO 7064 MOD 11-2 weights for the first 17 digits (2^(17-i) mod 11). */
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
/** Check character for each value of (weighted sum mod 11). */
const ID_CHECK_CHARS = '10X98765432';

/**
 * Province-level codes (GB/T 2260) that may start an identity number: 11–15, 21–23, 31–37, 41–46,
 * 50–54, 61–65, 71 (台湾), 81 (香港), 82 (澳门), and 99 for the fictional demo city 青川市 (990100).
 */
const PROVINCE_RANGES: readonly (readonly [number, number])[] = [
  [11, 15],
  [21, 23],
  [31, 37],
  [41, 46],
  [50, 54],
  [61, 65],
  [71, 71],
  [81, 82],
  [99, 99],
];
const PROVINCE_CODES: ReadonlySet<string> = new Set(
  PROVINCE_RANGES.flatMap(([from, to]) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i))),
);

/** The earliest birth year accepted in an identity number. */
export const MIN_BIRTH_YEAR = 1900;

/** Trims, drops inner white space, folds full-width digits (NFKC) and upper-cases a trailing x. */
export function normaliseIdNumber(s: string): string {
  return s.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
}

/** The check character (0–9 or X) for the first 17 digits of an identity number. */
export function idCheckDigit(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError('idCheckDigit needs exactly 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i]!;
  return ID_CHECK_CHARS[sum % 11]!;
}

export const ID_NUMBER_MESSAGES = {
  empty: '身份证号不能为空',
  length: '身份证号应为 18 位',
  legacy15: '身份证号应为 18 位（15 位旧号码已停用，请填写 18 位号码）',
  format: '身份证号格式不正确：前 17 位应为数字，最后一位应为数字或 X',
  region: '身份证号的地区码无效',
  birthDate: '身份证号中的出生日期无效',
  birthFuture: '身份证号中的出生日期无效：不能晚于今天',
  birthTooEarly: `身份证号中的出生日期无效：年份不能早于 ${MIN_BIRTH_YEAR} 年`,
  checkDigit: '身份证号校验位不正确',
} as const;

/**
 * Checks a mainland resident identity number (GB 11643-1999): 18 characters, 17 digits and a check
 * character (ISO 7064 MOD 11-2, lower-case x accepted), a known province-level code, and a real
 * birth date from 1900 up to `today` (China time). Returns a Chinese message for the first rule
 * broken (in that order: length, characters, region, birth date, check digit), or null.
 */
export function idNumberProblem(idNumber: string, today: Date = new Date()): string | null {
  const id = normaliseIdNumber(idNumber);
  if (id === '') return ID_NUMBER_MESSAGES.empty;
  if (id.length !== 18) return /^\d{15}$/.test(id) ? ID_NUMBER_MESSAGES.legacy15 : ID_NUMBER_MESSAGES.length;
  if (!/^\d{17}[\dX]$/.test(id)) return ID_NUMBER_MESSAGES.format;
  if (!PROVINCE_CODES.has(id.slice(0, 2))) return ID_NUMBER_MESSAGES.region;
  const birth = parseYmd(id.slice(6, 14));
  if (!birth) return ID_NUMBER_MESSAGES.birthDate;
  if (birth.y < MIN_BIRTH_YEAR) return ID_NUMBER_MESSAGES.birthTooEarly;
  if (compareYmd(birth, chinaDate(today)) > 0) return ID_NUMBER_MESSAGES.birthFuture;
  if (idCheckDigit(id.slice(0, 17)) !== id[17]) return ID_NUMBER_MESSAGES.checkDigit;
  return null;
}

/**
 * Builds a valid identity number (demo data, tests): a 6-digit region code with a known province,
 * a birth date (`Date`, read in China time, or `YYYYMMDD` / `YYYY-MM-DD`) from 1900 on, and a
 * sequence number 0–999 whose parity is the gender (odd = male). Birth dates in the future are not
 * refused here, but `idNumberProblem` refuses them.
 */
export function makeIdNumber(region6: string, birth: Date | string, seq3: number): string {
  if (!/^\d{6}$/.test(region6) || !PROVINCE_CODES.has(region6.slice(0, 2))) {
    throw new RangeError(`makeIdNumber: invalid region code ${JSON.stringify(region6)}`);
  }
  const ymd = birth instanceof Date ? chinaDate(birth) : parseYmd(birth);
  if (!ymd || ymd.y < MIN_BIRTH_YEAR || ymd.y > 9999) throw new RangeError(`makeIdNumber: invalid birth date ${String(birth)}`);
  if (!Number.isInteger(seq3) || seq3 < 0 || seq3 > 999) throw new RangeError(`makeIdNumber: sequence ${seq3} is not in 0–999`);
  const first17 = `${region6}${pad(ymd.y, 4)}${pad(ymd.m, 2)}${pad(ymd.d, 2)}${pad(seq3, 3)}`;
  return first17 + idCheckDigit(first17);
}

export type Gender = 'male' | 'female';

export interface IdNumberFacts {
  /** `YYYY-MM-DD`. */
  birthDate: string;
  /** From the 17th digit: odd = male, even = female. */
  gender: Gender;
  /** The 6-digit administrative division code where the number was issued. */
  regionCode: string;
}

/** What a valid identity number tells. Throws a RangeError (with the Chinese problem) for an invalid one. */
export function idNumberFacts(idNumber: string, today: Date = new Date()): IdNumberFacts {
  const problem = idNumberProblem(idNumber, today);
  if (problem) throw new RangeError(problem);
  const id = normaliseIdNumber(idNumber);
  return {
    birthDate: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`,
    gender: Number(id[16]) % 2 === 1 ? 'male' : 'female',
    regionCode: id.slice(0, 6),
  };
}

// ---------------------------------------------------------------------------------------------
// Identity documents
// ---------------------------------------------------------------------------------------------

export const ID_TYPES = ['resident_id', 'passport', 'hk_macau_permit', 'taiwan_permit', 'foreign_permanent', 'other'] as const;
export type IdType = (typeof ID_TYPES)[number];

export const ID_TYPE_LABELS: Record<IdType, string> = {
  resident_id: '居民身份证',
  passport: '护照',
  hk_macau_permit: '港澳居民来往内地通行证',
  taiwan_permit: '台湾居民来往大陆通行证',
  foreign_permanent: '外国人永久居留身份证',
  other: '其他',
};

export function isIdType(s: string): s is IdType {
  return (ID_TYPES as readonly string[]).includes(s);
}

/** The canonical form of a document number: the identity-number form for resident IDs, else trimmed and upper-cased. */
export function normaliseDocumentNumber(type: IdType, s: string): string {
  return type === 'resident_id' ? normaliseIdNumber(s) : s.normalize('NFKC').trim().toUpperCase();
}

/**
 * Checks a document number for its type: resident IDs by `idNumberProblem`, other documents as 5–30
 * letters, digits or dashes. Returns a Chinese message, or null.
 */
export function documentProblem(type: string, number: string, today: Date = new Date()): string | null {
  if (!isIdType(type)) return '证件类型无效';
  if (type === 'resident_id') return idNumberProblem(number, today);
  const n = normaliseDocumentNumber(type, number);
  const name = type === 'other' ? '证件号码' : `${ID_TYPE_LABELS[type]}号码`;
  if (n === '') return `${name}不能为空`;
  if (!/^[A-Za-z0-9-]*$/.test(n)) return `${name}只能包含字母、数字和短横线`;
  if (n.length < 5 || n.length > 30) return `${name}应为 5–30 位`;
  return null;
}

// ---------------------------------------------------------------------------------------------
// Phone numbers
// ---------------------------------------------------------------------------------------------

const MOBILE = /^1[3-9]\d{9}$/;
/** Area code 0 + 2 digits (010, 020–029) or 0 + 3 digits (others), then a 7–8 digit local number. */
const FIXED_LINE = /^(0[12]\d|0[3-9]\d{2})-(\d{7,8})$/;

/**
 * The canonical form of a phone number: a mobile number as 11 digits (a +86, 0086 or 86 prefix
 * dropped), a fixed-line number as `area-local` (`0571-87654321`; `+86 571 …` gets its 0 back).
 * Spaces, dashes and brackets are dropped; full-width characters are folded. Anything else comes
 * back with only those separators removed, for `phoneProblem` to describe.
 */
export function normalisePhone(s: string): string {
  let t = s.normalize('NFKC').replace(/[\s\-‐‑–—()]/g, '');
  const intl = /^(\+|00)86/.exec(t);
  if (intl) {
    t = t.slice(intl[0].length);
    if (/^[2-9]/.test(t)) t = `0${t}`;
  } else if (/^861[3-9]\d{9}$/.test(t)) {
    t = t.slice(2);
  }
  if (/^0\d+$/.test(t) && t[1] !== '0') {
    const areaLength = t[1] === '1' || t[1] === '2' ? 3 : 4;
    return `${t.slice(0, areaLength)}-${t.slice(areaLength)}`;
  }
  return t;
}

export type PhoneKind = 'mobile' | 'fixed';

/** Whether a normalised phone number is a valid mobile or fixed-line number, or neither. */
function phoneKind(normalised: string): PhoneKind | null {
  if (MOBILE.test(normalised)) return 'mobile';
  if (FIXED_LINE.test(normalised)) return 'fixed';
  return null;
}

/**
 * Checks a mainland phone number: a mobile number (11 digits, 13–19…, optional +86) or a fixed-line
 * number (area code 0 + 2–3 digits, then 7–8 digits, dash optional). Returns a Chinese message, or null.
 */
export function phoneProblem(phone: string): string | null {
  const n = normalisePhone(phone);
  if (n === '') return '联系电话不能为空';
  if (phoneKind(n)) return null;
  if (!/^\+?[\d-]+$/.test(n)) return '联系电话只能包含数字、空格、短横线和 +86 前缀';
  if (/^1\d*$/.test(n)) return n.length === 11 ? '手机号码号段无效，应以 13–19 开头' : '手机号码应为 11 位';
  if (/^0[1-9]/.test(n)) return '固定电话应为区号加 7–8 位号码，例如 0571-87654321';
  return '联系电话格式不正确，应为 11 位手机号码或带区号的固定电话';
}

// ---------------------------------------------------------------------------------------------
// Masking (for answers to people who may not see the full value)
// ---------------------------------------------------------------------------------------------

/** Keeps `head` and `tail` characters and stars the rest; short values keep fewer so at least one is starred. */
function maskMiddle(s: string, head: number, tail: number): string {
  const chars = Array.from(s);
  const n = chars.length;
  if (n === 0) return '';
  const keep = Math.max(0, Math.floor((n - 1) / 2));
  const h = Math.min(head, keep);
  const t = Math.min(tail, keep);
  return chars.slice(0, h).join('') + '*'.repeat(n - h - t) + chars.slice(n - t).join('');
}

/**
 * Masks a document number, keeping its length: 18 characters keep the first 4 and last 4
 * (`3701**********1234`); other lengths keep the first 2 and last 2, always starring at least one.
 */
export function maskIdNumber(id: string): string {
  const s = id.trim();
  return Array.from(s).length === 18 ? maskMiddle(s, 4, 4) : maskMiddle(s, 2, 2);
}

/**
 * Masks a phone number: a mobile keeps the first 3 and last 4 (`138****5678`), a fixed line keeps
 * its area code and the last 2 digits (`0571-******21`); anything else is masked like a document number.
 */
export function maskPhone(phone: string): string {
  const n = normalisePhone(phone);
  switch (phoneKind(n)) {
    case 'mobile':
      return `${n.slice(0, 3)}****${n.slice(7)}`;
    case 'fixed': {
      const [area, local] = n.split('-') as [string, string];
      return `${area}-${'*'.repeat(local.length - 2)}${local.slice(-2)}`;
    }
    case null:
      return maskMiddle(n, 2, 2);
  }
}

/** Compound surnames (复姓) kept whole by `maskName`: the common ones of 百家姓. */
const COMPOUND_SURNAMES: ReadonlySet<string> = new Set(
  (
    '欧阳 上官 司马 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 司空 夏侯 轩辕 令狐 澹台 西门 南宫 呼延 端木 ' +
    '独孤 万俟 闻人 申屠 钟离 赫连 拓跋 单于 淳于 左丘 公羊 太史 濮阳 百里 第五 东郭 公冶 谷梁 羊舌 仲孙 叔孙'
  ).split(' '),
);

/**
 * Masks a name for people who may not see it: the surname, then one star per remaining character
 * (张三 → 张*, 欧阳娜娜 → 欧阳**). The surname is the first character, or the first two for a common
 * compound surname when a given name follows; a single-character value is kept as it is.
 */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  const keep = chars.length > 2 && COMPOUND_SURNAMES.has(chars.slice(0, 2).join('')) ? 2 : 1;
  return chars.slice(0, keep).join('') + '*'.repeat(Math.max(0, chars.length - keep));
}

// ---------------------------------------------------------------------------------------------
// Pinyin search keys
// ---------------------------------------------------------------------------------------------

export interface NameSearchKeys {
  /** Full pinyin, lower-case, without tones or spaces: 张三丰 → zhangsanfeng. */
  full: string;
  /** First letters: 张三丰 → zsf. */
  initials: string;
}

/** How a name and a name query are compared: NFKC, trimmed, lower-case. */
export function nameForm(name: string): string {
  return name.normalize('NFKC').trim().toLowerCase();
}

/**
 * Every one- and two-character piece of a name (张三丰 → 张 三 丰 张三 三丰), the key of the name
 * index: a query of one or two characters is one key, a longer one is all its two-character pieces
 * (then rechecked as a substring). Trigram indexes cannot answer a two-character query, and most
 * Chinese names and most name queries have two or three characters. The migration that made this
 * column (0010) computes the same pieces in SQL: keep them in step.
 */
export function nameGrams(name: string): string[] {
  const chars = Array.from(nameForm(name));
  const out = new Set<string>();
  for (let i = 0; i < chars.length; i++) {
    out.add(chars[i]!);
    if (i + 1 < chars.length) out.add(chars[i]! + chars[i + 1]!);
  }
  return [...out];
}

/** The keys a name query must all match in the name index (see nameGrams). */
export function nameQueryGrams(q: string): string[] {
  const chars = Array.from(nameForm(q));
  if (chars.length <= 2) return chars.length ? [chars.join('')] : [];
  const out = new Set<string>();
  for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i]! + chars[i + 1]!);
  return [...out];
}

/**
 * Search keys for a name. The leading surname is read as a surname (单 shan, 曾 zeng, 仇 qiu,
 * 万俟 moqi); ü is written v as input methods do (吕 lv). Other letters and digits are kept
 * lower-cased in both keys; spaces and punctuation (the · in 阿卜杜拉·买买提) are dropped.
 */
export function nameSearchKeys(name: string): NameSearchKeys {
  const text = name.normalize('NFKC').trim();
  if (text === '') return { full: '', initials: '' };
  const fast = fastNameKeys(text); // the same keys, from readings cached per character (name-keys.ts)
  if (fast) return fast;
  let full = '';
  let initials = '';
  for (const c of pinyin(text, { type: 'all', toneType: 'none', mode: 'surname', surname: 'head', v: true })) {
    if (c.isZh && c.pinyin) {
      full += c.pinyin.toLowerCase();
      initials += c.first.toLowerCase();
    } else if (/^[\p{L}\p{N}]+$/u.test(c.origin)) {
      const kept = c.origin.toLowerCase();
      full += kept;
      initials += kept;
    }
  }
  return { full, initials };
}

// ---------------------------------------------------------------------------------------------
// Social-service tags
// ---------------------------------------------------------------------------------------------

/**
 * Attributes the government asks communities to keep (`002` #26 基础信息资源台账):
 * - elderly_alone, empty_nest: home care for the elderly (`003` L2P6, `002` #15–#17);
 * - disabled: `003` L2P8 (残疾人托养), `002` #15; veteran: `003` L2P9 (退役军人服务);
 * - dibao, special_hardship, left_behind_child: assistance (`004` 5.3.3 帮扶救助服务);
 * - volunteer: `002` #24; party_member: Party building (`001` 党建);
 * - community_correction and the special groups mental_disorder, released_prisoner, drug_rehab,
 *   petitioner, idle_youth: `003` L3P5 (特殊人群监管);
 * - health_record (has an electronic health record): `003` L2P5 (社区医疗, 建档率).
 */
export const RESIDENT_TAGS = [
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
] as const;
export type ResidentTag = (typeof RESIDENT_TAGS)[number];

export const RESIDENT_TAG_LABELS: Record<ResidentTag, string> = {
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

/**
 * Tags that reveal health, criminal-justice, welfare or petition facts: shown and searched only by
 * people entitled to them. The `003` L3P5 special groups and community correction, plus disability
 * (`003` L2P8) and the welfare statuses 低保 and 特困.
 */
export const SENSITIVE_TAGS: ReadonlySet<ResidentTag> = new Set<ResidentTag>([
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

export function isResidentTag(s: string): s is ResidentTag {
  return (RESIDENT_TAGS as readonly string[]).includes(s);
}

export function isSensitiveTag(s: string): boolean {
  return isResidentTag(s) && SENSITIVE_TAGS.has(s);
}

// ---------------------------------------------------------------------------------------------
// Age
// ---------------------------------------------------------------------------------------------

/** 老年人权益保障法 第二条: 老年人是指六十周岁以上的公民. */
export const ELDERLY_AGE = 60;

/**
 * Full years (周岁) from a birth date `YYYY-MM-DD` to the China calendar date of `on`; the age goes up
 * on the birthday (29 February birthdays on 1 March in common years). Throws a RangeError for a
 * malformed birth date or one after `on`.
 */
export function ageOn(birthDate: string, on: Date): number {
  const birth = /^\d{4}-\d{2}-\d{2}$/.test(birthDate) ? parseYmd(birthDate) : null;
  if (!birth) throw new RangeError(`ageOn: invalid birth date ${JSON.stringify(birthDate)}`);
  const day = chinaDate(on);
  if (compareYmd(birth, day) > 0)
    throw new RangeError(`ageOn: birth date ${birthDate} is after ${pad(day.y, 4)}-${pad(day.m, 2)}-${pad(day.d, 2)}`);
  const beforeBirthday = day.m < birth.m || (day.m === birth.m && day.d < birth.d);
  return day.y - birth.y - (beforeBirthday ? 1 : 0);
}

/** Whether the person is 60 or older on `on` (China calendar date). */
export function isElderly(birthDate: string, on: Date): boolean {
  return ageOn(birthDate, on) >= ELDERLY_AGE;
}
