// `npm run audit:verify`: recompute the audit hash chain; exit 1 at the first broken link.
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { sealPending, verifyChain } from '../modules/audit/service.js';

const database = await openDatabase(loadConfig(), (m) => console.log(m), { beside: true });
try {
  while ((await sealPending(database.db)) > 0);
  const r = await verifyChain(database.db);
  if (r.ok) console.log(`audit chain intact: ${r.checked} entries, last seq ${r.lastSeq}`);
  else console.error(`audit chain BROKEN at seq ${r.break!.seq} (${r.break!.reason}); ${r.checked} entries verified before it`);
  process.exitCode = r.ok ? 0 : 1;
} finally {
  await database.close();
}
