// What a request carries through the chain: who is calling, from where, and what the route demands.
import type { FastifyRequest } from 'fastify';
import type { Db } from '../db/pool.js';
import type { Permission, Role } from '../modules/accounts/model.js';
import type { Level } from '../modules/regions/model.js';

export interface Caller {
  userId: string;
  sessionId: string;
  username: string;
  displayName: string;
  roles: Role[];
  regionId: string;
  regionPath: string;
  regionLevel: Level;
}

/**
 * Where the target of a request is found, so the scope guard can check that the caller's region
 * contains it. `kind` names a resolver registered by the module that owns that kind of object.
 */
export interface ScopeTarget {
  kind: string;
  from: `params.${string}` | `body.${string}` | `query.${string}`;
  /** Chinese name of the object, for messages ("区划", "用户"). */
  label: string;
}

export interface RouteAccess {
  /** `public`: no login; `authenticated`: any logged-in account; otherwise the permission needed. */
  access: 'public' | 'authenticated' | Permission;
  scope?: ScopeTarget[];
  /** Audit action name for writes, e.g. `region.create`. */
  action?: string;
}

declare module 'fastify' {
  interface FastifyContextConfig extends Partial<RouteAccess> {}
  interface FastifyRequest {
    caller: Caller | null;
    /** Set once an audit entry for this request has been committed. */
    audited: boolean;
  }
}

/** What a service needs to know about the request it serves. */
export interface Ctx {
  db: Db;
  caller: Caller;
  ip: string;
  userAgent: string | null;
  action: string;
  /** Mark that this request's audit entry committed with its change. */
  markAudited(): void;
}

export function ctxOf(req: FastifyRequest, db: Db): Ctx {
  if (!req.caller) throw new Error('ctxOf on an unauthenticated request');
  return {
    db,
    caller: req.caller,
    ip: req.ip,
    userAgent: req.headers['user-agent'] ?? null,
    action: req.routeOptions.config.action ?? `${req.method} ${req.routeOptions.url}`,
    markAudited: () => {
      req.audited = true;
    },
  };
}
