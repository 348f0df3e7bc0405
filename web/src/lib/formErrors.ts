// Puts the server's per-field errors (`body.code`) on the matching antd form fields (`code`).
import type { FormInstance } from 'antd';
import { ApiError, errorText } from '../api/client';

/**
 * Shows `err` on `form`: each `errors[]` entry whose field (after `body.`) is one of `fields` goes
 * under that field. Returns the text left to show elsewhere (a message or an alert), or null when
 * everything landed on a field.
 */
export function applyServerErrors(
  form: FormInstance,
  err: unknown,
  fields: readonly string[],
  aliases: Record<string, string> = {},
): string | null {
  if (!(err instanceof ApiError) || err.errors.length === 0) return errorText(err);
  const byField = new Map<string, string[]>();
  const rest: string[] = [];
  for (const e of err.errors) {
    const raw = e.field.replace(/^body\./, '');
    const top = raw.split(/[.[/]/)[0] ?? raw;
    const name = aliases[top] ?? top;
    if (fields.includes(name)) byField.set(name, [...(byField.get(name) ?? []), e.message]);
    else rest.push(`${e.field}：${e.message}`);
  }
  form.setFields([...byField].map(([name, errors]) => ({ name, errors })));
  if (byField.size === 0) return errorText(err);
  return rest.length ? rest.join('；') : null;
}
