// The Fastify application: plugins in order, then every module's routes, then the console.
import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import { accountRoutes } from '../modules/accounts/routes.js';
import { auditRoutes } from '../modules/audit/routes.js';
import { regionRoutes } from '../modules/regions/routes.js';
import { registryRoutes } from '../modules/registry/routes.js';
import { organisationRoutes } from '../modules/organisations/routes.js';
import { importOrganisations, ORGANISATION_COLUMNS } from '../modules/organisations/ledger.js';
import { timelineRoutes } from '../modules/timeline/routes.js';
import { facilityRoutes } from '../modules/facilities/routes.js';
import { evaluationRoutes } from '../modules/evaluation/routes.js';
import { gridRoutes } from '../modules/grid/routes.js';
import { democracyRoutes } from '../modules/democracy/routes.js';
import { deviceRoutes } from '../modules/devices/routes.js';
import { deviceRuleRoutes } from '../modules/devices/rule-routes.js';
import { notificationRoutes } from '../modules/notifications/routes.js';
import '../modules/devices/measures.js'; // device-based live measures (`003` L2P6, L2P4)
import { deliberationRoutes } from '../modules/democracy/deliberation-routes.js';
import '../modules/democracy/measures.js'; // the e-voting live measure for evaluation (`003` L2P10)
import { open311Routes } from '../modules/grid/open311.js';
import '../modules/grid/kpis.js'; // the closed-loop live measure for evaluation (`003` L3P3)
import '../modules/registry/measures.js'; // the register's live measures for evaluation
import type { DataKeys } from '../crypto/personal-data.js';
import { systemRoutes } from '../modules/system/routes.js';
import type { RouteAccess } from './context.js';
import { installErrorHandling, sendProblem } from './errors.js';
import { installGuard } from './guard.js';
import { ProblemSchema } from './schemas.js';
import { installValidation } from './validation.js';

export interface AppOptions {
  db: Db;
  config: Config;
  /** Keys protecting personal data at rest (crypto/personal-data.ts). */
  keys: DataKeys;
  /** A pino logger to use; none logs nothing (tests). */
  logger?: FastifyBaseLogger;
}

/** Every route we declare, with the access it needs: read by the authorization matrix test. */
export interface DeclaredRoute extends RouteAccess {
  method: string;
  url: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    declaredRoutes: DeclaredRoute[];
  }
}

export async function buildApp({ db, config, keys, logger }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    routerOptions: { maxParamLength: 200 },
    genReqId: () => Math.random().toString(36).slice(2, 10),
    // Errors the router raises before any route runs (bad URL encoding, over-long parameters).
    frameworkErrors: (err, _req, reply) =>
      sendProblem(reply, {
        type: 'https://jiayuan.dev/problems/bad-url',
        title: '请求地址有误',
        status: err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400,
        detail: err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? '路径参数过长' : '请求地址无法解析',
      }),
    ajv: { customOptions: { coerceTypes: 'array' } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  installErrorHandling(app);
  // Ledgers (xlsx) are uploaded as the request body itself.
  app.addContentTypeParser(
    ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/octet-stream'],
    { parseAs: 'buffer', bodyLimit: 64 * 1024 * 1024 },
    (_req, body, done) => done(null, body),
  );
  installValidation(app);
  installGuard(app, db);

  app.decorate('declaredRoutes', [] as DeclaredRoute[]);
  app.addSchema(ProblemSchema);
  app.addHook('onRoute', (route) => {
    const cfg = route.config as Partial<RouteAccess> | undefined;
    // Fastify adds a HEAD route for each GET with the same schema object: describe it once.
    if (!cfg?.access || route.method === 'HEAD') return;
    const schema = (route.schema ??= {}) as Record<string, unknown>;
    // Pages outside the API (a hidden route, e.g. the 数字门牌 page) are not part of the documented API.
    if (schema.hide) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const m of methods) if (m !== 'HEAD') app.declaredRoutes.push({ method: m, url: route.url, ...cfg } as DeclaredRoute);
    const access = cfg.access === 'public' ? '公开' : cfg.access === 'authenticated' ? '任意已登录账号' : `需要权限 ${cfg.access}`;
    schema.description = [schema.description, `访问：${access}${cfg.scope ? '；目标须在本人管辖范围内' : ''}`].filter(Boolean).join('\n\n');
    if (cfg.access !== 'public') schema.security = [{ bearer: [] }];
    const response = (schema.response ??= {}) as Record<string, unknown>;
    response['4xx'] ??= { $ref: 'Problem#' };
    response['5xx'] ??= { $ref: 'Problem#' };
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: '家园 Jiayuan 智慧社区平台 API', version: '0.1.0', description: '错误统一为 application/problem+json。' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    refResolver: { buildLocalReference: (json, _base, _frag, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list' } });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(systemRoutes(db));
  await app.register(accountRoutes(db, config, keys));
  await app.register(regionRoutes(db));
  await app.register(auditRoutes(db));
  await app.register(
    registryRoutes(db, keys, config.publicUrl, [
      { kind: 'organisations', title: '组织', columns: ORGANISATION_COLUMNS, idempotentBy: '按名称', run: importOrganisations },
    ]),
  );
  await app.register(organisationRoutes(db));
  await app.register(timelineRoutes(db));
  await app.register(facilityRoutes(db));
  await app.register(evaluationRoutes(db));
  await app.register(gridRoutes(db, keys));
  await app.register(democracyRoutes(db));
  await app.register(deviceRoutes(db, keys, config));
  await app.register(deviceRuleRoutes(db));
  await app.register(notificationRoutes(db, keys, config.publicUrl));
  await app.register(deliberationRoutes(db));
  await app.register(open311Routes(db, keys, config.publicUrl));

  // The console (web/dist) at `/`; unknown non-API paths fall back to index.html for client routing.
  const index = path.join(config.webDist, 'index.html');
  const hasConsole = fs.existsSync(index);
  if (hasConsole) await app.register(fastifyStatic, { root: config.webDist, wildcard: false, index: ['index.html'] });
  app.setNotFoundHandler((req, reply) => {
    if (hasConsole && req.method === 'GET' && !req.url.startsWith('/api/') && !req.url.startsWith('/open311/'))
      return reply.type('text/html; charset=utf-8').send(fs.createReadStream(index));
    return sendProblem(reply, {
      type: 'https://jiayuan.dev/problems/route-not-found',
      title: '接口不存在',
      status: 404,
      detail: `${req.method} ${req.url.split('?')[0]} 不存在`,
    });
  });
  return app;
}
