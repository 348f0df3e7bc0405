// 设备分布 in a real browser: the community administrator of 柳岸社区 opens the map by building; the
// tiles carry the device counts the API gives; a smoke detector registered and fed through the API
// raises 烟感火警 and its building's alarm badge appears without a reload (Server-Sent Events); a
// device without a building lands in 未关联楼栋; a building with coordinates is drawn on the plan.
// Also: 事件工作台 reads its search text from the URL (/grid/events?q=…) and writes it back.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  apiLogin,
  artifactsDir,
  chooseOption,
  launchBrowser,
  startServer,
  submitLogin,
  type RegionNode,
  type RunningServer,
} from './helpers';

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

interface ApiDevice {
  id: string;
  type: string;
  buildingId: string | null;
  lastSeenAt: string | null;
}

interface ApiAlarm {
  deviceId: string;
  status: string;
}

describe('device map by building (设备分布)', () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  let token: string;
  let communityId: string;
  let buildings: { id: string; label: string }[];

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    token = await apiLogin(server.url, 'liuan_admin', PASSWORD);
    const tree = await apiCall<RegionNode[]>(server.url, token, 'GET', '/api/regions');
    const liuan = findRegion(tree, '柳岸社区');
    expect(liuan, '柳岸社区 in liuan_admin’s region tree').toBeDefined();
    communityId = liuan!.id;
    buildings = await apiCall<{ id: string; label: string }[]>(server.url, token, 'GET', `/api/buildings?communityId=${communityId}`);
    expect(buildings.length).toBeGreaterThan(0);
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
        .screenshot({ path: path.join(artifactsDir, `device-map-${ctx.task.name.replace(/\W+/g, '-')}.png`), fullPage: true })
        .catch(() => undefined);
    }
    await context.close();
  });

  async function login(username: string) {
    await page.goto(`${server!.url}/login`);
    await submitLogin(page, username, PASSWORD);
    await page.getByTestId('header-user').waitFor();
  }

  const tile = (buildingId: string) => page.locator(`[data-testid="building-tile"][data-building="${buildingId}"]`);

  it('shows the buildings with their devices and a new alarm live', async () => {
    await login('liuan_admin');
    await page.goto(`${server!.url}/devices/map`);
    await page.getByText('设备分布').first().waitFor();

    // Choose the community (the picker lists the communities of the region selection).
    await chooseOption(page, page.getByTestId('device-map-community'), '柳岸社区');
    await page.getByTestId('building-tile').first().waitFor();

    // Every building of the register has a tile, with the device count and online count of the API.
    const devices = await apiCall<ApiDevice[]>(server!.url, token, 'GET', `/api/devices?communityId=${communityId}`);
    expect(devices.length).toBeGreaterThan(0);
    const now = Date.now();
    for (const b of buildings) {
      const mine = devices.filter((d) => d.buildingId === b.id);
      const online = mine.filter((d) => d.lastSeenAt && now - Date.parse(d.lastSeenAt) <= 24 * 3600_000).length;
      const t = tile(b.id);
      expect(await t.getByTestId('building-name').innerText()).toBe(b.label);
      expect(await t.getByTestId('building-device-count').innerText(), `devices of ${b.label}`).toBe(String(mine.length));
      expect(await t.getByTestId('building-online-count').innerText(), `online devices of ${b.label}`).toBe(String(online));
      // One badge per type, with its count.
      const byType = new Map<string, number>();
      for (const d of mine) byType.set(d.type, (byType.get(d.type) ?? 0) + 1);
      expect(await t.locator('[data-type]').count()).toBe(byType.size);
      for (const [type, n] of byType) expect((await t.locator(`[data-type="${type}"]`).innerText()).trim()).toBe(String(n));
    }

    // Badges follow the active alarms of the API.
    const alarms = await apiCall<ApiAlarm[]>(server!.url, token, 'GET', `/api/alarms?communityId=${communityId}&status=active&limit=1000`);
    const alarmed = new Set(alarms.map((a) => devices.find((d) => d.id === a.deviceId)?.buildingId).filter(Boolean));
    const quiet = buildings.find((b) => !alarmed.has(b.id));
    expect(quiet, 'a building without active alarms').toBeDefined();
    expect(await tile(quiet!.id).getByTestId('building-alarm-badge').count()).toBe(0);
    const before = Number(await tile(quiet!.id).getByTestId('building-device-count').innerText());

    await page.getByTestId('device-map-live').getByText('实时').waitFor();

    // A device without a building (registered in the community only) and a smoke detector in the quiet
    // building, fed from here (Node), not the page.
    const loose = `e2e 无楼栋路灯 ${Date.now()}`;
    await apiCall(server!.url, token, 'POST', '/api/devices', { communityId, type: 'street_light', name: loose });
    const name = `e2e 分布烟感 ${Date.now()}`;
    const device = await apiCall<{ id: string; credentials: { username: string; password: string } }>(
      server!.url,
      token,
      'POST',
      '/api/devices',
      { buildingId: quiet!.id, type: 'smoke_detector', name },
    );
    const basic = Buffer.from(`${device.credentials.username}:${device.credentials.password}`).toString('base64');
    const res = await fetch(`${server!.url}/api/devices/${device.id}/telemetry`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/json' },
      body: JSON.stringify({ values: { smoke: true } }),
    });
    expect(res.status).toBe(202);

    // The stream brings it: no reload. The badge is critical (烟感火警 is 紧急), the count follows.
    const badge = tile(quiet!.id).getByTestId('building-alarm-badge');
    await badge.waitFor();
    expect(await badge.getAttribute('data-severity')).toBe('critical');
    expect((await badge.innerText()).replace(/\s+/g, ' ')).toBe('告警 1');
    expect(await tile(quiet!.id).getAttribute('data-severity')).toBe('critical');
    await tile(quiet!.id)
      .getByTestId('building-device-count')
      .getByText(String(before + 1), { exact: true })
      .waitFor();
    const unassigned = tile('unassigned');
    await unassigned.waitFor();
    expect(await unassigned.getByTestId('building-name').innerText()).toBe('未关联楼栋');
    const looseCount = devices.filter((d) => !d.buildingId).length + 1;
    expect(await unassigned.getByTestId('building-device-count').innerText()).toBe(String(looseCount));

    // The building's panel: its devices and the alarm, which opens the alarm drawer.
    await tile(quiet!.id).click();
    const panel = page.getByTestId('building-panel');
    await panel.getByTestId('building-panel-devices').getByText(name).waitFor();
    const alarmItem = panel.getByTestId('building-panel-alarms').locator('.ant-list-item', { hasText: name });
    expect(await alarmItem.innerText()).toContain('烟感火警');
    await alarmItem.click();
    await page.getByTestId('alarm-drawer').getByText(name).waitFor();
  });

  it('draws a building with coordinates on the plan', async () => {
    const created = await apiCall<{ id: string; label: string }>(server!.url, token, 'POST', '/api/buildings', {
      regionId: communityId,
      compound: 'e2e定位苑',
      number: '1',
      lng: 117.12,
      lat: 36.65,
    });
    await login('liuan_admin');
    await page.goto(`${server!.url}/devices/map?community=${communityId}`);
    const marker = page.locator(`[data-testid="building-marker"][data-building="${created.id}"]`);
    await marker.waitFor();
    expect(await page.getByTestId('device-map-plan').locator('[data-testid="building-marker"]').count()).toBe(1);
    // The others stay tiles.
    await tile(buildings[0]!.id).waitFor();
    await marker.click();
    await page.getByTestId('building-panel').getByText(created.label).first().waitFor();
  });

  it('事件工作台 takes its search text from the URL', async () => {
    // An event of its own about a street light, so the search has something certain to find.
    const q = `路灯e2e${Date.now()}`;
    await apiCall(server!.url, token, 'POST', '/api/grid/events', {
      categoryCode: 'municipal.streetlight',
      description: `${q} 楼前路灯不亮`,
      buildingId: buildings[0]!.id,
    });
    const expected = await apiCall<{ total: number }>(
      server!.url,
      token,
      'GET',
      `/api/grid/events?communityId=${communityId}&q=${encodeURIComponent(q)}&page=1&pageSize=20`,
    );
    const all = await apiCall<{ total: number }>(
      server!.url,
      token,
      'GET',
      `/api/grid/events?communityId=${communityId}&page=1&pageSize=20`,
    );
    expect(expected.total).toBe(1);
    expect(all.total).toBeGreaterThan(1);

    await login('liuan_admin');
    await page.goto(`${server!.url}/grid/events?view=all&q=${encodeURIComponent(q)}`);
    const search = page.getByPlaceholder('编号、描述或地址');
    await search.waitFor();
    expect(await search.inputValue()).toBe(q);
    const table = page.getByTestId('grid-event-table');
    await table.getByText(`共 ${expected.total} 件`).waitFor();
    await table.locator('tr', { hasText: q }).waitFor();

    // A new search goes back into the URL.
    await search.fill('e2e-没有这样的事件');
    await search.press('Enter');
    await page.waitForURL((u) => u.searchParams.get('q') === 'e2e-没有这样的事件' && u.searchParams.get('view') === 'all');
    await table.getByText('暂无事件').first().waitFor();
  });
});
