// Every setting the server reads, from the environment, in one place.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Config {
  port: number;
  host: string;
  /** External PostgreSQL; when unset the embedded server is used. */
  databaseUrl: string | undefined;
  /** Where the embedded PostgreSQL keeps its files (and other local state). */
  dataDir: string;
  /** Load the demo city into an empty database. */
  demo: boolean;
  adminPassword: string | undefined;
  sessionTtlSeconds: number;
  logLevel: string;
  /** Built console assets served at `/`. */
  webDist: string;
  /** Failed logins before an account is locked, and for how long. */
  loginMaxFailures: number;
  loginLockSeconds: number;
  /** Trust X-Forwarded-For from a reverse proxy. */
  trustProxy: boolean;
  /** The address residents reach the platform at, for QR links (数字门牌); else the request's host. */
  publicUrl: string | undefined;
  /** External MQTT broker (Mosquitto, EMQX) the platform subscribes to; when unset, an embedded broker listens on mqttPort. */
  mqttUrl: string | undefined;
  mqttPort: number;
  /** Days of telemetry kept (older daily partitions are dropped). */
  telemetryRetentionDays: number;
  /** SMS gateway the platform POSTs {phone, text} to; unset, text messages are recorded as no_gateway, not sent. */
  smsUrl: string | undefined;
}

function intEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: intEnv(env, 'PORT', 8080),
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(projectRoot, env.JIAYUAN_DATA_DIR ?? 'data'),
    demo: env.JIAYUAN_DEMO !== '0',
    adminPassword: env.JIAYUAN_ADMIN_PASSWORD || undefined,
    sessionTtlSeconds: intEnv(env, 'JIAYUAN_SESSION_TTL', 12 * 3600),
    logLevel: env.LOG_LEVEL ?? 'info',
    webDist: path.resolve(projectRoot, env.JIAYUAN_WEB_DIST ?? 'web/dist'),
    loginMaxFailures: intEnv(env, 'JIAYUAN_LOGIN_MAX_FAILURES', 5),
    loginLockSeconds: intEnv(env, 'JIAYUAN_LOGIN_LOCK_SECONDS', 15 * 60),
    trustProxy: env.JIAYUAN_TRUST_PROXY === '1',
    publicUrl: env.JIAYUAN_PUBLIC_URL?.replace(/\/$/, '') || undefined,
    mqttUrl: env.MQTT_URL || undefined,
    mqttPort: intEnv(env, 'JIAYUAN_MQTT_PORT', 1884),
    telemetryRetentionDays: intEnv(env, 'JIAYUAN_TELEMETRY_RETENTION_DAYS', 90),
    smsUrl: env.JIAYUAN_SMS_URL || undefined,
  };
}
