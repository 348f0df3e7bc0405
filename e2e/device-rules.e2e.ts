// 告警规则 in a real browser: 柳岸社区's administrator lowers the gas threshold (燃气泄漏 ≥ 10 %LEL instead
// of the default 20), a detector fed through the API at 12 raises an alarm, the rule is switched off, its
// history shows both versions, and 恢复继承 brings the default back.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  apiGet,
  apiLogin,
  findRegion,
  launchBrowser,
  screenshotIfFailed,
  startServer,
  submitLogin,
  type RegionNode,
  type RunningServer,
} from './helpers';

const PASSWORD = 'Demo@2026';

describe('alarm rules (告警规则)', () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  let token: string;
  let liuanId: string;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    token = await apiLogin(server.url, 'liuan_admin', PASSWORD);
    const liuan = findRegion(await apiGet<RegionNode[]>(server.url, token, '/api/regions'), '柳岸社区');
    expect(liuan).toBeDefined();
    liuanId = liuan!.id;
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
    await screenshotIfFailed(ctx.task, page, 'device-rules');
    await context.close();
  });

  async function gasAlarms(deviceId: string) {
    const alarms = await apiGet<{ deviceId: string; type: string }[]>(server!.url, token, `/api/alarms?communityId=${liuanId}`);
    return alarms.filter((a) => a.deviceId === deviceId);
  }

  it('override a threshold, switch the rule off, read its history, revert', async () => {
    await page.goto(`${server!.url}/login`);
    await submitLogin(page, 'liuan_admin', PASSWORD);
    await page.getByTestId('header-user').waitFor();
    await page.goto(`${server!.url}/devices/rules`);
    const source = page.getByTestId('rule-source-gas.leak');
    await source.getByText('默认', { exact: true }).waitFor();

    await page.getByTestId('rule-edit-gas.leak').click();
    const form = page.getByTestId('rule-form');
    await form.waitFor();
    const threshold = form.getByRole('spinbutton');
    await threshold.fill('10');
    await page.locator('.ant-modal').filter({ has: form }).locator('.ant-btn-primary').click();
    await source.getByText('社区', { exact: true }).waitFor();
    expect(await page.getByTestId('rule-condition-gas.leak').innerText()).toContain('大于等于 10');

    // A detector at 12 %LEL: below the default, above the community's threshold.
    const res = await fetch(`${server!.url}/api/devices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ regionId: liuanId, type: 'gas_detector', name: `e2e 燃气 ${Date.now()}` }),
    });
    expect(res.status).toBe(201);
    const device = (await res.json()) as { id: string; credentials: { username: string; password: string } };
    const basic = Buffer.from(`${device.credentials.username}:${device.credentials.password}`).toString('base64');
    const sent = await fetch(`${server!.url}/api/devices/${device.id}/telemetry`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/json' },
      body: JSON.stringify({ values: { gas_lel: 12 } }),
    });
    expect(sent.status).toBe(202);
    expect(await gasAlarms(device.id)).toMatchObject([{ type: 'gas_leak' }]);

    // Off.
    await page.getByTestId('rule-enabled-gas.leak').click();
    await page.getByText('已停用「燃气泄漏」').waitFor();
    const rules = await apiGet<{ rules: { id: string; enabled: boolean }[] }>(server!.url, token, `/api/device-rules?regionId=${liuanId}`);
    expect(rules.rules.find((r) => r.id === 'gas.leak')?.enabled).toBe(false);

    // History: two versions, newest first.
    await page.getByTestId('rule-history-gas.leak').click();
    const history = page.getByTestId('rule-history');
    await history.getByTestId('rule-version-2').waitFor();
    expect(await history.getByTestId('rule-version-2').innerText()).toContain('停用');
    expect(await history.getByTestId('rule-version-1').innerText()).toContain('大于等于 10');
    await page.keyboard.press('Escape');
    await history.waitFor({ state: 'hidden' });

    // Back to the default.
    await page.getByTestId('rule-revert-gas.leak').click();
    await page.locator('.ant-popconfirm .ant-btn-primary').click(); // antd spaces two-character labels (恢 复)
    await source.getByText('默认', { exact: true }).waitFor();
    expect(await page.getByTestId('rule-condition-gas.leak').innerText()).toContain('大于等于 20');
  });
});
