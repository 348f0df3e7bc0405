// `npm run seed -- --reset`: recreate the demo city. --reset drops every table first (the audit
// log included: a demo reset is the one place history is thrown away, on purpose).
import { sql } from 'drizzle-orm';
import { bootstrap } from '../bootstrap.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { loadDataKeys } from '../crypto/personal-data.js';

const reset = process.argv.includes('--reset');
const cfg = { ...loadConfig(), demo: true };
const database = await openDatabase(cfg, (m) => console.log(m), { beside: true });
try {
  if (reset) {
    await database.db.execute(sql`drop schema if exists public cascade`);
    await database.db.execute(sql`drop schema if exists drizzle cascade`);
    await database.db.execute(sql`create schema public`);
  }
  const keys = loadDataKeys({ env: process.env, dataDir: cfg.dataDir, allowGenerated: true });
  const r = await bootstrap(database.db, cfg, keys);
  console.log(r.seeded === 'demo' ? 'demo city 青川市 loaded' : 'database already holds data; nothing seeded (use --reset to recreate)');
  if (r.generatedAdminPassword) console.log(`admin password: ${r.generatedAdminPassword}`);
} finally {
  await database.close();
}
