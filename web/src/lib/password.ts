// The server's password policy, checked early so people see the rule before submitting.
import type { FormRule } from 'antd';

export const PASSWORD_HINT = '8 位以上，包含大写字母、小写字母、数字、符号中的至少三类';

export function passwordProblem(pw: string): string | null {
  if (pw.length < 8) return '密码至少 8 位';
  if (pw.length > 128) return '密码不能超过 128 位';
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^a-zA-Z\d]/].filter((re) => re.test(pw)).length;
  if (classes < 3) return '密码需包含大写字母、小写字母、数字、符号中的至少三类';
  return null;
}

export const passwordRule: FormRule = {
  validator: (_, value: string | undefined) => {
    if (!value) return Promise.resolve();
    const problem = passwordProblem(value);
    return problem ? Promise.reject(new Error(problem)) : Promise.resolve();
  },
};
