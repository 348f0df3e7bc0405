// `npm run migrate`: apply the checked-in migrations to the configured database and exit.
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { runMigrations } from '../db/pool.js';

const database = await openDatabase(loadConfig(), (m) => console.log(m), { beside: true });
try {
  await runMigrations(database.db);
  console.log('migrations applied');
} finally {
  await database.close();
}
