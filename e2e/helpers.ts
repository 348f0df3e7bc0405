// Starts the real server on a free port with a fresh embedded database, and a headless Chromium.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { clearStaleServer, freePort } from '../server/src/db/embedded.js';

export { freePort };

export const projectRoot = path.resolve(import.meta.dirname, '..');
export const artifactsDir = path.join(import.meta.dirname, 'artifacts');

const ADMIN_PASSWORD = 'Admin@E2e2026';

export interface RunningServer {
  url: string;
  adminPassword: string;
  /** What the server printed so far (for failure messages). */
  output: () => string;
  stop: () => Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startServer(): Promise<RunningServer> {
  const index = path.join(projectRoot, 'web', 'dist', 'index.html');
  if (!fs.existsSync(index)) {
    throw new Error(`web/dist/index.html is missing: build the console first with \`npm run build -w web\` (looked in ${index})`);
  }

  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiayuan-e2e-'));
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Always the embedded database and the demo city, whatever the caller's environment says.
  delete env.DATABASE_URL;
  delete env.JIAYUAN_DEMO;
  delete env.JIAYUAN_WEB_DIST;
  Object.assign(env, {
    PORT: String(port),
    HOST: '127.0.0.1',
    JIAYUAN_DATA_DIR: dataDir,
    JIAYUAN_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LOG_LEVEL: 'warn',
  });

  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    cwd: projectRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  let stopped = false;
  child.once('exit', (code, signal) => {
    // An exit nobody asked for is the likeliest cause of whatever fails next: say so, with the log.
    if (!stopped) console.error(`[e2e] server exited unexpectedly (code ${code ?? signal}); its output:\n${output}`);
  });
  const stop = async () => {
    if (!stopped) {
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited(child);
        clearTimeout(timer);
      }
    }
    // A server that died abruptly leaves its embedded PostgreSQL running on our temporary directory.
    await clearStaleServer(path.join(dataDir, 'pg'));
    try {
      fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    } catch (err) {
      console.error(`[e2e] could not remove ${dataDir}: ${String(err)}`);
    }
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 170_000;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`server exited early (code ${child.exitCode ?? child.signalCode}):\n${output}`);
      }
      const ok = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2_000) })
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`server did not become healthy on ${url}:\n${output}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, adminPassword: ADMIN_PASSWORD, output: () => output, stop };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-gpu',
      '--no-first-run',
    ],
  });
}

/** Fills the login form and submits it. */
export async function submitLogin(page: Page, username: string, password: string): Promise<void> {
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

/** A bearer token straight from the API, for checks that need no browser. */
export async function apiLogin(baseUrl: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login as ${username} failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

export interface RegionNode {
  id: string;
  name: string;
  level: string;
  code: string;
  children: RegionNode[];
}

export function regionNames(nodes: RegionNode[]): string[] {
  return nodes.flatMap((n) => [n.name, ...regionNames(n.children)]);
}

/** The node of that name in a region tree (depth first), if any. */
export function findRegion(nodes: RegionNode[], name: string): RegionNode | undefined {
  for (const n of nodes) {
    if (n.name === name) return n;
    const inner = findRegion(n.children, name);
    if (inner) return inner;
  }
  return undefined;
}

/** A GET with a bearer token that must answer 200, parsed as JSON. */
export async function apiGet<T>(baseUrl: string, token: string, pathAndQuery: string): Promise<T> {
  const res = await fetch(`${baseUrl}${pathAndQuery}`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`GET ${pathAndQuery} failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** After a test: a full-page screenshot in `artifacts/` named `<prefix>-<test name>.png` when it failed. */
export async function screenshotIfFailed(task: { name: string; result?: { state?: string } }, page: Page, prefix: string): Promise<void> {
  if (task.result?.state !== 'fail') return;
  fs.mkdirSync(artifactsDir, { recursive: true });
  await page
    .screenshot({ path: path.join(artifactsDir, `${prefix}-${task.name.replace(/\W+/g, '-')}.png`), fullPage: true })
    .catch(() => undefined);
}

/**
 * Picks the option showing `text` in an antd Select opened by clicking `select`, and returns once the
 * list has closed (an open list covers what lies below it). A click that lands while the list is still
 * opening or re-rendering leaves it open with nothing chosen; that is retried, twice at most.
 */
export async function chooseOption(page: Page, select: Locator, text: string): Promise<void> {
  const open = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)');
  for (let attempt = 0; ; attempt++) {
    if (!(await open.first().isVisible())) await select.click();
    await open.locator('.ant-select-item-option', { hasText: text }).first().click();
    try {
      await open.first().waitFor({ state: 'hidden', timeout: 3000 });
      return;
    } catch (e) {
      if (attempt >= 2) throw e;
    }
  }
}
