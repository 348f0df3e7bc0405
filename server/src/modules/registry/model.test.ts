import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ageOn,
  documentProblem,
  ELDERLY_AGE,
  ID_NUMBER_MESSAGES as M,
  ID_TYPE_LABELS,
  ID_TYPES,
  idCheckDigit,
  idNumberFacts,
  idNumberProblem,
  isElderly,
  isIdType,
  isResidentTag,
  isSensitiveTag,
  makeIdNumber,
  maskIdNumber,
  maskName,
  maskPhone,
  nameGrams,
  nameQueryGrams,
  nameSearchKeys,
  normaliseDocumentNumber,
  normaliseIdNumber,
  normalisePhone,
  phoneProblem,
  RESIDENT_TAG_LABELS,
  RESIDENT_TAGS,
  SENSITIVE_TAGS,
} from './model.js';

/** 2026-06-15 12:00 in China. */
const TODAY = new Date('2026-06-15T04:00:00Z');

const PROVINCES = [
  ...[11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46],
  ...[50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 99],
].map(String);

const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((a) => a.join(''));
const region6 = fc.tuple(fc.constantFrom(...PROVINCES), digits(4)).map(([p, r]) => p + r);
/** Date-only values as UTC midnights: the same calendar day in China, with or without its 1986–1991 summer time. */
const birthDay = fc
  .integer({ min: Date.UTC(1900, 0, 1) / 86_400_000, max: Date.UTC(2026, 5, 14) / 86_400_000 })
  .map((day) => new Date(day * 86_400_000));
const seq3 = fc.integer({ min: 0, max: 999 });
const validId = fc.tuple(region6, birthDay, seq3).map(([r, b, s]) => makeIdNumber(r, b, s));

describe('identity numbers (GB 11643-1999)', () => {
  it('computes the MOD 11-2 check digit, including X', () => {
    // The worked examples of GB 11643-1999.
    expect(idCheckDigit('11010519491231002')).toBe('X');
    expect(idCheckDigit('44052418800101001')).toBe('4');
    // One prefix per residue of the weighted sum (0..10): the whole mapping 1 0 X 9 8 7 6 5 4 3 2.
    // The 8th digit weighs 1, so the weighted sum of 0000000d000000000 is d.
    const expected = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3'];
    for (let d = 0; d <= 9; d++) expect(idCheckDigit(`0000000${d}000000000`), String(d)).toBe(expected[d]);
    // Residue 10: the 17th digit weighs 2, so a 5 there sums to 10.
    expect(idCheckDigit('00000000000000005')).toBe('2');
    expect(() => idCheckDigit('1101051949123100')).toThrow(RangeError);
    expect(() => idCheckDigit('1101051949123100a')).toThrow(RangeError);
  });

  it('builds valid numbers with makeIdNumber', () => {
    const a = makeIdNumber('990102', '19850412', 31);
    expect(a).toMatch(/^99010219850412031[\dX]$/);
    expect(idNumberProblem(a, TODAY)).toBeNull();
    expect(makeIdNumber('110105', '1949-12-31', 2)).toBe('11010519491231002X');
    expect(makeIdNumber('370102', new Date('1990-01-01T00:00:00+08:00'), 123)).toBe(makeIdNumber('370102', '19900101', 123));
    // A Date is read in China time: 1990-01-01 20:00 UTC is already 2 January there.
    expect(makeIdNumber('370102', new Date('1990-01-01T20:00:00Z'), 123)).toBe(makeIdNumber('370102', '19900102', 123));
    // Midnight in Shanghai during the summer time of 1990 (UTC+9) is still that day, not the one before.
    expect(makeIdNumber('370102', new Date('1990-05-29T15:30:00Z'), 123)).toBe(makeIdNumber('370102', '19900530', 123));
    expect(makeIdNumber('370102', new Date('1992-05-29T15:30:00Z'), 123)).toBe(makeIdNumber('370102', '19920529', 123));
    expect(() => makeIdNumber('100102', '19900101', 1)).toThrow(RangeError);
    expect(() => makeIdNumber('99010', '19900101', 1)).toThrow(RangeError);
    expect(() => makeIdNumber('990102', '19900230', 1)).toThrow(RangeError);
    expect(() => makeIdNumber('990102', '18991231', 1)).toThrow(RangeError);
    expect(() => makeIdNumber('990102', '19900101', 1000)).toThrow(RangeError);
    expect(() => makeIdNumber('990102', '19900101', 1.5)).toThrow(RangeError);
    expect(() => makeIdNumber('990102', new Date(Number.NaN), 1)).toThrow(RangeError);
  });

  it('accepts the standard example, a lower-case x and surrounding or inner white space', () => {
    expect(idNumberProblem('11010519491231002X', TODAY)).toBeNull();
    expect(idNumberProblem('11010519491231002x', TODAY)).toBeNull();
    expect(idNumberProblem(' 110105 19491231 002x\n', TODAY)).toBeNull();
    expect(idNumberProblem('１１０１０５１９４９１２３１００２Ｘ', TODAY)).toBeNull();
    expect(normaliseIdNumber(' 11010519491231002x ')).toBe('11010519491231002X');
  });

  it('names each kind of failure', () => {
    const ok = makeIdNumber('370102', '19900101', 123);
    expect(idNumberProblem('', TODAY)).toBe(M.empty);
    expect(idNumberProblem('   ', TODAY)).toBe(M.empty);
    expect(idNumberProblem(ok.slice(0, 17), TODAY)).toBe('身份证号应为 18 位');
    expect(idNumberProblem(`${ok}1`, TODAY)).toBe('身份证号应为 18 位');
    expect(idNumberProblem('370102900101123', TODAY)).toBe(M.legacy15);
    expect(idNumberProblem('X70102199001011234', TODAY)).toBe(M.format);
    expect(idNumberProblem('3701021990010112A4', TODAY)).toBe(M.format);
    expect(idNumberProblem('3701021990010112X4', TODAY)).toBe(M.format);
    expect(idNumberProblem('37010219900101123Y', TODAY)).toBe(M.format);
    // Region codes: the check digit is right, the province is not.
    for (const p of ['00', '10', '16', '20', '24', '30', '38', '47', '55', '60', '66', '72', '80', '83', '91', '98']) {
      const first17 = `${p}0102199001011234`.slice(0, 17);
      expect(idNumberProblem(first17 + idCheckDigit(first17), TODAY), p).toBe('身份证号的地区码无效');
    }
    expect(idNumberProblem(ok.slice(0, 17) + (ok[17] === '0' ? '1' : '0'), TODAY)).toBe('身份证号校验位不正确');
  });

  it('requires a real birth date from 1900 up to today in China', () => {
    const withBirth = (yyyymmdd: string) => {
      const first17 = `990102${yyyymmdd}123`;
      return idNumberProblem(first17 + idCheckDigit(first17), TODAY);
    };
    for (const bad of ['19901301', '19900001', '19900100', '19900132', '19900230', '19000229', '20230229', '19900431']) {
      expect(withBirth(bad), bad).toBe('身份证号中的出生日期无效');
    }
    expect(withBirth('20000229')).toBeNull();
    expect(withBirth('20240229')).toBeNull();
    expect(withBirth('19000101')).toBeNull();
    expect(withBirth('18991231')).toBe(M.birthTooEarly);
    expect(idNumberProblem('440524188001010014', TODAY)).toBe(M.birthTooEarly);
    expect(withBirth('20260615')).toBeNull();
    expect(withBirth('20260616')).toBe(M.birthFuture);
    expect(withBirth('20270101')).toBe(M.birthFuture);
    // 2026-06-15 17:00 UTC is 16 June 01:00 in China: someone born on 16 June exists there.
    expect(idNumberProblem(makeIdNumber('990102', '20260616', 1), new Date('2026-06-15T17:00:00Z'))).toBeNull();
    expect(idNumberProblem(makeIdNumber('990102', '20260616', 1), new Date('2026-06-15T15:59:59Z'))).toBe(M.birthFuture);
    // Every failure message about the date starts the same way, for callers that only look at the start.
    for (const m of [M.birthDate, M.birthFuture, M.birthTooEarly]) expect(m.startsWith('身份证号中的出生日期无效')).toBe(true);
  });

  it('tells birth date, gender and region of a valid number', () => {
    expect(idNumberFacts('11010519491231002x', TODAY)).toEqual({ birthDate: '1949-12-31', gender: 'female', regionCode: '110105' });
    expect(idNumberFacts(makeIdNumber('990102', '19850412', 31), TODAY)).toEqual({
      birthDate: '1985-04-12',
      gender: 'male',
      regionCode: '990102',
    });
    expect(idNumberFacts(makeIdNumber('990102', '19850412', 30), TODAY).gender).toBe('female');
    expect(() => idNumberFacts('11010519491231002', TODAY)).toThrow('身份证号应为 18 位');
    expect(() => idNumberFacts('110105194912310021', TODAY)).toThrow('身份证号校验位不正确');
  });

  it('property: every valid number satisfies the ISO 7064 MOD 11-2 equation', () => {
    // Σ a(i)·2^(18-i) + check ≡ 1 (mod 11) over positions i = 1..17, the check character weighing 1 and X meaning 10.
    fc.assert(
      fc.property(validId, (id) => {
        let sum = 0;
        for (let i = 1; i <= 17; i++) sum += Number(id[i - 1]) * (2 ** (18 - i) % 11);
        sum += id[17] === 'X' ? 10 : Number(id[17]);
        expect(sum % 11).toBe(1);
      }),
    );
  });

  it('property: makeIdNumber always validates, and its facts round-trip', () => {
    fc.assert(
      fc.property(region6, birthDay, seq3, (r, b, s) => {
        const id = makeIdNumber(r, b, s);
        const iso = b.toISOString().slice(0, 10);
        expect(id).toMatch(/^\d{17}[\dX]$/);
        expect(idNumberProblem(id, TODAY)).toBeNull();
        expect(idNumberProblem(id.toLowerCase(), TODAY)).toBeNull();
        expect(idNumberFacts(id, TODAY)).toEqual({ birthDate: iso, gender: s % 2 === 1 ? 'male' : 'female', regionCode: r });
      }),
    );
  });

  it('property: changing any single character of a valid number makes it invalid', () => {
    fc.assert(
      fc.property(validId, (id) => {
        for (let i = 0; i < 18; i++) {
          for (const c of '0123456789X') {
            if (c === id[i]) continue;
            const changed = id.slice(0, i) + c + id.slice(i + 1);
            const problem = idNumberProblem(changed, TODAY);
            expect(problem, changed).not.toBeNull();
            // MOD 11-2 catches every single substitution: when no earlier rule fires, the check digit does.
            const earlier = [M.format, M.region, M.birthDate, M.birthFuture, M.birthTooEarly] as string[];
            if (!earlier.includes(problem!)) expect(problem).toBe(M.checkDigit);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('property: swapping two different adjacent digits of the first 17 makes it invalid', () => {
    fc.assert(
      fc.property(validId, fc.integer({ min: 0, max: 15 }), (id, i) => {
        fc.pre(id[i] !== id[i + 1]);
        const swapped = id.slice(0, i) + id[i + 1]! + id[i]! + id.slice(i + 2);
        expect(idNumberProblem(swapped, TODAY)).not.toBeNull();
      }),
    );
  });

  it('property: never throws, and anything accepted has the canonical shape', () => {
    const idLike = fc.oneof(fc.string(), fc.stringMatching(/^\d{17}[\dXx]$/), validId);
    fc.assert(
      fc.property(idLike, (s) => {
        const problem = idNumberProblem(s, TODAY);
        if (problem === null) expect(normaliseIdNumber(s)).toMatch(/^\d{17}[\dX]$/);
        else expect(problem).toMatch(/^身份证号/);
      }),
    );
  });
});

describe('identity documents', () => {
  it('labels every type in Chinese', () => {
    expect(ID_TYPES).toEqual(['resident_id', 'passport', 'hk_macau_permit', 'taiwan_permit', 'foreign_permanent', 'other']);
    expect(ID_TYPE_LABELS.resident_id).toBe('居民身份证');
    expect(ID_TYPE_LABELS.hk_macau_permit).toBe('港澳居民来往内地通行证');
    expect(ID_TYPE_LABELS.taiwan_permit).toBe('台湾居民来往大陆通行证');
    expect(ID_TYPE_LABELS.foreign_permanent).toBe('外国人永久居留身份证');
    for (const t of ID_TYPES) expect(ID_TYPE_LABELS[t]).toMatch(/\p{Script=Han}/u);
    expect(isIdType('passport')).toBe(true);
    expect(isIdType('driving_licence')).toBe(false);
  });

  it('checks resident IDs by the identity-number rules and other documents by length and characters', () => {
    expect(documentProblem('resident_id', '11010519491231002X', TODAY)).toBeNull();
    expect(documentProblem('resident_id', '110105194912310021', TODAY)).toBe('身份证号校验位不正确');
    expect(documentProblem('passport', 'E12345678')).toBeNull();
    expect(documentProblem('passport', ' e12345678 ')).toBeNull();
    expect(documentProblem('hk_macau_permit', 'H1234567890')).toBeNull();
    expect(documentProblem('taiwan_permit', '12345678')).toBeNull();
    expect(documentProblem('foreign_permanent', '936000980110151234')).toBeNull();
    expect(documentProblem('other', 'AB-12')).toBeNull();
    expect(documentProblem('other', 'A'.repeat(30))).toBeNull();
    expect(documentProblem('passport', '')).toBe('护照号码不能为空');
    expect(documentProblem('passport', 'E123')).toBe('护照号码应为 5–30 位');
    expect(documentProblem('other', 'A'.repeat(31))).toBe('证件号码应为 5–30 位');
    expect(documentProblem('hk_macau_permit', 'H123 4567')).toBe('港澳居民来往内地通行证号码只能包含字母、数字和短横线');
    expect(documentProblem('passport', 'E1234567_')).toBe('护照号码只能包含字母、数字和短横线');
    expect(documentProblem('driving_licence', 'E12345678')).toBe('证件类型无效');
    expect(normaliseDocumentNumber('passport', ' e1234５678 ')).toBe('E12345678');
    expect(normaliseDocumentNumber('resident_id', ' 11010519491231002x')).toBe('11010519491231002X');
  });

  it('property: other documents accept exactly 5–30 letters, digits and dashes', () => {
    const type = fc.constantFrom(...ID_TYPES.filter((t) => t !== 'resident_id'));
    fc.assert(
      fc.property(type, fc.stringMatching(/^[A-Za-z0-9-]{0,40}$/), (t, n) => {
        expect(documentProblem(t, n) === null).toBe(n.length >= 5 && n.length <= 30);
      }),
    );
  });
});

describe('phone numbers', () => {
  it('normalises mobile and fixed-line forms', () => {
    const cases: [string, string][] = [
      ['13812345678', '13812345678'],
      ['138 1234 5678', '13812345678'],
      ['138-1234-5678', '13812345678'],
      ['+86 138 1234 5678', '13812345678'],
      ['+8613812345678', '13812345678'],
      ['0086 13812345678', '13812345678'],
      ['8613812345678', '13812345678'],
      ['１３８１２３４５６７８', '13812345678'],
      ['0571-87654321', '0571-87654321'],
      ['057187654321', '0571-87654321'],
      ['(0571) 8765 4321', '0571-87654321'],
      ['+86 571 87654321', '0571-87654321'],
      ['010-12345678', '010-12345678'],
      ['01012345678', '010-12345678'],
      ['021 6123 4567', '021-61234567'],
      ['0851-1234567', '0851-1234567'],
    ];
    for (const [input, expected] of cases) {
      expect(normalisePhone(input), input).toBe(expected);
      expect(phoneProblem(input), input).toBeNull();
    }
  });

  it('names what is wrong', () => {
    expect(phoneProblem('')).toBe('联系电话不能为空');
    expect(phoneProblem(' - ')).toBe('联系电话不能为空');
    expect(phoneProblem('1381234567')).toBe('手机号码应为 11 位');
    expect(phoneProblem('138123456789')).toBe('手机号码应为 11 位');
    expect(phoneProblem('12812345678')).toBe('手机号码号段无效，应以 13–19 开头');
    expect(phoneProblem('10812345678')).toBe('手机号码号段无效，应以 13–19 开头');
    expect(phoneProblem('0571-123456')).toBe('固定电话应为区号加 7–8 位号码，例如 0571-87654321');
    expect(phoneProblem('0571-123456789')).toBe('固定电话应为区号加 7–8 位号码，例如 0571-87654321');
    expect(phoneProblem('138abc45678')).toBe('联系电话只能包含数字、空格、短横线和 +86 前缀');
    expect(phoneProblem('+1 650 253 0000')).toBe('联系电话格式不正确，应为 11 位手机号码或带区号的固定电话');
    expect(phoneProblem('00123456789')).toBe('联系电话格式不正确，应为 11 位手机号码或带区号的固定电话');
    expect(phoneProblem('87654321')).toBe('联系电话格式不正确，应为 11 位手机号码或带区号的固定电话');
  });

  it('property: any mobile number, however spaced and prefixed, normalises to its 11 digits', () => {
    const mobile = fc.tuple(fc.integer({ min: 3, max: 9 }), digits(9)).map(([b, rest]) => `1${b}${rest}`);
    const separator = fc.constantFrom('', ' ', '-', '  ');
    const prefix = fc.constantFrom('', '+86', '+86 ', '86', '0086 ', '+86-');
    fc.assert(
      fc.property(mobile, prefix, separator, separator, (m, p, s1, s2) => {
        const written = `${p}${m.slice(0, 3)}${s1}${m.slice(3, 7)}${s2}${m.slice(7)}`;
        expect(normalisePhone(written)).toBe(m);
        expect(phoneProblem(written)).toBeNull();
      }),
    );
  });
});

describe('masking', () => {
  it('masks identity numbers: 4 + 10 stars + 4 for 18 characters, 2 + 2 otherwise', () => {
    expect(maskIdNumber('370102199001011234')).toBe('3701**********1234');
    expect(maskIdNumber('11010519491231002X')).toBe('1101**********002X');
    expect(maskIdNumber('E12345678')).toBe('E1*****78');
    expect(maskIdNumber('AB-12')).toBe('AB*12');
    expect(maskIdNumber('ABCD')).toBe('A**D');
    expect(maskIdNumber('ABC')).toBe('A*C');
    expect(maskIdNumber('AB')).toBe('**');
    expect(maskIdNumber('A')).toBe('*');
    expect(maskIdNumber('')).toBe('');
  });

  it('property: a masked document keeps its length, its ends, and stars at least one character', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Z0-9-]{1,30}$/), (s) => {
        const masked = maskIdNumber(s);
        const keep = s.length === 18 ? 4 : Math.min(2, Math.floor((s.length - 1) / 2));
        expect(masked).toHaveLength(s.length);
        expect(masked.slice(0, keep)).toBe(s.slice(0, keep));
        expect(masked.slice(s.length - keep)).toBe(s.slice(s.length - keep));
        expect(masked.slice(keep, s.length - keep)).toMatch(/^\*+$/);
      }),
    );
    fc.assert(
      fc.property(validId, (id) => {
        expect(maskIdNumber(id)).toMatch(/^\d{4}\*{10}\d{3}[\dX]$/);
      }),
    );
  });

  it('masks phones: mobile 3 + **** + 4, fixed line keeps area code and last 2 digits', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('+86 138 1234 5678')).toBe('138****5678');
    expect(maskPhone('0571-87654321')).toBe('0571-******21');
    expect(maskPhone('01012345678')).toBe('010-******78');
    expect(maskPhone('0851-1234567')).toBe('0851-*****67');
    expect(maskPhone('12345')).toBe('12*45');
  });

  it('property: a masked mobile never shows the middle four digits', () => {
    const mobile = fc.tuple(fc.integer({ min: 3, max: 9 }), digits(9)).map(([b, rest]) => `1${b}${rest}`);
    fc.assert(
      fc.property(mobile, (m) => {
        expect(maskPhone(m)).toBe(`${m.slice(0, 3)}****${m.slice(7)}`);
      }),
    );
  });

  it('masks names after the surname, one star per character', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('李小龙')).toBe('李**');
    expect(maskName('欧阳娜娜')).toBe('欧阳**');
    expect(maskName('欧阳修')).toBe('欧阳*');
    expect(maskName('司马相如')).toBe('司马**');
    expect(maskName('欧阳')).toBe('欧*');
    expect(maskName('阿卜杜拉·买买提')).toBe('阿*******');
    expect(maskName(' 王五 ')).toBe('王*');
    expect(maskName('𠀀一')).toBe('𠀀*');
    expect(maskName('张')).toBe('张');
    expect(maskName('')).toBe('');
  });

  it('property: a masked name keeps its length in characters and stars everything after one or two', () => {
    const name = fc.array(fc.constantFrom(...'张王李赵欧阳司马诸葛三丰娜小龙'), { minLength: 2, maxLength: 6 }).map((a) => a.join(''));
    fc.assert(
      fc.property(name, (n) => {
        const masked = maskName(n);
        expect(masked).toHaveLength(n.length);
        expect(masked[0]).toBe(n[0]);
        expect(masked).toMatch(/^[^*]{1,2}\*+$/);
      }),
    );
  });
});

describe('pinyin search keys', () => {
  it('gives full pinyin and initials without tones or spaces', () => {
    expect(nameSearchKeys('张三丰')).toEqual({ full: 'zhangsanfeng', initials: 'zsf' });
    expect(nameSearchKeys(' 王 小二 ')).toEqual({ full: 'wangxiaoer', initials: 'wxe' });
    expect(nameSearchKeys('欧阳娜娜')).toEqual({ full: 'ouyangnana', initials: 'oynn' });
    expect(nameSearchKeys('吕布')).toEqual({ full: 'lvbu', initials: 'lb' });
    expect(nameSearchKeys('')).toEqual({ full: '', initials: '' });
  });

  it('reads a leading surname as a surname', () => {
    expect(nameSearchKeys('单田芳')).toEqual({ full: 'shantianfang', initials: 'stf' });
    expect(nameSearchKeys('曾国藩')).toEqual({ full: 'zengguofan', initials: 'zgf' });
    expect(nameSearchKeys('仇英').full).toBe('qiuying');
    expect(nameSearchKeys('解缙').full).toBe('xiejin');
    expect(nameSearchKeys('查良镛').full).toBe('zhaliangyong');
    expect(nameSearchKeys('尉迟恭')).toEqual({ full: 'yuchigong', initials: 'ycg' });
    expect(nameSearchKeys('万俟卨').full).toBe('moqixie');
    // Not at the head: the common reading.
    expect(nameSearchKeys('李单').full).toBe('lidan');
  });

  it('keeps other letters and digits lower-cased and drops punctuation', () => {
    expect(nameSearchKeys('Tom李')).toEqual({ full: 'tomli', initials: 'toml' });
    expect(nameSearchKeys('李A明')).toEqual({ full: 'liaming', initials: 'lam' });
    expect(nameSearchKeys('阿卜杜拉·买买提')).toEqual({ full: 'abudulamaimaiti', initials: 'abdlmmt' });
    expect(nameSearchKeys('ＡＢ张')).toEqual({ full: 'abzhang', initials: 'abz' });
  });

  it('property: keys of Chinese names are lower-case ASCII letters, initials one per character', () => {
    const name = fc
      .array(fc.constantFrom(...'张王李赵刘陈杨黄周吴单曾三丰娜小龙国藩明华伟芳'), { minLength: 1, maxLength: 4 })
      .map((a) => a.join(''));
    fc.assert(
      fc.property(name, (n) => {
        const { full, initials } = nameSearchKeys(n);
        expect(full).toMatch(/^[a-z]+$/);
        expect(initials).toMatch(/^[a-z]+$/);
        expect(initials).toHaveLength(n.length);
        expect(full.startsWith(initials[0]!)).toBe(true);
      }),
    );
  });
});

describe('resident tags', () => {
  it('labels every tag in Chinese', () => {
    expect(RESIDENT_TAGS).toHaveLength(16);
    expect(Object.keys(RESIDENT_TAG_LABELS).sort()).toEqual([...RESIDENT_TAGS].sort());
    expect(RESIDENT_TAG_LABELS.elderly_alone).toBe('独居老人');
    expect(RESIDENT_TAG_LABELS.dibao).toBe('低保对象');
    expect(RESIDENT_TAG_LABELS.community_correction).toBe('社区矫正对象');
    expect(RESIDENT_TAG_LABELS.mental_disorder).toBe('严重精神障碍患者');
    expect(RESIDENT_TAG_LABELS.idle_youth).toBe('社会闲散青少年');
    expect(new Set(Object.values(RESIDENT_TAG_LABELS)).size).toBe(RESIDENT_TAGS.length);
  });

  it('marks the sensitive ones', () => {
    expect([...SENSITIVE_TAGS].sort()).toEqual(
      [
        'community_correction',
        'mental_disorder',
        'released_prisoner',
        'drug_rehab',
        'petitioner',
        'idle_youth',
        'disabled',
        'dibao',
        'special_hardship',
      ].sort(),
    );
    for (const t of SENSITIVE_TAGS) expect(RESIDENT_TAGS).toContain(t);
    expect(isSensitiveTag('drug_rehab')).toBe(true);
    expect(isSensitiveTag('volunteer')).toBe(false);
    expect(isSensitiveTag('no_such_tag')).toBe(false);
    expect(isResidentTag('veteran')).toBe(true);
    expect(isResidentTag('Veteran')).toBe(false);
  });
});

describe('age', () => {
  it('counts full years, going up on the birthday', () => {
    expect(ageOn('1966-06-15', TODAY)).toBe(60);
    expect(ageOn('1966-06-16', TODAY)).toBe(59);
    expect(ageOn('1966-06-14', TODAY)).toBe(60);
    expect(ageOn('2026-06-15', TODAY)).toBe(0);
    expect(ageOn('1900-01-01', TODAY)).toBe(126);
    expect(isElderly('1966-06-15', TODAY)).toBe(true);
    expect(isElderly('1966-06-16', TODAY)).toBe(false);
    expect(ELDERLY_AGE).toBe(60);
  });

  it('uses the China calendar date and handles 29 February', () => {
    // 2026-06-14 16:30 UTC is 15 June 00:30 in China: the birthday has come.
    expect(ageOn('1966-06-15', new Date('2026-06-14T16:30:00Z'))).toBe(60);
    expect(ageOn('1966-06-15', new Date('2026-06-14T15:30:00Z'))).toBe(59);
    expect(ageOn('2000-02-29', new Date('2021-02-28T04:00:00Z'))).toBe(20);
    expect(ageOn('2000-02-29', new Date('2021-03-01T04:00:00Z'))).toBe(21);
    expect(ageOn('2000-02-29', new Date('2024-02-29T04:00:00Z'))).toBe(24);
  });

  it('refuses malformed birth dates and ones after the day', () => {
    expect(() => ageOn('1966-6-15', TODAY)).toThrow(RangeError);
    expect(() => ageOn('19660615', TODAY)).toThrow(RangeError);
    expect(() => ageOn('1966-02-30', TODAY)).toThrow(RangeError);
    expect(() => ageOn('2026-06-16', TODAY)).toThrow(RangeError);
  });

  it('property: agrees with the birth date in an identity number and grows by one a year', () => {
    fc.assert(
      fc.property(validId, fc.integer({ min: 0, max: 80 }), (id, years) => {
        const { birthDate } = idNumberFacts(id, TODAY);
        const age = ageOn(birthDate, TODAY);
        expect(age).toBeGreaterThanOrEqual(0);
        const later = new Date(TODAY);
        later.setUTCFullYear(later.getUTCFullYear() + years);
        expect(ageOn(birthDate, later)).toBe(age + years);
        expect(isElderly(birthDate, TODAY)).toBe(age >= 60);
      }),
    );
  });
});

describe('name pieces (the name search index)', () => {
  it('keeps every one- and two-character piece, NFKC and lower-case', () => {
    expect(nameGrams('张三丰').sort()).toEqual(['三', '三丰', '丰', '张', '张三'].sort());
    expect(nameGrams(' ＡＮＮＡ ')).toEqual(['a', 'an', 'n', 'nn', 'na']);
    expect(nameQueryGrams('张')).toEqual(['张']);
    expect(nameQueryGrams('三丰')).toEqual(['三丰']);
    expect(nameQueryGrams('张三丰')).toEqual(['张三', '三丰']);
    expect(nameQueryGrams('  ')).toEqual([]);
  });

  it("property: every substring of a name has all its query pieces among the name's pieces", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'张王李赵欧阳晓雯三丰aB'), minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.nat(),
        (name, i, j) => {
          const chars = Array.from(name.toLowerCase());
          const from = i % chars.length;
          const to = from + 1 + (j % (chars.length - from));
          const q = chars.slice(from, to).join('');
          const pieces = new Set(nameGrams(name));
          return nameQueryGrams(q).every((g) => pieces.has(g));
        },
      ),
    );
  });
});
