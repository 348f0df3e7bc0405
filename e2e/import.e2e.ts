// 台账导入 in a real browser: a community administrator uploads a real xlsx of three residents (two
// good, one with a wrong ID check digit), sees the one problem row, imports only the good rows, and
// finds a new resident on the 居民 page.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeIdNumber } from '../server/src/modules/registry/model.js';
import { apiLogin, artifactsDir, launchBrowser, startServer, submitLogin, type RunningServer } from './helpers';

interface BuildingItem {
  id: string;
  compound: string;
  number: string;
  rooms: number;
}

interface BuildingDetail extends BuildingItem {
  roomList: { id: string; number: string; unitNumber: string | null }[];
}

interface ImportRow {
  name: string;
  idNumber: string;
  compound: string;
  building: string;
  unit: string;
  room: string;
}

async function apiGet<T>(baseUrl: string, token: string, pathAndQuery: string): Promise<T> {
  const res = await fetch(`${baseUrl}${pathAndQuery}`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`GET ${pathAndQuery} failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The same digits with another check character (still 18 characters, so only the checksum fails). */
function wrongCheckDigit(id: string): string {
  const last = id.at(-1)!;
  const other = last === '0' ? '1' : '0';
  return id.slice(0, 17) + other;
}

async function writeWorkbook(file: string, rows: ImportRow[]): Promise<void> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('居民');
  ws.columns = [
    { header: '姓名*', key: 'name', width: 10 },
    { header: '证件号码*', key: 'idNumber', width: 22 },
    { header: '小区', key: 'compound', width: 12 },
    { header: '楼栋号*', key: 'building', width: 8 },
    { header: '单元', key: 'unit', width: 6 },
    { header: '房号*', key: 'room', width: 8 },
    { header: '与房屋关系', key: 'relation', width: 10 },
  ];
  for (const r of rows) ws.addRow({ ...r, relation: '家庭成员' });
  await wb.xlsx.writeFile(file);
}

describe('ledger import (台账导入)', () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  let token: string;
  let communityId: string;
  let xlsxPath: string;
  let good: ImportRow[];

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    token = await apiLogin(server.url, 'liuan_admin', 'Demo@2026');
    const me = await apiGet<{ regionId: string; regionName: string }>(server.url, token, '/api/auth/me');
    expect(me.regionName).toBe('柳岸社区');
    communityId = me.regionId;

    // An existing room of 柳岸社区, addressed the way the ledger names it.
    const buildings = await apiGet<BuildingItem[]>(server.url, token, `/api/buildings?communityId=${communityId}`);
    const building = buildings.find((b) => b.rooms > 0);
    expect(building, 'a building with rooms in 柳岸社区').toBeDefined();
    const detail = await apiGet<BuildingDetail>(server.url, token, `/api/buildings/${building!.id}`);
    const room = detail.roomList[0]!;
    const place = { compound: detail.compound, building: detail.number, unit: room.unitNumber ?? '', room: room.number };

    // Two people nobody has registered yet: new names, and ID numbers the register does not hold.
    const names = ['端木清扬', '端木清远'];
    for (const name of names) {
      const found = await apiGet<{ total: number }>(server.url, token, `/api/residents?q=${encodeURIComponent(name)}`);
      expect(found.total, `${name} is not registered yet`).toBe(0);
    }
    const births = ['1986-03-12', '1993-11-05'];
    good = [];
    for (const [i, name] of names.entries()) {
      let idNumber = '';
      for (let seq = 100 + i * 200; ; seq++) {
        expect(seq).toBeLessThan(500);
        idNumber = makeIdNumber('990102', births[i]!, seq);
        const found = await apiGet<{ total: number }>(server.url, token, `/api/residents?q=${idNumber}`);
        if (found.total === 0) break;
      }
      good.push({ name, idNumber, ...place });
    }
    const bad: ImportRow = { name: '端木清澄', idNumber: wrongCheckDigit(makeIdNumber('990102', '2001-07-21', 498)), ...place };

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiayuan-import-'));
    xlsxPath = path.join(dir, '居民导入.xlsx');
    await writeWorkbook(xlsxPath, [...good, bad]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (xlsxPath) fs.rmSync(path.dirname(xlsxPath), { recursive: true, force: true });
  });

  beforeEach(async () => {
    context = await browser!.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    page = await context.newPage();
  });

  afterEach(async () => {
    await context.close();
  });

  it('validates an uploaded xlsx, shows the bad row, imports only the good rows', async () => {
    await page.goto(`${server!.url}/login`);
    await submitLogin(page, 'liuan_admin', 'Demo@2026');
    await page.getByTestId('header-user').waitFor();
    await page.getByRole('menuitem', { name: '台账导入' }).click();
    await page.waitForURL(/\/imports$/);

    // ① the ledger and the community (the account's own by default)
    await page.getByTestId('import-step-choose').waitFor();
    await page.getByTestId('import-kind').getByText('居民', { exact: true }).click();
    expect(await page.getByTestId('import-community').innerText()).toContain('柳岸社区');
    await page.getByTestId('import-next').click();

    // ② the file, through the upload's own file input
    await page.getByTestId('import-step-upload').waitFor();
    await page.getByTestId('import-upload').locator('input[type="file"]').setInputFiles(xlsxPath);

    // ③ the check: three rows, two importable, one wrong (row 4, 证件号码)
    const check = page.getByTestId('import-step-check');
    await check.waitFor();
    const summary = page.getByTestId('import-summary');
    expect(await summary.getByTestId('import-total').innerText()).toContain('3');
    expect(await summary.getByTestId('import-valid').innerText()).toContain('2');
    expect(await summary.getByTestId('import-invalid').innerText()).toContain('1');
    const errorRows = page.getByTestId('import-errors').locator('tbody tr.ant-table-row');
    expect(await errorRows.count()).toBe(1);
    const errorText = await errorRows.first().innerText();
    expect(errorText).toContain('第 4 行');
    expect(errorText).toContain('证件号码');
    expect(errorText).toContain('校验位');
    expect(await page.getByTestId('import-commit').isDisabled()).toBe(true);
    expect(await page.getByTestId('import-commit-valid').isDisabled()).toBe(false);

    // Let the steps finish their transition before the picture.
    await page.waitForTimeout(400);
    fs.mkdirSync(artifactsDir, { recursive: true });
    await page.screenshot({ path: path.join(artifactsDir, 'import.png'), fullPage: false });

    // ④ only the good rows, after confirming
    await page.getByTestId('import-commit-valid').click();
    const confirm = page.getByTestId('import-valid-confirm');
    await confirm.waitFor();
    expect(await confirm.innerText()).toContain('跳过');
    await page.getByRole('button', { name: '确认导入' }).click();
    await page.getByTestId('import-step-done').waitFor();
    expect(await page.getByTestId('import-inserted').innerText()).toContain('2');
    expect(await page.getByTestId('import-result').innerText()).toContain('新增 2 条');
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(artifactsDir, 'import-done.png'), fullPage: false });

    // The same file again changes nothing: both people are already registered.
    const again = await fetch(`${server!.url}/api/registry/imports/residents?regionId=${communityId}&mode=validate`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      },
      body: fs.readFileSync(xlsxPath),
    });
    expect(again.status).toBe(200);
    const report = (await again.json()) as { unchanged: number; invalid: number };
    expect(report).toMatchObject({ unchanged: 2, invalid: 1 });

    // The new people are on the 居民 page.
    await page.getByRole('menuitem', { name: '居民' }).click();
    await page.waitForURL(/\/residents$/);
    const search = page.getByTestId('resident-search').locator('input');
    await search.fill(good[0]!.name);
    await search.press('Enter');
    const table = page.getByTestId('resident-table');
    await table.locator('tbody tr.clickable-row', { hasText: good[0]!.name }).waitFor();
    await table.getByText('共 1 人').waitFor();
  });
});
