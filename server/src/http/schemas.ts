// Schemas shared by every module's routes (TypeBox: one definition gives validation, types and OpenAPI).
import { Type, type TSchema } from 'typebox';

export const Uuid = Type.String({ format: 'uuid', description: 'UUID' });

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  { $id: 'Problem', description: 'application/problem+json (RFC 9457)' },
);

export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });

export const Paging = {
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, default: 1, description: '页码，从 1 开始' })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 20, description: '每页条数' })),
};

export function page<T extends TSchema>(items: T) {
  return Type.Object({ items: Type.Array(items), total: Type.Integer() });
}
