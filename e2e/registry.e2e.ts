// The community register (基础信息库) in a real browser: a community administrator finds a demo
// resident, opens the detail drawer with the ID number masked, reveals it after the confirmation
// (and the audit log records it); property staff get no reveal button.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiLogin, artifactsDir, chooseOption, launchBrowser, startServer, submitLogin, type RunningServer } from './helpers';

interface ResidentItem {
  id: string;
  name: string;
  idNumber: string;
  phone: string | null;
}

const MASK = '**********';

async function apiGet<T>(baseUrl: string, token: string, pathAndQuery: string): Promise<T> {
  const res = await fetch(`${baseUrl}${pathAndQuery}`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`GET ${pathAndQuery} failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

describe('community register (基础信息库)', () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  /** A demo resident of 柳岸社区 whose name is unique there, with a phone. */
  let target: ResidentItem;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    const token = await apiLogin(server.url, 'liuan_admin', 'Demo@2026');
    const list = await apiGet<{ items: ResidentItem[]; total: number }>(server.url, token, '/api/residents?pageSize=100');
    expect(list.total).toBeGreaterThan(100);
    const counts = new Map<string, number>();
    for (const r of list.items) counts.set(r.name, (counts.get(r.name) ?? 0) + 1);
    for (const r of list.items) {
      if (counts.get(r.name) !== 1 || !r.phone || r.idNumber.length !== 18) continue;
      const byName = await apiGet<{ total: number }>(server.url, token, `/api/residents?q=${encodeURIComponent(r.name)}&pageSize=5`);
      if (byName.total === 1) {
        target = r;
        break;
      }
    }
    expect(target, 'a demo resident with a unique name').toBeDefined();
    expect(target.idNumber).toContain(MASK);
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

  /** Logs in, opens 居民 from the menu, searches the target's name and opens its drawer. */
  async function openTarget(username: string) {
    await page.goto(`${server!.url}/login`);
    await submitLogin(page, username, 'Demo@2026');
    await page.getByTestId('header-user').waitFor();
    await page.getByRole('menuitem', { name: '居民' }).click();
    await page.waitForURL(/\/residents$/);

    const search = page.getByTestId('resident-search').locator('input');
    expect(await search.getAttribute('placeholder')).toContain('拼音首字母');
    await search.fill(target.name);
    await search.press('Enter');
    const table = page.getByTestId('resident-table');
    const row = table.locator('tbody tr.clickable-row', { hasText: target.name });
    await row.waitFor();
    await table.getByText('共 1 人').waitFor();
    expect(await row.innerText()).toContain(target.idNumber);
    await row.click();

    const drawer = page.locator(`[data-testid="resident-detail"][data-resident-id="${target.id}"]`);
    await drawer.waitFor();
    const idText = drawer.getByTestId('resident-id-number');
    await idText.waitFor();
    return { drawer, idText };
  }

  it('a community administrator reveals a masked ID number after confirming, and the view is audited', async () => {
    const { idText } = await openTarget('liuan_admin');
    const masked = (await idText.innerText()).trim();
    expect(masked).toContain(MASK);
    expect(masked).toBe(target.idNumber);

    await page.getByTestId('resident-reveal').click();
    const confirm = page.getByTestId('reveal-confirm');
    await confirm.waitFor();
    expect(await confirm.innerText()).toContain('本次查看将被记录');
    await page.getByRole('button', { name: '确认查看' }).click();

    await idText.filter({ hasText: /^\d{17}[\dX]$/ }).waitFor();
    const full = (await idText.innerText()).trim();
    expect(full).toHaveLength(18);
    expect(full).not.toContain('*');
    expect(full.slice(0, 4)).toBe(masked.slice(0, 4));
    expect(full.slice(-4)).toBe(masked.slice(-4));
    const phone = (await page.getByTestId('resident-phone').innerText()).trim();
    expect(phone).not.toContain('*');
    expect(await page.getByTestId('resident-reveal').isDisabled()).toBe(true);

    // Let the drawer finish sliding in before the picture.
    await page.waitForTimeout(400);
    fs.mkdirSync(artifactsDir, { recursive: true });
    await page.screenshot({ path: path.join(artifactsDir, 'residents.png'), fullPage: false });

    const auditor = await apiLogin(server!.url, 'city_auditor', 'Demo@2026');
    const audit = await apiGet<{ items: { action: string; targetId: string | null; outcome: string }[] }>(
      server!.url,
      auditor,
      `/api/audit?action=resident.reveal&targetId=${target.id}`,
    );
    expect(audit.items.some((e) => e.targetId === target.id && e.outcome === 'success')).toBe(true);
  });

  it('property staff see the masked resident but get no reveal (and no edit) button', async () => {
    const { idText } = await openTarget('liuan_property');
    expect((await idText.innerText()).trim()).toContain(MASK);
    // The drawer's header actions render together with the details: their absence is final here.
    await page.getByTestId('resident-drawer-name').waitFor();
    expect(await page.getByTestId('resident-reveal').count()).toBe(0);
    expect(await page.getByText('查看完整信息').count()).toBe(0);
    expect(await page.getByTestId('resident-edit').count()).toBe(0);
    expect(await page.getByTestId('resident-create').count()).toBe(0);
  });
  it('a community administrator moves a facility to another grid of the community', async () => {
    const token = await apiLogin(server!.url, 'liuan_admin', 'Demo@2026');
    const regions = await apiGet<{ id: string; name: string; children: unknown[] }[]>(server!.url, token, '/api/regions');
    const find = (nodes: { id: string; name: string; children: unknown[] }[], name: string): string | undefined => {
      for (const n of nodes) {
        if (n.name === name) return n.id;
        const inner = find(n.children as { id: string; name: string; children: unknown[] }[], name);
        if (inner) return inner;
      }
      return undefined;
    };
    const grid1 = find(regions, '柳岸第一网格')!;
    const grid2 = find(regions, '柳岸第二网格')!;
    const res = await fetch(`${server!.url}/api/facilities`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ regionId: grid1, kind: 'ev_charger', name: '浏览器测试充电桩', capacity: 2 }),
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string };

    await page.goto(`${server!.url}/login`);
    await submitLogin(page, 'liuan_admin', 'Demo@2026');
    await page.getByTestId('header-user').waitFor();
    await page.getByRole('menuitem', { name: '场所设施' }).click();
    await page.waitForURL(/\/facilities$/);
    const row = page.getByTestId('facility-table').locator('tr', { hasText: '浏览器测试充电桩' });
    await row.waitFor();
    expect(await row.innerText()).toContain('柳岸第一网格');
    await row.getByTestId('facility-edit').click();
    const form = page.getByTestId('facility-form');
    await form.waitFor();
    await chooseOption(page, page.getByTestId('facility-place'), '柳岸第二网格');
    await page
      .locator('.ant-modal')
      .filter({ has: form })
      .getByRole('button', { name: /^保\s?存$/ })
      .click();
    await form.waitFor({ state: 'detached' });
    await row.filter({ hasText: '柳岸第二网格' }).waitFor();
    const after = await apiGet<{ gridId: string | null }>(server!.url, token, `/api/facilities/${created.id}`);
    expect(after.gridId).toBe(grid2);
  });
});
