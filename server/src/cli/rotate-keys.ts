// `npm run rotate-keys`: after a change of JIAYUAN_DATA_KEY (the old key moved to
// JIAYUAN_DATA_KEY_PREVIOUS, the server restarted with both), re-encrypt every piece of personal data
// under the new key and recompute its blind indexes (crypto/rotate.ts). Runs beside the server; can be
// stopped at any time and run again. Exit 0 when everything is under the current key (the previous
// keys can then be dropped), 1 otherwise.
import { loadConfig } from '../config.js';
import { loadDataKeys, PREVIOUS_DATA_KEYS_ENV, type DataKeys } from '../crypto/personal-data.js';
import { rotateDataKeys, type TableReport } from '../crypto/rotate.js';
import { openDatabase } from '../db/database.js';
import { sealPending } from '../modules/audit/service.js';

// --batch-size=N: rows per batch (one UPDATE, one transaction); smaller batches hold row locks for less time.
const batchArg = process.argv.find((a) => a.startsWith('--batch-size='));
const batchSize = batchArg ? Number(batchArg.slice('--batch-size='.length)) : 1000;
if (!Number.isInteger(batchSize) || batchSize < 1) {
  console.error('--batch-size must be a positive integer');
  process.exit(1);
}

const cfg = loadConfig();
let keys: DataKeys;
try {
  // As the server loads them (src/main.ts).
  keys = loadDataKeys({ env: process.env, dataDir: cfg.dataDir, allowGenerated: true });
} catch (e) {
  console.error(`cannot load the data keys: ${(e as Error).message}`);
  process.exit(1);
}

// The database the server uses: DATABASE_URL, else the embedded one in the data directory — the
// running server's (connected to, not started: starting it again would stop the server's), or
// started here when the server is not running.
const database = await openDatabase(cfg, (m) => console.log(m), { beside: true });
if (database.embedded) console.log(`started the embedded PostgreSQL in ${cfg.dataDir} (do not start the server until this ends)`);
const db = database.db;

console.log(
  `current key ${keys.keyId}; previous keys: ${keys.previousKeyIds.join(', ') || `none (${PREVIOUS_DATA_KEYS_ENV} is empty: only checking)`}`,
);

const line = (t: TableReport) =>
  `${t.table.padEnd(12)} ${String(t.scanned).padStart(8)} read ${String(t.rewritten).padStart(8)} rewritten` +
  (t.changedMeanwhile ? `, ${t.changedMeanwhile} changed meanwhile (redone)` : '') +
  (t.skipped ? `, ${t.skipped} skipped` : '') +
  (t.conflicts ? `, ${t.conflicts} in conflict` : '') +
  (t.unreadable ? `, ${t.unreadable} unreadable` : '');

let lastPrint = 0;
try {
  const report = await rotateDataKeys(db, keys, {
    userAgent: 'npm run rotate-keys',
    batchSize,
    onProgress: (t) => {
      if (Date.now() - lastPrint < 1000) return;
      lastPrint = Date.now();
      console.log(`  … ${line(t)}`);
    },
  });
  while ((await sealPending(db)) > 0); // chain the run's audit entry now
  console.log('');
  for (const t of report.tables) console.log(line(t));
  console.log(`${report.rewritten} rows rewritten in ${(report.ms / 1000).toFixed(1)} s`);
  for (const p of report.problems) console.error(`  problem: ${p}`);
  if (report.done) {
    console.log(
      `All personal data is under key ${report.keyId}.` +
        (keys.previousKeyIds.length ? ` ${PREVIOUS_DATA_KEYS_ENV} can now be removed (then restart the server).` : ''),
    );
  } else {
    console.error(
      'Not finished: rows are left under a previous key (see the problems above). Keep the previous keys, fix what is named, and run again.',
    );
  }
  process.exitCode = report.done ? 0 : 1;
} catch (e) {
  console.error(`key rotation failed: ${(e as Error).message}`);
  console.error('What was rewritten stays rewritten; run the command again to finish.');
  process.exitCode = 1;
} finally {
  await database.close();
}
