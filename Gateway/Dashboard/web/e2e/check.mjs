// Drives the dashboard in headless Chromium as a person would: open /dashboard/, sign in with the admin token, pick
// a tenant, wait for the charts, then report what the page shows (chart data, drawn pixels, texts), every console
// error, failed request and requested URL, and save a screenshot. Run by Gateway.Tests (DashboardTests); prints JSON.
// Env: GATEWAY_URL, ADMIN_TOKEN, TENANT, SCREENSHOT (PNG path), CHROMIUM (default /usr/bin/chromium).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const { GATEWAY_URL, ADMIN_TOKEN, TENANT, SCREENSHOT } = process.env;
const profile = mkdtempSync(join(tmpdir(), 'dashboard-chromium-'));
const report = { consoleErrors: [], pageErrors: [], failedRequests: [], errorResponses: [], urls: [], authorizationHeaders: 0 };
// The machine is offline: without these flags Chromium keeps trying to reach Google's services.
// A fresh profile every run (the persistent context's user-data-dir), removed at the end.
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  viewport: { width: 1440, height: 1000 },
  deviceScaleFactor: 1,
  timeout: 60_000,
});
try {
  const page = browser.pages()[0] ?? await browser.newPage();
  page.on('console', (m) => { if (m.type() === 'error') report.consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => report.pageErrors.push(String(e)));
  page.on('requestfailed', (r) => report.failedRequests.push(`${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => { if (r.status() >= 400) report.errorResponses.push(`${r.status()} ${r.url()}`); });
  page.on('request', (r) => {
    report.urls.push(r.url());
    if (r.headers().authorization === `Bearer ${ADMIN_TOKEN}`) report.authorizationHeaders++;
  });

  await page.goto(`${GATEWAY_URL}/dashboard/`, { waitUntil: 'load' });
  report.signInShown = await page.isVisible('#signin');
  await page.fill('#token', ADMIN_TOKEN);
  await page.click('#signin button[type=submit]');
  await page.waitForSelector('#controls:not([hidden])');
  await page.fill('#tenant', TENANT);
  await page.click('#load');
  await page.waitForFunction((t) => window.__dashboard?.ready && window.__dashboard.tenant === t, TENANT, { timeout: 30_000 });

  report.signInHidden = await page.isHidden('#signin');
  report.state = await page.evaluate(() => ({ charts: window.__dashboard.charts, total: window.__dashboard.data.total, wallet: window.__dashboard.data.wallet, events: window.__dashboard.data.events.length }));
  // Drawn pixels per chart canvas: a chart that rendered nothing stays transparent.
  report.drawn = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('canvas')].map((c) => {
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
    return [c.id, painted];
  })));
  report.texts = await page.evaluate(() => Object.fromEntries(['title', 'kpi-spend', 'kpi-requests', 'kpi-balance', 'kpi-available'].map((id) => [id, document.getElementById(id).textContent])));
  report.tables = await page.evaluate(() => Object.fromEntries(['features', 'users', 'events', 'limits'].map((id) => [id, [...document.querySelectorAll(`#${id} tbody tr`)].map((tr) => [...tr.cells].map((td) => td.textContent))])));
  report.tokenInStorage = await page.evaluate(() => Object.keys(sessionStorage).length === 1 && Object.keys(localStorage).length === 0);
  if (SCREENSHOT) await page.screenshot({ path: SCREENSHOT, fullPage: true });
} catch (error) {
  report.error = String(error?.stack ?? error);
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(report));
