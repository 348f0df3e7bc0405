// 民主议事 in a real browser: a resident of 柳岸社区 votes on the open secret vote on a phone, gets a
// receipt code and cannot vote twice; the closed owners' decision shows its 民法典第278条 result on the
// phone, and the console prints its result notice.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiLogin, artifactsDir, launchBrowser, startServer, submitLogin, type RunningServer } from './helpers';

const PASSWORD = 'Demo@2026';
const OPEN_VOTE = '电动自行车集中充电棚选址';
const OWNERS_VOTE = '使用专项维修资金更换柳岸花园3栋电梯';

interface MyVote {
  id: string;
  title: string;
  voted: boolean;
  eligibleToVote: boolean;
}

async function apiFetch(baseUrl: string, token: string, method: string, pathAndQuery: string, body?: unknown): Promise<Response> {
  return fetch(`${baseUrl}${pathAndQuery}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

async function apiCall<T>(baseUrl: string, token: string, method: string, pathAndQuery: string, body?: unknown): Promise<T> {
  const res = await apiFetch(baseUrl, token, method, pathAndQuery, body);
  if (res.status >= 300) throw new Error(`${method} ${pathAndQuery} failed: ${res.status} ${await res.text()}`);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

describe('resident democracy (民主议事)', () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  let residentToken: string;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    residentToken = await apiLogin(server.url, 'liuan_resident', PASSWORD);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  beforeEach(async () => {
    context = await browser!.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', isMobile: true, hasTouch: true });
    page = await context.newPage();
  });

  afterEach(async () => {
    await context.close();
  });

  async function residentSignsIn(m: Page): Promise<void> {
    await m.goto(`${server!.url}/m/votes`);
    await submitLogin(m, 'liuan_resident', PASSWORD);
    await m.waitForURL(/\/m\/votes$/);
    await m.getByTestId('m-vote').first().waitFor();
  }

  it('a resident votes on a phone-sized screen', async () => {
    const m = page;
    await residentSignsIn(m);
    const card = m.getByTestId('m-vote').filter({ hasText: OPEN_VOTE });
    await card.waitFor();
    expect(await card.innerText()).toContain('可投票');
    expect(await card.innerText()).toContain('投票中');
    await card.click();
    await m.waitForURL(/\/m\/votes\/[0-9a-f-]+$/);
    const voteId = m.url().split('/').pop()!;

    const notice = m.getByTestId('m-ballot-notice');
    await notice.waitFor();
    expect(await notice.innerText()).toContain('无记名投票');
    expect(await notice.innerText()).toContain('任何人无法得知您的选择');

    await m.getByRole('radio', { name: '3号楼北侧空地' }).click();
    expect(await m.getByRole('radio', { name: '3号楼北侧空地' }).getAttribute('aria-checked')).toBe('true');
    await m.getByTestId('m-vote-submit').click();
    const codeEl = m.getByTestId('m-receipt-code');
    await codeEl.waitFor();
    const receipt = (await codeEl.innerText()).trim();
    expect(receipt).toMatch(/^[A-Z2-9]{12}$/);
    expect(await m.getByTestId('m-vote-done').innerText()).toContain('保存回执码');
    fs.mkdirSync(artifactsDir, { recursive: true });
    await m.screenshot({ path: path.join(artifactsDir, 'democracy-receipt.png'), fullPage: true });

    // Back to the list: the vote now says 已投票.
    await m.goto(`${server!.url}/m/votes`);
    const again = m.getByTestId('m-vote').filter({ hasText: OPEN_VOTE });
    await again.getByText('已投票', { exact: true }).waitFor();
    expect(await again.innerText()).not.toContain('可投票');

    // The vote page no longer offers a ballot.
    await again.click();
    await m.getByText('您已参与本次投票').waitFor();
    expect(await m.getByTestId('m-ballot').count()).toBe(0);

    // One vote per person: the API refuses a second ballot.
    const res = await apiFetch(server!.url, residentToken, 'POST', `/api/democracy/votes/${voteId}/ballot`, { choice: ['b'] });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('已参与本次投票');
  });

  it('the closed owners’ decision shows its 278 result on the phone and prints in the console', async () => {
    const mine = await apiCall<MyVote[]>(server!.url, residentToken, 'GET', '/api/democracy/my-votes');
    const closed = mine.find((v) => v.title === OWNERS_VOTE);
    expect(closed, `${OWNERS_VOTE} in my-votes`).toBeDefined();
    const { result } = await apiCall<{ result: { owners: { passed: boolean; participatingOwners: number; totalOwners: number } } }>(
      server!.url,
      residentToken,
      'GET',
      `/api/democracy/votes/${closed!.id}/result`,
    );
    const verdict = result.owners.passed ? '表决通过' : '表决未通过';

    const m = page;
    await residentSignsIn(m);
    const card = m.getByTestId('m-vote').filter({ hasText: OWNERS_VOTE });
    expect(await card.innerText()).toContain('已公布结果');
    await card.click();
    const owners = m.getByTestId('vote-owners-result');
    await owners.waitFor();
    const text = await owners.innerText();
    expect(text).toContain('参与表决人数');
    expect(text).toContain(`${result.owners.participatingOwners} / ${result.owners.totalOwners} 人`);
    expect(text).toContain('参与表决面积');
    expect(text).toContain('同意面积');
    expect(await m.getByTestId('vote-owners-verdict').innerText()).toContain(verdict);
    expect(await m.getByTestId('vote-owners-reasons').innerText()).toContain('参与表决专有部分面积');
    expect(await m.getByTestId('m-ballot-notice').innerText()).toContain('记名投票');
    // The receipt check answers for an unknown code.
    await m.getByPlaceholder('输入 12 位回执码').fill('ABCDEFGHJKLM');
    await m.getByRole('button', { name: /^核\s?验$/ }).click();
    await m.getByTestId('m-receipt-check').getByText('未找到', { exact: true }).waitFor();
    fs.mkdirSync(artifactsDir, { recursive: true });
    await m.screenshot({ path: path.join(artifactsDir, 'democracy-owners-result.png'), fullPage: true });

    // The community administrator opens the vote in the console and prints the notice.
    const admin = await browser!.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    await admin.addInitScript(() => {
      (window as unknown as { printed: number }).printed = 0;
      window.print = () => {
        (window as unknown as { printed: number }).printed += 1;
      };
    });
    const p = await admin.newPage();
    await p.goto(`${server!.url}/login`);
    await submitLogin(p, 'liuan_admin', PASSWORD);
    await p.getByTestId('header-user').waitFor();
    await p.goto(`${server!.url}/democracy/votes`);
    const row = p.getByTestId('vote-table').locator('tr', { hasText: OWNERS_VOTE });
    await row.waitFor();
    expect(await row.innerText()).toContain('已公布结果');
    await row.click();
    const drawer = p.getByTestId('vote-drawer');
    await drawer.waitFor();
    expect(await drawer.innerText()).toContain('使用建筑物及其附属设施的维修资金');
    await drawer.getByRole('tab', { name: '结果', exact: true }).click();
    await drawer.getByTestId('vote-owners-verdict').waitFor();
    expect(await drawer.getByTestId('vote-owners-verdict').innerText()).toContain(verdict);
    const [notice] = await Promise.all([admin.waitForEvent('page'), drawer.getByRole('button', { name: '打印结果公告' }).click()]);
    const sheet = notice.getByTestId('vote-notice');
    await sheet.waitFor();
    await sheet.getByText('特此公告', { exact: false }).waitFor();
    const sheetText = await sheet.innerText();
    expect(sheetText).toContain(OWNERS_VOTE);
    expect(sheetText).toContain('柳岸社区');
    expect(sheetText).toContain(verdict);
    await notice.getByRole('button', { name: /打\s?印/ }).click();
    expect(await notice.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
    await notice.screenshot({ path: path.join(artifactsDir, 'democracy-notice.png'), fullPage: true });
    await admin.close();
  });

  it('an administrator drafts and publishes a vote, checks a voter in and enters a paper ballot', async () => {
    const title = `楼道绿化方案征求意见（e2e ${Date.now()}）`;
    const admin = await browser!.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    const p = await admin.newPage();
    await p.goto(`${server!.url}/login`);
    await submitLogin(p, 'liuan_admin', PASSWORD);
    await p.getByTestId('header-user').waitFor();
    await p
      .getByRole('menuitem', { name: '投票表决' })
      .click()
      .catch(async () => {
        await p.getByText('民主议事', { exact: true }).click();
        await p.getByRole('menuitem', { name: '投票表决' }).click();
      });
    await p.waitForURL(/\/democracy\/votes$/);
    await p.getByTestId('vote-create').click();
    const form = p.getByTestId('vote-create-form');
    await form.waitFor();
    await form.getByLabel('标题').fill(title);
    await form.getByPlaceholder('选项 1').fill('种植绿萝');
    await form.getByPlaceholder('选项 2').fill('摆放盆栽');
    await form.getByRole('checkbox', { name: '现场投票' }).check();
    const fmt = (d: Date) => {
      const z = new Date(d.getTime() + 8 * 3600_000).toISOString();
      return `${z.slice(0, 10)} ${z.slice(11, 16)}`;
    };
    const start = form.getByPlaceholder('开始时间');
    await start.click();
    await start.fill(fmt(new Date(Date.now() - 3600_000)));
    await start.press('Enter');
    const end = form.getByPlaceholder('截止时间');
    await end.fill(fmt(new Date(Date.now() + 3 * 86400_000)));
    await end.press('Enter');
    await p.locator('.ant-modal').filter({ has: form }).getByRole('button', { name: '保存草稿' }).click();
    const drawer = p.getByTestId('vote-drawer');
    await drawer.waitFor();
    expect(await drawer.innerText()).toContain('草稿');
    await drawer.getByTestId('vote-publish').click();
    await p
      .locator('.ant-modal-confirm')
      .getByRole('button', { name: /发\s?布/ })
      .click();
    await drawer.getByText('投票中', { exact: true }).first().waitFor();

    await drawer.getByRole('tab', { name: '现场签到' }).click();
    const checkin = drawer.getByTestId('vote-checkin');
    await checkin
      .getByRole('button', { name: /签\s?到/ })
      .first()
      .click();
    await checkin.getByText('已参与（现场投票）').first().waitFor();

    await drawer.getByRole('tab', { name: '纸质票录入' }).click();
    const paper = drawer.getByTestId('vote-paper');
    await paper.getByRole('combobox').first().click();
    await p.locator('.ant-select-item-option', { hasText: '摆放盆栽' }).first().click();
    await paper.getByRole('button', { name: /提交本批/ }).click();
    await p.getByText('已录入 1 张选票').waitFor();
    const batchRows = paper.locator('tbody tr.ant-table-row');
    await batchRows.first().waitFor();
    expect(await batchRows.first().innerText()).toContain('1');
    await p.screenshot({ path: path.join(artifactsDir, 'democracy-console.png'), fullPage: false });
    await admin.close();
  });
});
