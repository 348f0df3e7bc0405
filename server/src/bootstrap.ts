// What a start does to a database before serving: migrate, and on an empty one, the first data.
import type { Config } from './config.js';
import type { Db } from './db/pool.js';
import { runMigrations } from './db/pool.js';
import { DEMO_CITY, seedCityOnly, seedDemo } from './demo/seed.js';
import { ensureAdmin } from './modules/accounts/service.js';
import type { DataKeys } from './crypto/personal-data.js';
import { seedRegister } from './demo/register.js';
import { seedOrganisations } from './demo/organisations.js';
import { seedGrid } from './demo/grid.js';
import { seedDemocracy } from './demo/democracy.js';
import { seedDevices } from './demo/devices.js';
import { sql } from 'drizzle-orm';
import { ensureCatalogue } from './modules/grid/catalogue.js';
import { ensureDemoPartner } from './modules/grid/config.js';

export interface BootstrapResult {
  seeded: 'demo' | 'city' | null;
  /** Set only when `admin` was created now with a generated password. */
  generatedAdminPassword: string | null;
}

export async function bootstrap(db: Db, cfg: Config, keys: DataKeys, env: NodeJS.ProcessEnv = process.env): Promise<BootstrapResult> {
  await runMigrations(db);
  let seeded: BootstrapResult['seeded'] = null;
  const { rows } = await db.execute<{ id: string }>(sql`select id from regions where parent_id is null order by created_at limit 1`);
  let cityId = rows[0]?.id;
  if (!cityId) {
    if (cfg.demo) {
      cityId = (await seedDemo(db)).cityId;
      await seedRegister(db, keys);
      await seedOrganisations(db);
      await seedGrid(db, keys);
      await seedDemocracy(db);
      await seedDevices(db);
      seeded = 'demo';
    } else {
      cityId = await seedCityOnly(db, env.JIAYUAN_CITY_NAME ?? DEMO_CITY.name, env.JIAYUAN_CITY_CODE ?? DEMO_CITY.code);
      seeded = 'city';
    }
  }
  // Reference data every installation needs, and the Open311 demo partner when its key is configured.
  await ensureCatalogue(db);
  await ensureDemoPartner(db, env.JIAYUAN_OPEN311_DEMO_KEY);
  const generatedAdminPassword = await ensureAdmin(db, cityId, cfg.adminPassword);
  return { seeded, generatedAdminPassword };
}
