// One error shape for every answer: application/problem+json (RFC 9457) with a stable `type` for
// programs, Chinese `title`/`detail` for people, and `errors[]` naming each bad field.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pgErrorCode } from '../db/pool.js';

export interface FieldError {
  /** JSON-pointer-like location: `body.username`, `query.page`, `params.id`. */
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
}

const TYPE_BASE = 'https://jiayuan.dev/problems/';

const CHINA_TIME = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});
/** A time as people in China read it: `2026/11/22 08:48` (Asia/Shanghai). */
export const chinaTime = (d: Date) => CHINA_TIME.format(d);

/** `body.roles.0` → `roles.0`: the part of the request is for programs, the field for people. */
const fieldName = (f: string) => f.replace(/^(body|query|params|headers)\./, '');

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: FieldError[],
  ) {
    super(detail ?? title);
  }
  toProblem(): Problem {
    return {
      type: TYPE_BASE + this.code,
      title: this.title,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

// Factories with stable codes; modules use these rather than inventing shapes.
export const problems = {
  validation: (errors: FieldError[], detail?: string) =>
    new AppError(400, 'validation', '请求参数有误', detail ?? errors.map((e) => `${fieldName(e.field)}：${e.message}`).join('；'), errors),
  field: (field: string, message: string) => problems.validation([{ field, message }]),
  unauthenticated: (detail = '请先登录') => new AppError(401, 'unauthenticated', '未登录或登录已过期', detail),
  badCredentials: () => new AppError(401, 'bad-credentials', '用户名或密码错误', '用户名或密码错误'),
  accountLocked: (until: Date) =>
    new AppError(423, 'account-locked', '账号已临时锁定', `登录失败次数过多，请于 ${chinaTime(until)} 后再试`),
  accountDisabled: () => new AppError(403, 'account-disabled', '账号已停用', '该账号已停用，请联系管理员'),
  forbidden: (detail = '当前角色无权执行此操作', errors?: FieldError[]) => new AppError(403, 'forbidden', '无权访问', detail, errors),
  outOfScope: (detail = '目标不在您的管辖范围内') => new AppError(403, 'out-of-scope', '超出管辖范围', detail),
  notFound: (what: string) => new AppError(404, 'not-found', '资源不存在', `${what}不存在`),
  conflict: (detail: string, errors?: FieldError[]) => new AppError(409, 'conflict', '数据冲突', detail, errors),
};

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.status(p.status).type('application/problem+json; charset=utf-8').send(p);
}

/** Maps what Fastify itself throws (parsing, limits, routing) to problems; never a 5xx for bad input. */
function fromFastifyError(err: FastifyError): AppError | null {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError(400, 'malformed-body', '请求体格式错误', '请求体不是有效的 JSON');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError(413, 'body-too-large', '请求体过大', '请求体超过允许的大小');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError(415, 'unsupported-media-type', '不支持的内容类型', '请求体的内容类型不受此接口支持（见接口说明）');
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_ASYNC_CONSTRAINT':
      return new AppError(400, 'bad-url', '请求地址有误', '请求地址无法解析');
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    if (err.statusCode === 429) return new AppError(429, 'rate-limited', '请求过于频繁', '请稍后再试');
    return new AppError(err.statusCode, 'bad-request', '请求有误', err.message);
  }
  return null;
}

// PostgreSQL errors caused by input that passed schema validation (e.g. a value out of int range).
function fromPgError(err: unknown): AppError | null {
  switch (pgErrorCode(err)) {
    case '22P02': // invalid_text_representation
    case '22003': // numeric_value_out_of_range
    case '22007': // invalid_datetime_format
    case '22008': // datetime_field_overflow
    case '22021': // character_not_in_repertoire (e.g. NUL byte)
    case '22001': // string_data_right_truncation
    case '54000': // program_limit_exceeded (index row too large)
      return new AppError(400, 'bad-value', '请求参数有误', '参数取值超出允许范围或格式不正确');
    case '23505':
      return problems.conflict('与已有数据重复');
    case '23503':
      return problems.conflict('关联的数据不存在或仍被引用');
  }
  return null;
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError & { validation?: unknown }, req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof AppError) return sendProblem(reply, err.toProblem());
    const mapped = fromFastifyError(err) ?? fromPgError(err);
    if (mapped) return sendProblem(reply, mapped.toProblem());
    req.log.error({ err }, 'unhandled error');
    return sendProblem(reply, {
      type: TYPE_BASE + 'internal',
      title: '服务器内部错误',
      status: 500,
      detail: `请求处理失败，请联系管理员（请求编号 ${req.id}）`,
    });
  });
}
