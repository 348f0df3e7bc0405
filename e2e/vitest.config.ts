import path from 'node:path';
import { defineConfig } from 'vitest/config';

// Browser tests against the real server (embedded PostgreSQL, demo data) serving the built console.
// Run `npm run build -w web` first; `npm run test:e2e` does both.
export default defineConfig({
  root: path.resolve(import.meta.dirname, '..'),
  test: {
    include: ['e2e/**/*.e2e.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // One server and one browser at a time: the machine has two cores.
    fileParallelism: false,
    maxWorkers: 1,
  },
});
