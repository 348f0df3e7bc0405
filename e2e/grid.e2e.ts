// 网格治理 in a real browser: a resident scans a 数字门牌 of 柳岸社区 and reports a repair, the
// community administrator files and dispatches it in 事件工作台, the property staff grab and handle
// it, and the resident follows it with the 查询码 and closes it with five stars. Then the dashboard
// draws the grids of 柳岸社区.
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
const UNIT_NAME = '柳岸物业服务中心（测试）';
const PHONE = '13800138000';

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

describe('grid governance (网格治理)', () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  let token: string;
  let communityId: string;
  let plateCode: string;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    token = await apiLogin(server.url, 'liuan_admin', PASSWORD);
    const tree = await apiCall<RegionNode[]>(server.url, token, 'GET', '/api/regions');
    const liuan = findRegion(tree, '柳岸社区');
    expect(liuan, '柳岸社区 in liuan_admin’s region tree').toBeDefined();
    communityId = liuan!.id;

    const buildings = await apiCall<{ id: string; plateCode: string }[]>(
      server.url,
      token,
      'GET',
      `/api/buildings?communityId=${communityId}`,
    );
    expect(buildings.length).toBeGreaterThan(0);
    plateCode = buildings[0]!.plateCode;

    // A property unit for 柳岸社区 with liuan_property as member, and the route 物业服务 → that unit.
    const units = await apiCall<{ id: string; name: string }[]>(server.url, token, 'GET', '/api/grid/units');
    let unit = units.find((u) => u.name === UNIT_NAME);
    if (!unit) {
      const users = await apiCall<{ items: { id: string; username: string }[] }>(server.url, token, 'GET', '/api/users?q=liuan_property');
      const property = users.items.find((u) => u.username === 'liuan_property');
      expect(property, 'liuan_property exists').toBeDefined();
      unit = await apiCall<{ id: string; name: string }>(server.url, token, 'POST', '/api/grid/units', {
        regionId: communityId,
        name: UNIT_NAME,
        kind: 'property',
        memberIds: [property!.id],
      });
    }
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

  it('a resident report followed to closure', async () => {
    const description = `3号楼楼道灯不亮（e2e ${Date.now()}）`;

    // The resident, on a phone, from the plate's QR.
    const phone = await browser!.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', isMobile: true, hasTouch: true });
    const m = await phone.newPage();
    await m.goto(`${server!.url}/m/report?community=${communityId}&plate=${encodeURIComponent(plateCode)}`);
    await m.getByRole('button', { name: '物业服务', exact: true }).click();
    await m.getByTestId('m-subcategories').getByRole('button', { name: '报修', exact: true }).click();
    await m.locator('#m-description').fill(description);
    await m.locator('#m-phone').fill(PHONE);
    // The plate names the place: the address from the 数字门牌, nothing to type.
    await m.getByTestId('m-report-place').getByText('柳岸社区', { exact: false }).waitFor();
    await m.getByTestId('m-submit').click();
    const codeEl = m.getByTestId('m-tracking-code');
    await codeEl.waitFor();
    const trackingCode = (await codeEl.innerText()).trim();
    expect(trackingCode).toMatch(/^[A-Z0-9]{10}$/);
    expect(await m.getByTestId('m-report-done').innerText()).toContain('待受理');

    // The community administrator files it and dispatches it to the property unit.
    await page.goto(`${server!.url}/login`);
    await submitLogin(page, 'liuan_admin', PASSWORD);
    await page.getByTestId('header-user').waitFor();
    await page.getByRole('menuitem', { name: '事件工作台' }).click();
    await page.waitForURL(/\/grid\/events$/);
    const row = page.getByTestId('grid-event-table').locator('tr', { hasText: description });
    await row.waitFor();
    expect(await row.innerText()).toContain('待受理');
    await row.click();
    const drawer = page.getByTestId('grid-event-drawer');
    await drawer.waitFor();
    await drawer.getByRole('button', { name: '立案并派遣' }).click();
    const form = page.getByTestId('grid-action-form');
    await form.waitFor();
    await chooseOption(page, form.getByRole('combobox').first(), UNIT_NAME);
    await page.locator('.ant-modal').filter({ has: form }).getByRole('button', { name: '立案并派遣' }).click();
    await form.waitFor({ state: 'detached' });
    await drawer.locator('[data-status="dispatched"]').waitFor();
    expect(await drawer.innerText()).toContain(UNIT_NAME);
    expect(await drawer.getByTestId('grid-event-timeline').innerText()).toContain('派遣');

    // The property staff grab it and report it handled, in the console.
    const staff = await browser!.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    const p = await staff.newPage();
    await p.goto(`${server!.url}/login`);
    await submitLogin(p, 'liuan_property', PASSWORD);
    await p.getByTestId('header-user').waitFor();
    // They learn of it from the bell in the header (the unit's members are told of a dispatch), and the
    // message opens the event list filtered to it. The outbox delivers the message within moments of
    // the dispatch: open the bell until it is there.
    const bell = p.getByTestId('notification-bell');
    const message = p.getByTestId('notification-list').locator('.ant-list-item', { hasText: '新的派遣事件' });
    for (let tries = 0; ; tries++) {
      await bell.click();
      await p.getByTestId('notification-list').waitFor();
      if (await message.count()) break;
      if (tries > 20) throw new Error('no 新的派遣事件 message in the bell');
      await bell.click();
      await p.waitForTimeout(500);
    }
    expect(Number(await bell.locator('.ant-scroll-number').first().getAttribute('title'))).toBeGreaterThanOrEqual(1);
    expect(await message.first().innerText()).toContain('可抢单');
    await message.first().click();
    await p.waitForURL(/\/grid\/events\?q=/);
    const prow = p.getByTestId('grid-event-table').locator('tr', { hasText: description });
    await prow.waitFor();
    await prow.click();
    const pdrawer = p.getByTestId('grid-event-drawer');
    await pdrawer.waitFor();
    await pdrawer.getByRole('button', { name: /^抢\s?单$/ }).click();
    await p
      .locator('.ant-modal-confirm')
      .getByRole('button', { name: /^抢\s?单$/ })
      .click();
    await pdrawer.locator('[data-status="in_progress"]').waitFor();
    await pdrawer.getByRole('button', { name: '处置完成' }).click();
    const handleForm = p.getByTestId('grid-action-form');
    await handleForm.waitFor();
    await handleForm.locator('textarea').first().fill('已维修');
    await p.locator('.ant-modal').filter({ has: handleForm }).getByRole('button', { name: '处置完成' }).click();
    await handleForm.waitFor({ state: 'detached' });
    await pdrawer.locator('[data-status="feedback"]').waitFor();
    expect(await pdrawer.innerText()).toContain('已维修');
    await staff.close();

    // The resident follows it with the code and closes it with five stars.
    await m.goto(`${server!.url}/m/track?code=${trackingCode}`);
    expect(await m.getByTestId('m-track-code').inputValue()).toBe(trackingCode);
    await m.getByTestId('m-track-phone').fill(PHONE);
    await m.getByTestId('m-track-submit').click();
    const status = m.getByTestId('m-track-status');
    await status.waitFor();
    expect(await status.innerText()).toBe('待反馈');
    expect(await m.getByTestId('m-tracked').innerText()).toContain('已维修');
    expect(await m.getByTestId('m-track-steps').innerText()).toContain('处置完成');
    await m.getByTestId('m-star-5').click();
    await m.getByTestId('m-confirm').click();
    await m.getByTestId('m-track-status').filter({ hasText: '已结案' }).waitFor();
    expect(await m.getByTestId('m-track-status').innerText()).toBe('已结案');
    expect(await m.getByTestId('m-tracked').innerText()).toContain('★★★★★');

    fs.mkdirSync(artifactsDir, { recursive: true });
    await m.screenshot({ path: path.join(artifactsDir, 'grid-track.png'), fullPage: true });
    await phone.close();
  });

  it('the dashboard draws the grids of 柳岸社区', async () => {
    await page.goto(`${server!.url}/login`);
    await submitLogin(page, 'liuan_admin', PASSWORD);
    await page.getByTestId('header-user').waitFor();
    await page.getByRole('menuitem', { name: '治理看板' }).click();
    await page.waitForURL(/\/grid\/dashboard$/);
    const map = page.getByTestId('grid-map');
    await map.waitFor();
    expect(await map.locator('svg').count()).toBe(1);
    expect(await map.locator('[data-grid]').count()).toBeGreaterThan(2);
    expect(await page.getByTestId('grid-kpi-cards').innerText()).toContain('在办');
    expect(await map.innerText()).toContain('柳岸');
    fs.mkdirSync(artifactsDir, { recursive: true });
    await page.screenshot({ path: path.join(artifactsDir, 'grid-dashboard.png'), fullPage: false });

    // 绩效考核 and 治理配置 render with their data.
    await page.getByRole('menuitem', { name: '绩效考核' }).click();
    await page.waitForURL(/\/grid\/kpis$/);
    await page.getByTestId('grid-kpi-table').getByText('合计', { exact: true }).waitFor();
    await page.getByRole('menuitem', { name: '治理配置' }).click();
    await page.waitForURL(/\/grid\/settings$/);
    await page.getByRole('tab', { name: '处置单位' }).click();
    await page.getByText(UNIT_NAME).first().waitFor();
  });
});
