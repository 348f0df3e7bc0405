// Form rules for phone numbers.

/** A mainland mobile number (spaces, dashes and a +86 prefix allowed); the server checks it again. */
export const mobileRule = {
  validator: (_: unknown, value: string | undefined) =>
    !value?.trim() || /^(\+?86)?1[3-9]\d{9}$/.test(value.replace(/[\s\-()]/g, ''))
      ? Promise.resolve()
      : Promise.reject(new Error('请填写 11 位手机号码')),
};
