import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { creditCheckChar, creditCodeProblem } from './model.js';

const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

describe('unified social credit code (GB 32100)', () => {
  it('accepts published example codes and rejects a wrong check character', () => {
    // Codes printed on public business licences.
    expect(creditCodeProblem('91350100M000100Y43')).toBeNull();
    expect(creditCodeProblem('911101087226100013'.slice(0, 17) + creditCheckChar('91110108722610001'))).toBeNull();
    expect(creditCodeProblem('91350100M000100Y44')).toBe('统一社会信用代码校验位不正确');
    expect(creditCodeProblem('91350100M00010')).toBe('统一社会信用代码应为 18 位');
    expect(creditCodeProblem('91350100M000100YO3')).toContain('无效字符');
  });

  it('any code built with the check character validates, and any single change is caught', () => {
    const char = fc.constantFrom(...CHARSET);
    fc.assert(
      fc.property(fc.array(char, { minLength: 17, maxLength: 17 }), fc.nat(16), char, (body, pos, replacement) => {
        const first = body.join('');
        const code = first + creditCheckChar(first);
        if (creditCodeProblem(code) !== null) return false;
        if (replacement === code[pos]) return true;
        const changed = code.slice(0, pos) + replacement + code.slice(pos + 1);
        return creditCodeProblem(changed) !== null;
      }),
    );
  });
});
