// 感知度调查 in a real browser: 柳岸社区's administrator opens a resident perception survey under the
// Beijing 2013 framework (感知度调查 tab), a resident answers it on a phone-sized screen (/m/surveys:
// one 1–5 rating per dimension) and sees 已提交, and the console's results count the respondent.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, chooseOption, launchBrowser, startServer, submitLogin, type RunningServer } from './helpers';

const FRAMEWORK = 'BJ-ZHSQ-2013';
const PASSWORD = 'Demo@2026';

describe('resident perception survey (感知度调查)', () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('an official opens a survey, a resident answers on the phone, the console counts it', async () => {
    const desk = await browser!.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    const page = await desk.newPage();
    await page.goto(`${server!.url}/login`);
    await submitLogin(page, 'liuan_admin', PASSWORD);
    await page.getByTestId('header-user').waitFor();
    await page.getByRole('menuitem', { name: '社区评价' }).click();
    await page.waitForURL(/\/evaluation$/);
    await page.getByTestId('region-tree').getByText('柳岸社区', { exact: true }).click();
    await chooseOption(page, page.getByTestId('framework-select'), FRAMEWORK);
    await page.getByRole('tab', { name: '感知度调查' }).click();
    await page.getByTestId('survey-panel').waitFor();
    await page.getByTestId('survey-open').click();
    await page.getByTestId('survey-open-modal').waitFor();
    await page.locator('.ant-modal-footer .ant-btn-primary').click();
    const results = page.getByTestId('survey-results');
    await results.waitFor();
    expect(await results.innerText()).toContain('进行中');
    expect(await page.getByTestId('survey-respondents').innerText()).toBe('0');

    // The resident, on a phone.
    const phone = await browser!.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', isMobile: true, hasTouch: true });
    const m = await phone.newPage();
    await m.goto(`${server!.url}/m/surveys`);
    await submitLogin(m, 'liuan_resident', PASSWORD);
    await m.waitForURL(/\/m\/surveys$/);
    const card = m.getByTestId('m-survey').first();
    await card.waitFor();
    expect(await card.innerText()).toContain('待填写');
    const questions = card.getByTestId('m-survey-question');
    expect(await questions.count()).toBe(4);
    expect(await card.innerText()).toContain('感知度');
    for (const [k, score] of [5, 4, 3, 4].entries()) await questions.nth(k).locator(`[data-score="${score}"]`).click();
    await card.getByTestId('m-survey-comment').fill('希望增加夜间照明');
    await card.getByTestId('m-survey-submit').click();
    await m.getByTestId('m-survey-done').waitFor();
    expect(await m.getByTestId('m-survey').first().innerText()).toContain('已提交');
    fs.mkdirSync(artifactsDir, { recursive: true });
    await m.screenshot({ path: path.join(artifactsDir, 'perception-survey-phone.png'), fullPage: true });

    // Back in the console: one respondent, the comment shown without its author.
    await page.reload();
    await page.getByTestId('region-tree').getByText('柳岸社区', { exact: true }).click();
    await chooseOption(page, page.getByTestId('framework-select'), FRAMEWORK);
    await page.getByRole('tab', { name: '感知度调查' }).click();
    await page.getByTestId('survey-results').waitFor();
    await expect.poll(async () => page.getByTestId('survey-respondents').innerText()).toBe('1');
    expect(await page.getByTestId('survey-results').innerText()).toContain('希望增加夜间照明');
    expect(await page.getByTestId('survey-bars').count()).toBe(1);
    await page.screenshot({ path: path.join(artifactsDir, 'perception-survey-console.png'), fullPage: false });

    await phone.close();
    await desk.close();
  });
});
