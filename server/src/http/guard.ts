// The chain every route passes through, in one place:
//   authenticate (onRequest) → permission (onRequest) → schema validation → scope (preHandler)
//   → handler (service, one transaction, audit entry inside it) → audit of refused writes (onSend).
// Routes declare `config: { access, scope, action }`; nothing else decides who may do what.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { coalesced, coalescedPer } from '../db/coalesce.js';
import type { Db } from '../db/pool.js';
import { transaction } from '../db/notified-worker.js';
import { hasPermission, isRole, type Role } from '../modules/accounts/model.js';
import { appendAudit } from '../modules/audit/service.js';
import type { Level } from '../modules/regions/model.js';
import type { Caller, ScopeTarget } from './context.js';
import { problems } from './errors.js';

export type ScopeResolver = (db: Db, id: string) => Promise<string | null>;

const resolvers = new Map<string, ScopeResolver>();

/** A module registers how to find the region path of the objects it owns. */
export function registerScopeResolver(kind: string, resolve: ScopeResolver): void {
  resolvers.set(kind, resolve);
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

interface SessionRow {
  sid: string;
  expires_at: Date;
  revoked_at: Date | null;
  user_id: string;
  username: string;
  display_name: string;
  roles: string[];
  status: string;
  region_id: string;
  path: string;
  level: Level;
  token_hash: string;
}

/** Sessions by token hash, concurrent requests' lookups coalesced into one query (db/coalesce.ts). */
const sessionByHash = coalescedPer((db: Db) =>
  coalesced<string, SessionRow>(async (hashes) => {
    const { rows } = await db.$client.query<SessionRow>(
      `select s.id as sid, s.expires_at, s.revoked_at, u.id as user_id, u.username, u.display_name, u.roles,
              u.status, u.region_id, r.path, r.level, s.token_hash
         from sessions s join users u on u.id = s.user_id join regions r on r.id = u.region_id
        where s.token_hash = any($1::text[])`,
      [hashes],
    );
    return new Map(rows.map((r) => [r.token_hash, r]));
  }),
);

async function authenticate(db: Db, req: FastifyRequest): Promise<Caller | null> {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(h);
  if (!m) throw problems.unauthenticated('Authorization 头格式应为 Bearer <token>');
  const s = await sessionByHash(db)(tokenHash(m[1]!));
  if (!s || s.revoked_at || s.expires_at.getTime() <= Date.now()) throw problems.unauthenticated('登录已过期，请重新登录');
  if (s.status !== 'active') throw problems.accountDisabled();
  return {
    userId: s.user_id,
    sessionId: s.sid,
    username: s.username,
    displayName: s.display_name,
    roles: s.roles.filter(isRole) as Role[],
    regionId: s.region_id,
    regionPath: s.path,
    regionLevel: s.level,
  };
}

function valueAt(req: FastifyRequest, from: ScopeTarget['from']): unknown {
  const [part, key] = from.split('.') as ['params' | 'body' | 'query', string];
  const src = part === 'params' ? req.params : part === 'body' ? req.body : req.query;
  return src && typeof src === 'object' ? (src as Record<string, unknown>)[key] : undefined;
}

/** Throws unless the caller's region contains every target the route names. */
async function checkScope(db: Db, req: FastifyRequest, targets: readonly ScopeTarget[]): Promise<void> {
  const caller = req.caller!;
  for (const t of targets) {
    const id = valueAt(req, t.from);
    if (id === undefined || id === null) continue; // optional and absent
    const resolve = resolvers.get(t.kind);
    if (!resolve) throw new Error(`no scope resolver for kind "${t.kind}"`);
    const path = await resolve(db, String(id));
    if (path === null) {
      if (t.from.startsWith('params.')) throw problems.notFound(t.label);
      throw problems.field(t.from, `${t.label}不存在`);
    }
    if (!path.startsWith(caller.regionPath)) throw problems.outOfScope(`该${t.label}不在您的管辖范围内`);
  }
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** What a refused write aimed at: the object its route names (in the path, else in the body or query). */
function refusedTarget(req: FastifyRequest): { targetType: string | null; targetId: string | null } {
  const scope = req.routeOptions.config.scope ?? [];
  const ordered = [...scope.filter((s) => s.from.startsWith('params.')), ...scope.filter((s) => !s.from.startsWith('params.'))];
  for (const target of ordered) {
    const id = valueAt(req, target.from);
    if (typeof id === 'string') return { targetType: target.kind, targetId: id.slice(0, 100) };
  }
  return { targetType: null, targetId: null };
}

export function installGuard(app: FastifyInstance, db: Db): void {
  app.decorateRequest('caller', null);
  app.decorateRequest('audited', false);

  app.addHook('onRequest', async (req) => {
    const access = req.routeOptions.config.access;
    if (access === undefined) return; // not one of ours (static files, docs, 404)
    // A public route may carry other credentials of its own (a device's HTTP Basic); only Bearer tokens are ours.
    if (access === 'public' && req.headers.authorization && !req.headers.authorization.startsWith('Bearer ')) return;
    req.caller = await authenticate(db, req);
    if (access === 'public') return;
    if (!req.caller) throw problems.unauthenticated();
    if (access !== 'authenticated' && !hasPermission(req.caller.roles, access)) throw problems.forbidden();
  });

  app.addHook('preHandler', async (req) => {
    const scope = req.routeOptions.config.scope;
    if (scope && req.caller) await checkScope(db, req, scope);
  });

  // A write that did not commit its own audit entry (refused, invalid, failed) is recorded here,
  // in its own transaction, before the answer leaves.
  app.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply, payload) => {
    if (!WRITE_METHODS.has(req.method) || req.audited || req.routeOptions.config.access === undefined) return payload;
    const status = reply.statusCode;
    const outcome =
      status < 400 ? 'success' : status === 401 || status === 403 || status === 423 ? 'denied' : status < 500 ? 'rejected' : 'error';
    let detail: Record<string, unknown> = {};
    if (status >= 400 && typeof payload === 'string') {
      try {
        const p = JSON.parse(payload) as { type?: string; detail?: string };
        detail = { problem: p.type, message: p.detail };
      } catch {
        /* not JSON */
      }
    }
    // A failed login concerns the account it named: its area's auditors see the attempt.
    let scopePath: string | undefined;
    const body = req.body as Record<string, unknown> | undefined;
    try {
      if (req.routeOptions.url === '/api/auth/login' && body && typeof body.username === 'string') {
        detail.username = body.username.slice(0, 64);
        const { rows } = await db.$client.query<{ path: string }>(
          'select r.path from users u join regions r on r.id = u.region_id where lower(u.username) = lower($1)',
          [detail.username],
        );
        scopePath = rows[0]?.path;
      }
      await transaction(db, (tx) =>
        appendAudit(tx, {
          caller: req.caller,
          ip: req.ip,
          userAgent: req.headers['user-agent'] ?? null,
          action: req.routeOptions.config.action ?? `${req.method} ${req.routeOptions.url}`,
          ...refusedTarget(req),
          ...(scopePath ? { scopePath } : {}),
          outcome,
          statusCode: status,
          detail,
        }),
      );
      req.audited = true;
    } catch (err) {
      req.log.error({ err }, 'could not write audit entry for refused request');
    }
    return payload;
  });
}
