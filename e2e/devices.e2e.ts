// 物联感知 in a real browser: the community administrator watches 告警中心 while a smoke detector of
// 柳岸社区, registered and fed through the API, raises 烟感火警; the alarm appears without a reload
// (Server-Sent Events) and is acknowledged in its drawer. Then a device is registered in 设备台账 and its
// credentials are shown once.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiLogin, artifactsDir, launchBrowser, startServer, submitLogin, type RegionNode, type RunningServer } from './helpers';

const PASSWORD = 'Demo@2026';

async function apiCall<T>(baseUrl: string, token: string, method: string, pathAndQuery: string, body?: unknown): Promise<T> {
  const res = await fetch(`${baseUrl}${pathAndQuery}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status >= 300) throw new Error(`${method} ${pathAndQuery} failed: ${res.status} ${await res.text()}`);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

function findRegion(nodes: RegionNode[], name: string): RegionNode | undefined {
  for (const n of nodes) {
    if (n.name === name) return n;
    const inner = findRegion(n.children, name);
    if (inner) return inner;
  }
  return undefined;
}

describe('devices and alarms (物联感知)', () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  let token: string;
  let buildingId: string;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    token = await apiLogin(server.url, 'liuan_admin', PASSWORD);
    const tree = await apiCall<RegionNode[]>(server.url, token, 'GET', '/api/regions');
    const liuan = findRegion(tree, '柳岸社区');
    expect(liuan, '柳岸社区 in liuan_admin’s region tree').toBeDefined();
    const buildings = await apiCall<{ id: string }[]>(server.url, token, 'GET', `/api/buildings?communityId=${liuan!.id}`);
    expect(buildings.length).toBeGreaterThan(0);
    buildingId = buildings[0]!.id;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  beforeEach(async () => {
    context = await browser!.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    page = await context.newPage();
    page.on('pageerror', (err) => console.error(`[page error] ${err.message}`));
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') {
      fs.mkdirSync(artifactsDir, { recursive: true });
      await page
        .screenshot({ path: path.join(artifactsDir, `devices-${ctx.task.name.replace(/\W+/g, '-')}.png`), fullPage: true })
        .catch(() => undefined);
    }
    await context.close();
  });

  async function login(username: string) {
    await page.goto(`${server!.url}/login`);
    await submitLogin(page, username, PASSWORD);
    await page.getByTestId('header-user').waitFor();
  }

  it('an alarm appears live', async () => {
    await login('liuan_admin');
    await page.goto(`${server!.url}/devices/alarms`);
    await page.getByText('告警中心').first().waitFor();
    await page.getByTestId('alarm-live').getByText('实时').waitFor();

    // A smoke detector in a building of 柳岸社区, registered and fed from here (Node), not the page.
    const name = `e2e 烟感 ${Date.now()}`;
    const device = await apiCall<{ id: string; credentials: { username: string; password: string } }>(
      server!.url,
      token,
      'POST',
      '/api/devices',
      { buildingId, type: 'smoke_detector', name },
    );
    const basic = Buffer.from(`${device.credentials.username}:${device.credentials.password}`).toString('base64');
    const res = await fetch(`${server!.url}/api/devices/${device.id}/telemetry`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/json' },
      body: JSON.stringify({ values: { smoke: true } }),
    });
    expect(res.status).toBe(202);

    // The page learns of it from the stream: no reload.
    const row = page.getByTestId('alarm-table').locator('tr', { hasText: name });
    await row.waitFor();
    const text = await row.innerText();
    expect(text).toContain('烟感火警');
    expect(text).toContain('紧急');
    expect(text).toContain('未确认');

    await row.click();
    const drawer = page.getByTestId('alarm-drawer');
    await drawer.getByText(name).waitFor();
    await page.getByTestId('alarm-ack').click();
    await drawer.getByText('已确认').waitFor();
    await drawer.getByTestId('alarm-log').getByText('确认').first().waitFor();
    // The list follows too.
    await row.getByText('已确认').waitFor();
  });

  it('registers a device and shows its credentials once', async () => {
    await login('liuan_admin');
    await page.goto(`${server!.url}/devices`);
    await page.getByText('设备台账').first().waitFor();
    await page.getByTestId('device-register').click();
    const form = page.getByTestId('device-form');
    await form.waitFor();
    await form.getByRole('combobox').first().click();
    // The list is virtual: type to bring the option into view.
    await page.keyboard.type('温湿度');
    await page.locator('.ant-select-item-option', { hasText: '温湿度传感器' }).first().click();
    const name = `e2e 温湿度 ${Date.now()}`;
    await page.getByTestId('device-name').fill(name);
    await page.locator('.ant-modal').filter({ has: form }).locator('.ant-btn-primary').click();

    const creds = page.getByTestId('device-credentials');
    await creds.waitFor();
    // How to connect is loaded after the dialog opens (GET /api/devices/connection): wait for it.
    await creds.getByTestId('device-connection').waitFor();
    const shown = await creds.innerText();
    expect(shown).toContain('仅显示一次');
    expect(shown).toContain('jiayuan/devices/');
    expect(shown).toContain('1884');
    expect((await page.getByTestId('device-password').innerText()).trim().length).toBeGreaterThan(10);

    await page.locator('.ant-modal').filter({ has: creds }).locator('.ant-btn-primary').click();
    await creds.waitFor({ state: 'detached' });
    // The demo community has dozens of devices: find the new one by name.
    await page.getByPlaceholder('名称或地址').fill(name);
    await page.getByPlaceholder('名称或地址').press('Enter');
    await page.getByTestId('device-table').locator('tr', { hasText: name }).waitFor();
  });
});
