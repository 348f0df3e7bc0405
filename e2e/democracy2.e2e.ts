// 民主监督 and 民主选举 in a real browser: the community administrator publishes a finance list with a
// two-line ledger in the console; the resident sees it and its total on the phone 公示栏 and files a
// report (no name shown); the administrator sees it with its due date in 民主监督 and answers it; the
// resident sees the answer. Then the resident nominates themselves for an election taking nominations
// and the administrator confirms the nomination in 民主选举 and makes the candidate list public.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    const found = findRegion(n.children, name);
    if (found) return found;
  }
  return undefined;
}

/** "YYYY-MM-DD HH:mm" in China Standard Time, as the console shows times. */
function cst(iso: string): string {
  const z = new Date(new Date(iso).getTime() + 8 * 3600_000).toISOString();
  return `${z.slice(0, 10)} ${z.slice(11, 16)}`;
}

describe('resident democracy: supervision and elections (民主监督、民主选举)', () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let adminToken: string;
  let liuanId: string;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    adminToken = await apiLogin(server.url, 'liuan_admin', PASSWORD);
    const tree = await apiCall<RegionNode[]>(server.url, adminToken, 'GET', '/api/regions');
    liuanId = findRegion(tree, '柳岸社区')!.id;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function phone(): Promise<BrowserContext> {
    return browser!.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', isMobile: true, hasTouch: true });
  }

  async function adminConsole(): Promise<{ ctx: BrowserContext; p: Page }> {
    const ctx = await browser!.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    const p = await ctx.newPage();
    await p.goto(`${server!.url}/login`);
    await submitLogin(p, 'liuan_admin', PASSWORD);
    await p.getByTestId('header-user').waitFor();
    return { ctx, p };
  }

  it('a finance list, a report from the phone and its answer', async () => {
    const title = `社区公益金收支（e2e ${Date.now()}）`;
    const reportText = `维修费发票与实际施工不符，请核查（e2e ${Date.now()}）`;
    const { ctx: admin, p } = await adminConsole();
    await p.goto(`${server!.url}/democracy/supervision`);
    await p.getByTestId('supervision-create').click();
    const form = p.getByTestId('supervision-form');
    await form.waitFor();
    const community = form.locator('.ant-select').first();
    if (!(await community.innerText()).includes('柳岸社区')) {
      await chooseOption(p, community, '柳岸社区');
    }
    await form.getByLabel('标题').fill(title);
    await form.getByLabel('所属期间').fill('2026年第四季度');
    const date1 = form.getByPlaceholder('日期 1');
    await date1.click();
    await date1.fill('2026-11-05');
    await date1.press('Enter');
    await form.getByPlaceholder('事项 1').fill('收到共建单位捐赠');
    await form.getByPlaceholder('金额 1').fill('1200.5');
    await form.getByTestId('supervision-add-line').click();
    const date2 = form.getByPlaceholder('日期 2');
    await date2.click();
    await date2.fill('2026-11-20');
    await date2.press('Enter');
    await form.getByPlaceholder('事项 2').fill('楼道照明维修');
    await form.getByPlaceholder('金额 2').fill('-350.25');
    await form.getByPlaceholder('事项 2').click();
    await form.getByTestId('supervision-running-total').getByText('¥850.25').waitFor();
    await p
      .locator('.ant-modal')
      .filter({ has: form })
      .getByRole('button', { name: /发\s?布/ })
      .click();
    const drawer = p.getByTestId('supervision-drawer');
    await drawer.waitFor();
    expect(await drawer.innerText()).toContain('¥850.25');
    expect(await drawer.innerText()).toContain('楼道照明维修');
    await p.keyboard.press('Escape');

    // The resident on a phone: the list, its ledger and total; a report that carries no name.
    const resident = await phone();
    const m = await resident.newPage();
    await m.goto(`${server!.url}/m/board`);
    await submitLogin(m, 'liuan_resident', PASSWORD);
    await m.waitForURL(/\/m\/board/);
    const card = m.getByTestId('m-board-item').filter({ hasText: title });
    await card.waitFor();
    expect(await card.getByTestId('m-board-total').innerText()).toContain('¥850.25');
    await card.getByText(title).click();
    const ledger = card.getByTestId('m-board-ledger');
    await ledger.waitFor();
    const ledgerText = await ledger.innerText();
    expect(ledgerText).toContain('收到共建单位捐赠');
    expect(ledgerText).toContain('-¥350.25');
    expect(ledgerText).toContain('合计');
    await card.getByTestId('m-board-report').click();
    expect(await card.getByTestId('m-board-anon').innerText()).toContain('举报不显示您的姓名');
    await card.locator('textarea').fill(reportText);
    await card.getByTestId('m-board-ask-submit').click();
    const qa = card.getByTestId('m-board-qa').filter({ hasText: reportText });
    await qa.waitFor();
    expect(await qa.innerText()).toContain('匿名');
    expect(await qa.innerText()).toContain('待答复');
    fs.mkdirSync(artifactsDir, { recursive: true });
    await m.screenshot({ path: path.join(artifactsDir, 'democracy-board-report.png'), fullPage: true });

    // The administrator: the report with its due date (5 working days), no name; the answer.
    const questions = await apiCall<{ id: string; text: string; dueAt: string; asker: string | null }[]>(
      server!.url,
      adminToken,
      'GET',
      `/api/democracy/supervision-questions?communityId=${liuanId}`,
    );
    const q = questions.find((x) => x.text === reportText);
    expect(q, 'the report in the questions list').toBeDefined();
    expect(q!.asker).toBeNull();
    await p.goto(`${server!.url}/democracy/supervision`);
    await p.getByRole('tab', { name: /质询与举报/ }).click();
    const row = p.getByTestId('question-table').locator('tr', { hasText: reportText });
    await row.waitFor();
    const rowText = await row.innerText();
    expect(rowText).toContain(cst(q!.dueAt));
    expect(rowText).toContain('待答复');
    expect(rowText).toContain('匿名');
    expect(rowText).toContain(title);
    await row.getByTestId('question-answer').click();
    const answer = '经核查，发票金额与施工合同一致，相关材料已在社区服务站公开，欢迎查阅。';
    await p.locator('.ant-modal textarea').fill(answer);
    await p
      .locator('.ant-modal')
      .getByRole('button', { name: /答\s?复/ })
      .click();
    await row.getByText('已答复').waitFor();
    await p.screenshot({ path: path.join(artifactsDir, 'democracy-supervision-console.png'), fullPage: false });
    await admin.close();

    // The resident sees the answer.
    await m.goto(`${server!.url}/m/board`);
    const again = m.getByTestId('m-board-item').filter({ hasText: title });
    await again.getByText(title).click();
    const answered = again.getByTestId('m-board-qa').filter({ hasText: reportText });
    await answered.getByTestId('m-board-answer').waitFor();
    expect(await answered.getByTestId('m-board-answer').innerText()).toContain(answer);
    await resident.close();
  });

  it('a resident nominates themselves and the administrator confirms the nomination', async () => {
    const title = `第十二届居民委员会成员选举（e2e ${Date.now()}）`;
    const day = 86400_000;
    const now = Date.now();
    const created = await apiCall<{ vote: { id: string } }>(server!.url, adminToken, 'POST', '/api/democracy/elections', {
      regionId: liuanId,
      title,
      seats: 1,
      channels: ['online'],
      nominationsCloseAt: new Date(now + 2 * day).toISOString(),
      opensAt: new Date(now + 10 * day).toISOString(),
      closesAt: new Date(now + 11 * day).toISOString(),
    });
    const id = created.vote.id;

    const resident = await phone();
    const m = await resident.newPage();
    await m.goto(`${server!.url}/m/board?election=${id}`);
    await submitLogin(m, 'liuan_resident', PASSWORD);
    await m.waitForURL(/\/m\/board/);
    const card = m.getByTestId('m-board-election').filter({ hasText: title });
    await card.waitFor();
    expect(await card.innerText()).toContain('提名中');
    expect(await card.innerText()).toContain('应选 1 名');
    await card.getByTestId('m-board-self-nominate').click();
    await card.locator('textarea').fill('在本小区居住十年，愿意为邻里服务。');
    await card.getByTestId('m-board-nominate-submit').click();
    await card.getByTestId('m-board-my-nomination').getByText('我的自荐：待确认').waitFor();
    await m.screenshot({ path: path.join(artifactsDir, 'democracy-board-nomination.png'), fullPage: true });

    const detail = await apiCall<{ nominations: { name: string; source: string }[] }>(
      server!.url,
      adminToken,
      'GET',
      `/api/democracy/elections/${id}`,
    );
    expect(detail.nominations).toHaveLength(1);
    const name = detail.nominations[0]!.name;

    const { ctx: admin, p } = await adminConsole();
    await p.goto(`${server!.url}/democracy/elections`);
    const row = p.getByTestId('election-table').locator('tr', { hasText: title });
    await row.waitFor();
    expect(await row.innerText()).toContain('筹备中');
    await row.click();
    const drawer = p.getByTestId('election-drawer');
    await drawer.waitFor();
    const nomination = drawer.getByTestId('election-nominations').locator('tr', { hasText: name });
    await nomination.waitFor();
    expect(await nomination.innerText()).toContain('本人自荐');
    expect(await nomination.innerText()).toContain('待确认');
    await nomination.getByTestId('nomination-accept').click();
    await nomination.getByText('已确认').waitFor();

    // One confirmed candidate for one seat: the list can be made public (voting opens in 10 days).
    await drawer.getByTestId('election-publish-candidates').click();
    await p
      .locator('.ant-modal-confirm')
      .getByRole('button', { name: /公\s?示/ })
      .click();
    await drawer.getByText('候选人公示中').waitFor();
    await drawer.getByTestId('election-publish-vote').waitFor();
    await p.screenshot({ path: path.join(artifactsDir, 'democracy-election-console.png'), fullPage: false });
    await admin.close();

    // The resident sees the public candidate list and their nomination confirmed.
    await m.reload();
    const after = m.getByTestId('m-board-election').filter({ hasText: title });
    await after.getByTestId('m-board-candidates').waitFor();
    expect(await after.getByTestId('m-board-candidates').innerText()).toContain(name);
    await after.getByText('我的自荐：已确认').waitFor();
    await resident.close();
  });
});
