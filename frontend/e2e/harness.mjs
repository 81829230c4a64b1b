// The shared frame of every e2e file: one real stack (moto + API + Vite) and one Chromium per file, steps that
// leave a screenshot behind when they fail, and a closing check that no page logged an error or a warning.
//
//   const suite = consoleSuite('search', { env: { SCHEDULE_SCALE: '0.1' } });
//   suite.step('find a ticket', async () => { await suite.goto('/tickets'); ... });
//   suite.finish();   // last line of the file: registers the console-problems check
//
// Screenshots go to e2e/screenshots/<suite name>/ (emptied when that file starts).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { apiCall, apiLogin, FRONTEND, launchChromium, startStack } from './stack.mjs';

export const TIMEOUT = 20_000;

/** A run id to make titles and e-mails unique within one stack. */
export const RUN = Date.now().toString(36);

export function consoleSuite(name, { env = {}, withConsole = true } = {}) {
  const shots = path.join(FRONTEND, 'e2e', 'screenshots', name);
  const consoleProblems = [];
  const failedResponses = new Map(); // url -> status, for telling deliberate failures from real ones
  const expectedFailures = []; // { pattern: RegExp, status: number }
  let shot = 0;
  let markReady;
  let markFailed;
  const ready = new Promise((resolve, reject) => { markReady = resolve; markFailed = reject; });
  ready.catch(() => {}); // reported by the hook itself

  const suite = {
    name,
    /** Resolves once the stack and the browser are up (a file's own `before` hooks await it). */
    ready,
    stack: null,
    browser: null,
    page: null,
    /** The suite's admin token (renewed by signOut, which revokes every token of the user signing out). */
    token: null,

    /** A full-page screenshot once skeletons and spinners are gone. */
    async screenshot(label) {
      shot += 1;
      await suite.page.locator('.ant-skeleton, .ant-spin-spinning').first()
        .waitFor({ state: 'detached', timeout: 10_000 }).catch(() => {});
      await suite.page.screenshot({ path: path.join(shots, `${String(shot).padStart(2, '0')}-${label}.png`), fullPage: true });
    },

    /** A 4xx/5xx that a step provokes on purpose: its "Failed to load resource" log line is not a problem. */
    expectFailure(pattern, status) {
      expectedFailures.push({ pattern, status });
    },

    /** A test that leaves a screenshot of the page behind when it fails. */
    step(title, fn) {
      test(title, async (t) => {
        try {
          await fn(t);
        } catch (error) {
          const file = `FAILED-${title.replace(/\W+/g, '-').slice(0, 40)}.png`;
          await suite.page?.screenshot({ path: path.join(shots, file), fullPage: true }).catch(() => {});
          throw error;
        }
      });
    },

    async goto(route) {
      await suite.page.goto(`${suite.stack.consoleUrl}${route}`);
    },

    /** The options of the antd Select dropdown that is open now. */
    openOptions() {
      return suite.page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option');
    },

    async pick(label, optionText, { search, scope = suite.page } = {}) {
      await scope.getByLabel(label, { exact: true }).click();
      if (search) await suite.page.keyboard.type(search);
      await suite.openOptions().filter({ hasText: optionText }).first().click();
    },

    async signIn(email, password) {
      const { page } = suite;
      await suite.goto('/login');
      await page.getByLabel('E-mail').fill(email);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    },

    async signOut() {
      await suite.page.getByRole('button', { name: 'Sign out' }).click();
      await suite.page.waitForURL(/\/login/);
      suite.token = await apiLogin(suite.stack);
    },

    /** An API call as the suite's admin. */
    api(method, route, body) {
      return apiCall(suite.stack, suite.token, method, route, body);
    },

    /** Registers the closing check; call it on the file's last line. */
    finish() {
      test(`${name}: no console errors or warnings on any page`, () => {
        assert.deepEqual(consoleProblems, []);
      });
    },
  };

  before(async () => {
    try {
      await start();
      markReady();
    } catch (error) {
      markFailed(error);
      throw error;
    }
  });

  async function start() {
    fs.rmSync(shots, { recursive: true, force: true });
    fs.mkdirSync(shots, { recursive: true });
    Object.assign(process.env, env);
    suite.stack = await startStack({ withConsole });
    suite.token = await apiLogin(suite.stack);
    if (!withConsole) return;
    suite.browser = await launchChromium(chromium);
    const page = suite.browser.context.pages()[0] ?? (await suite.browser.context.newPage());
    suite.page = page;
    page.setDefaultTimeout(TIMEOUT);
    page.on('response', (response) => {
      if (response.status() >= 400) failedResponses.set(response.url(), response.status());
    });
    page.on('pageerror', (error) => consoleProblems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (!['error', 'warning'].includes(message.type())) return;
      const text = message.text();
      const url = message.location()?.url ?? '';
      if (text.startsWith('Failed to load resource')) {
        const status = failedResponses.get(url);
        if (expectedFailures.some((f) => f.pattern.test(url) && f.status === status)) return;
      }
      if (text.includes('Download the React DevTools')) return;
      consoleProblems.push(`${message.type()}: ${text.slice(0, 300)} ${url}`);
    });
    // Warm the dev server: Vite optimises dependencies on the first load and may reload the page once.
    await suite.goto('/login');
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(1000);
  }

  after(async () => {
    await suite.browser?.close();
    await suite.stack?.stop();
  });

  return suite;
}
