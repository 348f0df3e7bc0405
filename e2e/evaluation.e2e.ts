// 社区评价 in a real browser: a community administrator opens the DB37/T 3890.3-2020 scorecard of
// 柳岸社区 (the total equals the API's, the dimensions are drawn, a live-measured indicator shows
// 平台数据), then enters a value with evidence for a criterion through 填报 and sees it met.
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

const FRAMEWORK = 'DB37/T 3890.3-2020';

interface ScorecardBody {
  communityId: string;
  total: number;
  groups: { code: string; name: string; achievement: number }[];
  indicators: { code: string; criteria: { code: string; met: boolean; provenance: { kind: string } | null }[] }[];
}

async function apiGet<T>(baseUrl: string, token: string, pathAndQuery: string): Promise<T> {
  const res = await fetch(`${baseUrl}${pathAndQuery}`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`GET ${pathAndQuery} failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

function findRegion(nodes: RegionNode[], name: string): RegionNode | undefined {
  for (const n of nodes) {
    if (n.name === name) return n;
    const inner = findRegion(n.children, name);
    if (inner) return inner;
  }
  return undefined;
}

describe('community evaluation (社区评价)', () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  let token: string;
  let communityId: string;

  const scorecard = () =>
    apiGet<ScorecardBody>(
      server!.url,
      token,
      `/api/evaluation/scorecard?communityId=${communityId}&framework=${encodeURIComponent(FRAMEWORK)}`,
    );

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    token = await apiLogin(server.url, 'liuan_admin', 'Demo@2026');
    const tree = await apiGet<RegionNode[]>(server.url, token, '/api/regions');
    const liuan = findRegion(tree, '柳岸社区');
    expect(liuan, '柳岸社区 in liuan_admin’s region tree').toBeDefined();
    communityId = liuan!.id;
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

  it('shows the live scorecard with provenance, and a 填报 with evidence turns a criterion met', async () => {
    const before = await scorecard();
    const l1p2 = before.indicators.find((i) => i.code === 'L1P2')!.criteria.find((c) => c.code === 'L1P2.1')!;
    expect(l1p2.provenance?.kind ?? null, 'L1P2.1 is entered, not measured').not.toBe('measure');
    expect(l1p2.met).toBe(false);
    const l2p5 = before.indicators.find((i) => i.code === 'L2P5')!;
    expect(l2p5.criteria.some((c) => c.provenance?.kind === 'measure')).toBe(true);

    await page.goto(`${server!.url}/login`);
    await submitLogin(page, 'liuan_admin', 'Demo@2026');
    await page.getByTestId('header-user').waitFor();
    await page.getByRole('menuitem', { name: '社区评价' }).click();
    await page.waitForURL(/\/evaluation$/);

    // The community from the region tree, the framework from the selector.
    await page.getByTestId('region-tree').getByText('柳岸社区', { exact: true }).click();
    await chooseOption(page, page.getByTestId('framework-select'), FRAMEWORK);

    const total = page.getByTestId('scorecard-total');
    await total.waitFor();
    expect(Number(await total.getAttribute('data-total'))).toBe(before.total);
    expect(await total.innerText()).toContain(before.total.toFixed(2));
    expect(await total.innerText()).toContain('100');

    const radar = page.getByTestId('scorecard-radar');
    await radar.waitFor();
    expect(await radar.locator('svg').count()).toBe(1);
    expect(await radar.locator('[data-group]').count()).toBe(before.groups.length);
    for (const g of before.groups) expect(await radar.innerText()).toContain(g.name);

    // L2P5 社区医疗: its health-record criterion is computed from the platform's own data.
    const table = page.getByTestId('indicator-table');
    const l2p5Row = table.locator('tr[data-row-key="L2P5"]');
    expect(await l2p5Row.innerText()).toContain('平台数据');
    await l2p5Row.click();
    const l2p5Criteria = page.getByTestId('criteria-L2P5');
    await l2p5Criteria.waitFor();
    const measured = l2p5Criteria.locator('tr[data-row-key="L2P5.1"]');
    expect(await measured.innerText()).toContain('平台数据');
    expect(await measured.locator('[data-provenance="measure"]').count()).toBe(1);
    expect(await measured.getByText('填报', { exact: true }).count()).toBe(0);

    fs.mkdirSync(artifactsDir, { recursive: true });
    await page.screenshot({ path: path.join(artifactsDir, 'evaluation.png'), fullPage: false });

    // 填报 L1P2.1 (无线网络按需覆盖) as met, with one piece of evidence.
    await table.locator('tr[data-row-key="L1P2"]').click();
    const l1p2Criteria = page.getByTestId('criteria-L1P2');
    await l1p2Criteria.waitFor();
    const row = l1p2Criteria.locator('tr[data-row-key="L1P2.1"]');
    expect(await row.locator('[data-met="no"]').count()).toBe(1);
    await page.getByTestId('enter-L1P2.1').click();
    const form = page.getByTestId('value-form');
    await form.waitFor();
    await form.getByText('达到', { exact: true }).click();
    await page.getByTestId('value-source').fill('街道办现场核查');
    await page.getByTestId('evidence-title-0').fill('公共区域无线网络覆盖核查记录');
    await page.getByRole('button', { name: '提交填报' }).click();
    await form.waitFor({ state: 'detached' });

    await row.locator('[data-met="yes"]').waitFor();
    expect(await row.innerText()).toContain('达到');
    await row.locator('[data-provenance="entered"]').waitFor();
    expect(await row.innerText()).toContain('公共区域无线网络覆盖核查记录');

    const after = await scorecard();
    expect(after.indicators.find((i) => i.code === 'L1P2')!.criteria.find((c) => c.code === 'L1P2.1')!.met).toBe(true);
    expect(after.total).toBeGreaterThan(before.total);
    await page
      .getByTestId('scorecard-total')
      .and(page.locator(`[data-total="${after.total}"]`))
      .waitFor();

    // 区域汇总: the community's own roll-up ranks it with the same total.
    await page.getByRole('tab', { name: '区域汇总' }).click();
    const ranking = page.getByTestId('rollup-ranking');
    await ranking.locator('tr', { hasText: '柳岸社区' }).waitFor();
    expect(await ranking.innerText()).toContain(after.total.toFixed(2));
    expect(await page.getByTestId('rollup-heatmap').locator('td[style*="background"]').count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(artifactsDir, 'evaluation-rollup.png'), fullPage: false });
  });

  it('runs a self-assessment through review to a locked result, and browses the framework', async () => {
    const adminToken = await apiLogin(server!.url, 'jiangyue_admin', 'Demo@2026');
    const tree = await apiGet<RegionNode[]>(server!.url, adminToken, '/api/regions');
    const jiangyue = findRegion(tree, '江月社区');
    expect(jiangyue, '江月社区 in jiangyue_admin’s region tree').toBeDefined();

    // The community administrator starts the 2026 DB37 self-assessment and submits it.
    await page.goto(`${server!.url}/login`);
    await submitLogin(page, 'jiangyue_admin', 'Demo@2026');
    await page.getByTestId('header-user').waitFor();
    await page.getByRole('menuitem', { name: '社区评价' }).click();
    await page.waitForURL(/\/evaluation$/);
    await page.getByTestId('region-tree').getByText('江月社区', { exact: true }).click();
    await page.getByRole('tab', { name: '评估审核' }).click();
    await page.getByTestId('assessment-create').click();
    const form = page.getByTestId('assessment-form');
    await form.waitFor();
    await chooseOption(page, page.getByTestId('assessment-period'), '2026 年度');
    expect(await form.innerText()).toContain(FRAMEWORK);
    await page.getByRole('button', { name: '发起自评' }).last().click();
    await form.waitFor({ state: 'detached' });
    await page.locator('[data-testid="assessment-detail"][data-status="draft"]').waitFor();
    await page.getByTestId('assessment-submit').click();
    await page.locator('[data-testid="assessment-detail"][data-status="submitted"]').waitFor();
    // The list reloads after the detail: wait for it rather than reading it at once.
    await page.getByTestId('assessment-list').getByText('待审核').waitFor();

    // The report view of the scorecard opens with the total.
    await page.getByRole('tab', { name: '社区评分卡' }).click();
    await page.getByTestId('scorecard-report').click();
    await page.getByTestId('report-total').waitFor();
    expect(await page.getByTestId('print-report').innerText()).toContain('江月社区');
    // Printed, only the report remains: the console around it is hidden.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('#root').isVisible()).toBe(false);
    expect(await page.getByTestId('report-total').isVisible()).toBe(true);
    await page.screenshot({ path: path.join(artifactsDir, 'evaluation-report-print.png'), fullPage: false });
    await page.emulateMedia({ media: 'screen' });
    await page.keyboard.press('Escape');
    await page.getByTestId('print-report').waitFor({ state: 'detached' });

    const list = await apiGet<{ id: string; period: string; framework: string }[]>(
      server!.url,
      adminToken,
      `/api/evaluation/assessments?communityId=${jiangyue!.id}`,
    );
    const created = list.find((a) => a.period === '2026' && a.framework === FRAMEWORK);
    expect(created).toBeDefined();

    // The city evaluator reviews it: returns one indicator, then accepts everything, then locks.
    await context.clearCookies();
    await page.evaluate(() => {
      localStorage.clear();
      sessionStorage.clear();
    });
    await page.goto(`${server!.url}/login`);
    await submitLogin(page, 'city_evaluator', 'Demo@2026');
    await page.getByTestId('header-user').waitFor();
    await page.getByRole('menuitem', { name: '社区评价' }).click();
    await page.waitForURL(/\/evaluation$/);
    await page.getByRole('tab', { name: '评估审核' }).click();
    await page.getByTestId('community-select').click();
    await page.keyboard.type('江月');
    await page.locator('.ant-select-item-option', { hasText: '江月社区' }).first().click();
    const listTable = page.getByTestId('assessment-list');
    await listTable.locator(`tr[data-row-key="${created!.id}"]`).click();
    const detail = page.locator('[data-testid="assessment-detail"][data-status="submitted"]');
    await detail.waitFor();
    expect(await page.getByTestId('assessment-submit').count()).toBe(0);

    await page.getByTestId('return-L1P1').click();
    await page.getByTestId('return-reason').fill('光纤覆盖率缺少运营商证明');
    await page.getByTestId('return-confirm').click();
    const l1p1 = page.getByTestId('review-table').locator('tr[data-row-key="L1P1"]');
    await l1p1.locator('[data-review="returned"]').waitFor();
    expect(await l1p1.innerText()).toContain('光纤覆盖率缺少运营商证明');

    // Locking with open indicators is refused with the server's reason.
    await page.getByTestId('assessment-lock').click();
    await page.getByTestId('assessment-error').waitFor();
    expect(await page.getByTestId('assessment-error').innerText()).toContain('未通过审核');

    await page.getByTestId('accept-all').click();
    await l1p1.locator('[data-review="accepted"]').waitFor();
    await page.getByTestId('accept-all').and(page.locator(':disabled')).waitFor();
    expect(await page.getByTestId('review-table').locator('[data-review]:not([data-review="accepted"])').count()).toBe(0);

    await page.getByTestId('assessment-lock').click();
    await page.getByTestId('assessment-locked').waitFor();
    expect(await page.getByTestId('assessment-locked').innerText()).toContain('已锁定');
    const evaluatorToken = await apiLogin(server!.url, 'city_evaluator', 'Demo@2026');
    const locked = await apiGet<{ status: string; lockedAt: string | null; scorecard: { total: number } }>(
      server!.url,
      evaluatorToken,
      `/api/evaluation/assessments/${created!.id}`,
    );
    expect(locked.status).toBe('locked');
    expect(locked.lockedAt).not.toBeNull();
    const shown = page.getByTestId('locked-total');
    expect(Number(await shown.getAttribute('data-total'))).toBe(locked.scorecard.total);
    expect(await shown.innerText()).toContain(locked.scorecard.total.toFixed(2));
    await listTable.locator(`tr[data-row-key="${created!.id}"]`, { hasText: '已锁定' }).waitFor();
    await page.screenshot({ path: path.join(artifactsDir, 'evaluation-assessment.png'), fullPage: false });
    // The review workspace names the evaluator kind (`002` 6.2): city_evaluator holds the general role.
    expect(await l1p1.getByTestId('reviewer-kind').innerText()).toBe('评估人员（未区分）');
    expect(await page.getByTestId('reviews-by-kind').innerText()).toContain('评估人员（未区分）');

    // 跨周期趋势 on the scorecard: the locked 2026 result, then 当前.
    await page.getByRole('tab', { name: '社区评分卡' }).click();
    const trendPanel = page.getByTestId('evaluation-trend');
    await trendPanel.waitFor();
    await trendPanel.locator('svg[role="img"] circle').first().waitFor();
    const trendText = await trendPanel.innerText();
    expect(trendText).toContain('2026');
    expect(trendText).toContain('锁定结果');
    expect(trendText).toContain(locked.scorecard.total.toFixed(2));
    await trendPanel.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(artifactsDir, 'evaluation-trend.png'), fullPage: false });
    // The printed community report is now the locked result, each indicator with its reviewer.
    await page.getByTestId('scorecard-report').click();
    const cover = page.getByTestId('report-assessment');
    await cover.filter({ hasText: '已锁定' }).waitFor();
    expect(await cover.innerText()).toContain('本报告为锁定结果');
    expect(await page.getByTestId('report-total').innerText()).toContain(locked.scorecard.total.toFixed(2));
    const reviewLines = page.getByTestId('report-review');
    expect(await reviewLines.count()).toBe(24);
    expect(await reviewLines.first().innerText()).toMatch(/审核：通过 · .+（评估人员（未区分））/);
    await page.keyboard.press('Escape');
    await page.getByTestId('print-report').waitFor({ state: 'detached' });
    // And in 区域汇总: the 2026 period with one community assessed.
    await page.getByRole('tab', { name: '区域汇总' }).click();
    const regionTrend = page.getByTestId('evaluation-trend');
    await regionTrend.locator('[data-series]').first().waitFor();
    expect(await regionTrend.locator('tr[data-row-key="2026"]').innerText()).toContain(locked.scorecard.total.toFixed(2));
    // The printable region report: ranking, every indicator with how many communities reach it.
    await page.getByTestId('region-report-open').click();
    const regionReport = page.getByTestId('region-report');
    await regionReport.waitFor();
    expect(await page.getByTestId('region-report-ranking').innerText()).toContain('江月社区');
    expect(await page.getByTestId('region-report-indicators').locator('tbody tr').count()).toBe(24);
    expect(await page.getByTestId('region-report-summary').innerText()).toMatch(/\d+ 个社区 · 平均分/);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('#root').isVisible()).toBe(false);
    expect(await regionReport.isVisible()).toBe(true);
    await page.screenshot({ path: path.join(artifactsDir, 'evaluation-region-report-print.png'), fullPage: false });
    await page.emulateMedia({ media: 'screen' });
    await page.keyboard.press('Escape');
    await regionReport.waitFor({ state: 'detached' });

    // 评价标准: L2P5.1 is computed from the platform's data.
    await page.getByRole('tab', { name: '评价标准' }).click();
    const fw = page.getByTestId('framework-browser');
    await fw.waitFor();
    const l2p51 = fw.locator('tr[data-row-key="L2P5.1"]');
    await l2p51.waitFor();
    expect(await l2p51.innerText()).toContain('平台自动计算');
    expect(await fw.locator('tr[data-row-key="L1P1.2"]').innerText()).not.toContain('平台自动计算');
    await page.screenshot({ path: path.join(artifactsDir, 'evaluation-framework.png'), fullPage: false });
  });
});
