// 批量导入设备 in a real browser: the community administrator uploads an xlsx of three devices (one of
// an unknown type), sees the bad row, imports only the good rows, sees their credentials once and
// downloads them as xlsx; then resets one device's password in its drawer (the new one works, the old
// one no longer does) and disables it (its telemetry is refused).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  apiGet,
  apiLogin,
  artifactsDir,
  findRegion,
  launchBrowser,
  startServer,
  submitLogin,
  type RegionNode,
  screenshotIfFailed,
  type RunningServer,
} from './helpers';

const PASSWORD = 'Demo@2026';

async function telemetry(baseUrl: string, id: string, password: string): Promise<number> {
  const res = await fetch(`${baseUrl}/api/devices/${id}/telemetry`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${id}:${password}`).toString('base64')}`, 'content-type': 'application/json' },
    body: JSON.stringify({ values: { battery: 80 } }),
  });
  return res.status;
}

describe('device import (批量导入设备)', () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  const stamp = Date.now();
  const names = [`e2e 楼道烟感 ${stamp}`, `e2e 路灯 ${stamp}`];
  let xlsxPath: string;
  let tmp: string;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    const token = await apiLogin(server.url, 'liuan_admin', PASSWORD);
    const liuan = findRegion(await apiGet<RegionNode[]>(server.url, token, '/api/regions'), '柳岸社区')!;
    const [b] = await apiGet<{ compound: string; number: string }[]>(server.url, token, `/api/buildings?communityId=${liuan.id}`);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jiayuan-device-import-'));
    xlsxPath = path.join(tmp, '设备.xlsx');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('设备');
    ws.columns = [
      { header: '设备类型*', key: 'type' },
      { header: '名称*', key: 'name' },
      { header: '楼栋或房屋地址', key: 'address' },
      { header: '序列号*', key: 'serial' },
    ];
    ws.addRow({ type: '烟感探测器', name: names[0], address: `${b!.compound}${b!.number}栋`, serial: `E2E-${stamp}-1` });
    ws.addRow({ type: '智慧路灯', name: names[1], serial: `E2E-${stamp}-2` });
    ws.addRow({ type: '外星探测器', name: '未知类型', serial: `E2E-${stamp}-3` });
    await wb.xlsx.writeFile(xlsxPath);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  beforeEach(async () => {
    context = await browser!.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', acceptDownloads: true });
    page = await context.newPage();
    page.on('pageerror', (err) => console.error(`[page error] ${err.message}`));
  });

  afterEach(async (ctx) => {
    await screenshotIfFailed(ctx.task, page, 'device-import');
    await context.close();
  });

  it('imports the good rows, shows and downloads their credentials once, then resets a password and disables a device', async () => {
    await page.goto(`${server!.url}/login`);
    await submitLogin(page, 'liuan_admin', PASSWORD);
    await page.getByTestId('header-user').waitFor();
    await page.goto(`${server!.url}/devices`);
    await page.getByText('设备台账').first().waitFor();

    // The file: one bad row, so nothing is registered yet.
    await page.getByTestId('device-import-open').click();
    const modal = page.getByTestId('device-import');
    await modal.waitFor();
    await modal.locator('input[type="file"]').setInputFiles(xlsxPath);
    await modal.getByText('已选择：设备.xlsx').waitFor();
    await page.getByTestId('device-import-submit').click();
    const errorRows = page.getByTestId('import-errors').locator('tbody tr.ant-table-row');
    await errorRows.first().waitFor();
    expect(await errorRows.count()).toBe(1);
    const errorText = await errorRows.first().innerText();
    expect(errorText).toContain('第 4 行');
    expect(errorText).toContain('设备类型');
    expect(errorText).toContain('外星探测器');

    // Only the good rows: two devices, their passwords shown once.
    await page.getByTestId('device-import-only-valid').click();
    const creds = page.getByTestId('device-import-credentials');
    await creds.waitFor();
    expect(await creds.innerText()).toContain('密码仅显示一次');
    const rows = creds.locator('tbody tr.ant-table-row');
    expect(await rows.count()).toBe(2);
    expect(await page.getByTestId('device-import-created').innerText()).toContain('2');
    await page.getByTestId('device-connection').waitFor();
    expect(await page.getByTestId('device-mqtt-url').innerText()).toContain('1884');

    // 下载凭据: the workbook holds the passwords on screen.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('device-import-download').click()]);
    const saved = path.join(tmp, 'creds.xlsx');
    await download.saveAs(saved);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(saved);
    const sheet = wb.getWorksheet('设备凭据')!;
    expect(sheet.rowCount).toBe(3);
    const first = { id: String(sheet.getRow(2).getCell(1).value), password: String(sheet.getRow(2).getCell(2).value) };
    expect(await rows.first().innerText()).toContain(first.password);
    expect(await telemetry(server!.url, first.id, first.password)).toBe(202);
    await page.waitForTimeout(300);
    fs.mkdirSync(artifactsDir, { recursive: true });
    await page.screenshot({ path: path.join(artifactsDir, 'device-import.png'), fullPage: false });

    // Closing asks first: the passwords cannot be shown again.
    await page.getByTestId('device-import-close').click();
    await page.getByRole('button', { name: '已保存，关闭' }).click();
    await modal.waitFor({ state: 'detached' });

    // The device's drawer: 重置密码 shows a new password; the old one stops working.
    const name = String(sheet.getRow(2).getCell(3).value);
    await page.getByPlaceholder('名称或地址').fill(name);
    await page.getByPlaceholder('名称或地址').press('Enter');
    await page.getByTestId('device-table').locator('tr', { hasText: name }).click();
    const drawer = page.getByTestId('device-drawer');
    await drawer.getByText(first.id, { exact: true }).waitFor();
    await page.getByTestId('device-rotate').click();
    await page.getByTestId('device-rotate-confirm').click();
    const fresh = (await page.getByTestId('device-password').innerText()).trim();
    expect(fresh.length).toBeGreaterThan(10);
    expect(fresh).not.toBe(first.password);
    expect(await telemetry(server!.url, first.id, first.password)).toBe(401);
    expect(await telemetry(server!.url, first.id, fresh)).toBe(202);
    await page.getByRole('button', { name: '我已保存' }).click();
    await page.getByTestId('device-credentials').waitFor({ state: 'detached' });

    // 停用: confirmed, the drawer says so, and the device's telemetry is refused.
    await page.getByTestId('device-toggle').click();
    await page.getByTestId('device-toggle-confirm').click();
    await drawer.getByTestId('device-status').getByText('停用').waitFor();
    expect(await telemetry(server!.url, first.id, fresh)).toBe(401);
    expect((await page.getByTestId('device-toggle').innerText()).replace(/\s/g, '')).toBe('启用');
  });
});
