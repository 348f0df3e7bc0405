// Request validation: JSON bodies are checked strictly (no type coercion, unknown fields refused);
// path and query strings are coerced to the declared types. Ajv's messages become Chinese ones
// naming the field.
import { Ajv, type ErrorObject, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { problems, type FieldError } from './errors.js';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function makeAjv(opts: Options): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true, removeAdditional: false, ...opts });
  addFormats(ajv);
  return ajv;
}

const TYPE_NAMES: Record<string, string> = {
  string: '字符串',
  number: '数字',
  integer: '整数',
  boolean: '布尔值',
  object: '对象',
  array: '数组',
  null: 'null',
};
const FORMAT_NAMES: Record<string, string> = {
  uuid: 'UUID',
  'date-time': '日期时间（ISO 8601）',
  date: '日期（YYYY-MM-DD）',
  email: '电子邮箱',
  uri: 'URI',
};

function message(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return '缺少必填字段';
    case 'additionalProperties':
      return '不允许的字段';
    case 'type': {
      const types = String(p.type)
        .split(',')
        .map((t) => TYPE_NAMES[t] ?? t);
      return `类型应为${types.join('或')}`;
    }
    case 'minLength':
      return `长度不能少于 ${String(p.limit)} 个字符`;
    case 'maxLength':
      return `长度不能超过 ${String(p.limit)} 个字符`;
    case 'minimum':
      return `不能小于 ${String(p.limit)}`;
    case 'maximum':
      return `不能大于 ${String(p.limit)}`;
    case 'exclusiveMinimum':
      return `应大于 ${String(p.limit)}`;
    case 'exclusiveMaximum':
      return `应小于 ${String(p.limit)}`;
    case 'format':
      return `格式不正确，应为${FORMAT_NAMES[String(p.format)] ?? String(p.format)}`;
    case 'enum':
      return `取值应为以下之一：${(p.allowedValues as unknown[]).map(String).join('、')}`;
    case 'const':
      return `取值应为 ${String(p.allowedValue)}`;
    case 'pattern':
      return '格式不正确';
    case 'minItems':
      return `至少需要 ${String(p.limit)} 项`;
    case 'maxItems':
      return `最多允许 ${String(p.limit)} 项`;
    case 'uniqueItems':
      return '不能包含重复项';
    case 'anyOf':
    case 'oneOf':
      return '取值不符合任何允许的形式';
    default:
      return '取值不正确';
  }
}

const PART_NAMES: Record<string, string> = { querystring: 'query', body: 'body', params: 'params', headers: 'headers' };

export function toFieldErrors(errors: readonly ErrorObject[], part: string): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const e of errors) {
    // anyOf/oneOf report every branch; the summary entry is enough.
    if (errors.some((o) => (o.keyword === 'anyOf' || o.keyword === 'oneOf') && o !== e && e.schemaPath.startsWith(o.schemaPath))) continue;
    const p = e.params as Record<string, unknown>;
    const segs = e.instancePath
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (e.keyword === 'required') segs.push(String(p.missingProperty));
    if (e.keyword === 'additionalProperties') segs.push(String(p.additionalProperty));
    const field = [PART_NAMES[part] ?? part, ...segs].join('.');
    const msg = message(e);
    const key = `${field}|${msg}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ field, message: msg });
  }
  return out;
}

/** The first string in `v` that holds a NUL character, as a field path (PostgreSQL text cannot hold one). */
export function findNul(v: unknown, path: string, depth = 0): string | null {
  if (typeof v === 'string') return v.includes('\u0000') ? path : null;
  if (depth > 64 || v === null || typeof v !== 'object') return null;
  for (const [k, x] of Object.entries(v)) {
    const hit = findNul(x, `${path}.${k}`, depth + 1);
    if (hit) return hit;
  }
  return null;
}

export function installValidation(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    const hit = findNul(req.params, 'params') ?? findNul(req.query, 'query') ?? findNul(req.body, 'body');
    if (hit) throw problems.field(hit, '不能包含空字符（\\u0000）');
  });
  const strict = makeAjv({ coerceTypes: false });
  const coercing = makeAjv({ coerceTypes: 'array' });
  app.setValidatorCompiler(({ schema, httpPart }: { schema: FastifySchema; httpPart?: string }) =>
    (httpPart === 'body' ? strict : coercing).compile(schema as object),
  );
  app.setSchemaErrorFormatter((errors, dataVar) => problems.validation(toFieldErrors(errors as ErrorObject[], dataVar)));
}
