// Wires config → database → HTTP; nothing else.
import pino from 'pino';
import { bootstrap } from './bootstrap.js';
import { loadDataKeys } from './crypto/personal-data.js';
import { loadConfig } from './config.js';
import { openDatabase } from './db/database.js';
import { handleSignalsOurselves } from './db/embedded.js';
import { buildApp } from './http/app.js';
import type { NotifiedWorker } from './db/notified-worker.js';
import { startSealer } from './modules/audit/service.js';
import { startDispatcher } from './modules/events/service.js';
import { startSmsWorker } from './modules/notifications/service.js';
import { startTimeline } from './modules/timeline/service.js';
import { startDeadlineWorker, type DeadlineWorker } from './modules/deadlines/service.js';
import { registerGridDeadlines } from './modules/grid/service.js';
import { registerDemocracyDeadlines } from './modules/democracy/service.js';
import { registerSupervisionDeadlines } from './modules/democracy/supervision.js';
import { registerDeliberationDeadlines } from './modules/democracy/deliberation.js';
import { registerDeviceDeadlines, startTelemetryMaintenance } from './modules/devices/service.js';
import { startResidentCountCompaction } from './modules/registry/measures.js';
import { startEmbeddedBroker, startExternalIngest, type MqttIngest } from './modules/devices/mqtt.js';
import type { FastifyInstance } from 'fastify';

const cfg = loadConfig();
const log = pino({ level: cfg.logLevel });

const database = await openDatabase(cfg, (m) => log.debug({ component: 'postgres' }, m));
log.info(
  { embedded: !!database.embedded, port: database.embedded?.port },
  database.embedded ? 'embedded PostgreSQL started' : 'using DATABASE_URL',
);

// Filled in as the parts start, so a signal at any moment stops what is running.
const running: {
  app?: FastifyInstance;
  dispatcher?: NotifiedWorker;
  sms?: NotifiedWorker;
  sealer?: NotifiedWorker;
  deadlines?: DeadlineWorker;
  mqtt?: MqttIngest;
  maintenance?: () => void;
  counts?: () => void;
} = {};
let shuttingDown = false;
const shutdown = async (signal: string) => {
  if (shuttingDown) return;
  shuttingDown = true;
  log.info({ signal }, 'shutting down');
  await running.mqtt?.stop().catch(() => {});
  running.maintenance?.();
  running.counts?.();
  await running.app?.close().catch(() => {});
  await running.dispatcher?.stop().catch(() => {});
  await running.sms?.stop().catch(() => {});
  await running.sealer?.stop().catch(() => {});
  await running.deadlines?.stop().catch(() => {});
  await database.close();
  process.exit(0);
};
handleSignalsOurselves();
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

const keys = loadDataKeys({ env: process.env, dataDir: cfg.dataDir, allowGenerated: true, log: (m) => log.warn(m) });
const boot = await bootstrap(database.db, cfg, keys);
if (boot.seeded === 'demo') log.info('empty database: demo city 青川市 loaded');
if (boot.generatedAdminPassword) {
  // Printed once, to the terminal only; it is not stored anywhere in plain text.
  process.stdout.write(
    `\n  管理员账号已创建 / admin account created\n  username: admin\n  password: ${boot.generatedAdminPassword}\n  (shown once; set JIAYUAN_ADMIN_PASSWORD to choose it)\n\n`,
  );
}

startTimeline(database.db);
running.dispatcher = startDispatcher(database.db, (err) => log.error({ err }, 'outbox dispatch failed'));
running.sms = startSmsWorker(database.db, keys, { url: cfg.smsUrl }, (err) => log.error({ err }, 'SMS delivery failed'));
running.sealer = startSealer(database.db, (err) => log.error({ err }, 'audit sealing failed'));
registerGridDeadlines();
registerDemocracyDeadlines();
registerSupervisionDeadlines();
// Every kind's handler is registered before the worker starts, so nothing due at start fails for want of one.
registerDeliberationDeadlines();
registerDeviceDeadlines(keys);
// The register's kept counts (evaluation measures): fold their delta rows every minute.
running.counts = startResidentCountCompaction(database.db, (err) => log.error({ err }, 'resident count compaction failed'));
running.deadlines = startDeadlineWorker(database.db, (err) => log.error({ err }, 'deadline firing failed'));
const app = await buildApp({ db: database.db, config: cfg, keys, logger: log });
running.app = app;
await app.listen({ port: cfg.port, host: cfg.host });
log.info(`Jiayuan is running on http://localhost:${cfg.port}`);

// Devices: telemetry partitions ahead and retention (hourly check), then the MQTT ingest — the embedded
// broker on its own port, or the external broker of MQTT_URL.
running.maintenance = startTelemetryMaintenance(database.db, cfg.telemetryRetentionDays, (err) =>
  log.error({ err }, 'telemetry maintenance failed'),
);
running.mqtt = cfg.mqttUrl
  ? await startExternalIngest(database.db, cfg.mqttUrl, log)
  : await startEmbeddedBroker(database.db, cfg.mqttPort, log, cfg.host);
