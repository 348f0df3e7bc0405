// The console in a real browser: login (wrong and right password) and the region tree a street
// administrator sees, against the real server with the demo city loaded.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  apiLogin,
  artifactsDir,
  launchBrowser,
  regionNames,
  startServer,
  submitLogin,
  type RegionNode,
  type RunningServer,
} from './helpers';

describe('web console', () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  beforeEach(async () => {
    context = await browser!.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    page = await context.newPage();
  });

  afterEach(async () => {
    await context.close();
  });

  it('serves the console and sends visitors to the login page', async () => {
    const res = await page.goto(`${server!.url}/`);
    expect(res?.status()).toBe(200);
    expect(await page.title()).toBe('家园 · 智慧社区平台');
    await page.waitForURL(/\/login$/);
    await page.getByTestId('login-submit').waitFor();
  });

  it('shows the server’s Chinese message for a wrong password', async () => {
    await page.goto(`${server!.url}/login`);
    await submitLogin(page, 'binhe_admin', 'Wrong@2026');
    const error = page.getByTestId('login-error');
    await error.waitFor();
    expect(await error.innerText()).toContain('用户名或密码错误');
    expect(page.url()).toMatch(/\/login$/);
    expect(await page.evaluate(() => localStorage.getItem('jiayuan.token'))).toBeNull();
  });

  it('a street administrator sees only its own street and opens a community', async () => {
    // The demo city has a community outside 滨河街道, so its absence below means something.
    const adminToken = await apiLogin(server!.url, 'admin', server!.adminPassword);
    const cityTree = (await (
      await fetch(`${server!.url}/api/regions`, { headers: { authorization: `Bearer ${adminToken}` } })
    ).json()) as RegionNode[];
    expect(regionNames(cityTree)).toContain('桂园社区');

    await page.goto(`${server!.url}/`);
    await page.waitForURL(/\/login$/);
    await submitLogin(page, 'binhe_admin', 'Demo@2026');

    const tree = page.getByTestId('region-tree');
    await tree.getByText('滨河街道', { exact: true }).waitFor();
    await tree.getByText('柳岸社区', { exact: true }).waitFor();
    await tree.getByText('江月社区', { exact: true }).waitFor();
    expect(await tree.getByText('桂园社区').count()).toBe(0);
    expect(await tree.innerText()).not.toContain('桂园社区');

    // The header names the account, its role and its region.
    const header = await page.getByTestId('header-user').innerText();
    expect(header).toContain('街道管理员');
    expect(header).toContain('滨河街道');

    await tree.getByText('柳岸社区', { exact: true }).click();
    const detail = page.getByTestId('region-detail');
    const code = detail.getByTestId('region-code');
    await code.filter({ hasText: /^990102001001$/ }).waitFor();
    expect((await code.innerText()).trim()).toBe('990102001001');
    expect(await detail.innerText()).toContain('柳岸社区');

    fs.mkdirSync(artifactsDir, { recursive: true });
    await page.screenshot({ path: path.join(artifactsDir, 'console.png'), fullPage: false });
  });
});
