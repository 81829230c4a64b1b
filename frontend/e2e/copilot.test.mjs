// End-to-end: the agents' copilot and the knowledge-base page (issue 19) in Chromium against the real stack
// (harness.mjs), with a real HTTP server speaking the OpenAI protocol (tests/utils/llm_server.py) as the LLM.
// A small KB is ingested through the API and a customer's ticket is opened; the agent asks the Copilot drawer on the
// ticket page, gets a cited answer, asks a follow-up that only makes sense with the history (the fake model names the
// earlier question it was sent), inserts the answer into the reply box; /copilot lists the conversation; the KB page
// shows passage counts, results ordered by the match shown and a plain no-match state; at 390 px nothing scrolls
// sideways, and axe finds no serious or critical problem. Run alone with
//   flock /tmp/e2e.lock node --test --test-concurrency=1 --test-reporter=spec e2e/copilot.test.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before } from 'node:test';
import { consoleSuite, RUN } from './harness.mjs';
import { freePort, FRONTEND, ROOT, spawnGroup, stopGroup, waitFor } from './stack.mjs';

const llmPort = await freePort();
const suite = consoleSuite('copilot', { env: { LLM_BASE_URL: `http://127.0.0.1:${llmPort}/v1`, LLM_MODEL: 'fake-grounded' } });
const { step, screenshot, goto, signIn } = suite;

let page;
let llm;
const state = { ticketId: 0, sessionTitle: '' };
const RESET = `password-reset-${RUN}.md`;
const REFUND = `refunds-${RUN}.md`;
const KB = [
  {
    text: '# Resetting a forgotten password\n\nOpen the sign-in page and choose **Forgot password**. We e-mail you a reset '
      + 'link that is valid for 30 minutes. If the e-mail does not arrive within five minutes, check your spam folder.\n',
    metadata: { source: RESET, title: 'Resetting a forgotten password' },
  },
  {
    text: '# Refunds\n\nWe refund an order within 14 days of delivery. Start the refund from My orders; the money '
      + 'reaches your card within five working days.\n\n## Damaged items\n\nA damaged item is replaced or refunded; '
      + 'send us a photo of the damage first.\n',
    metadata: { source: REFUND, title: 'Refunds', visibility: 'internal' },
  },
];
const QUESTION = 'How does the customer reset the password?';
const FOLLOW_UP = 'How long is that link valid?';

/** axe-core's serious and critical findings on the page as it is now (or inside the element `selector` names). */
async function axeProblems(selector) {
  if (!(await page.evaluate(() => 'axe' in window))) {
    await page.addScriptTag({ path: path.join(FRONTEND, 'node_modules', 'axe-core', 'axe.min.js') });
  }
  const violations = await page.evaluate(async (within) => (await window.axe.run(within ? document.querySelector(within) : document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  })).violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })), selector);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

async function noSidewaysScroll(what) {
  const widths = await page.evaluate(() => {
    const client = document.documentElement.clientWidth;
    // What sticks out, to say where the problem is when there is one.
    const sticksOut = (el) => el.getBoundingClientRect().right > client + 1;
    const wide = [...document.querySelectorAll('body *')].filter((el) => sticksOut(el) && ![...el.children].some(sticksOut))
      .slice(0, 5).map((el) => `${el.tagName.toLowerCase()}.${String(el.className).split(' ').slice(0, 2).join('.')}[${el.getAttribute('data-testid') ?? ''}] ${(el.textContent ?? '').slice(0, 40)}`);
    return { scroll: document.documentElement.scrollWidth, client, wide };
  });
  assert.ok(widths.scroll <= widths.client + 1, `${what} scrolls sideways at 390 px: ${JSON.stringify(widths)}`);
}

before(async () => {
  const logFile = path.join(FRONTEND, 'e2e', 'screenshots', 'copilot-llm.log');
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  llm = spawnGroup(path.join(ROOT, '.venv', 'bin', 'python'), ['-m', 'tests.utils.llm_server', '--port', String(llmPort)], {
    cwd: ROOT, env: process.env, logFile,
  });
  await suite.ready;
  ({ page } = suite);
  await waitFor(`http://127.0.0.1:${llmPort}/v1/models`, { proc: llm, what: 'the fake LLM', timeoutMs: 30_000 });
  const ingested = await suite.api('POST', '/api/kb/ingest', { documents: KB });
  assert.equal(ingested.status, 201, JSON.stringify(ingested.body));
  const customer = await suite.api('POST', '/api/users', { email: `cora-${RUN}@example.com`, name: 'Cora Customer', role: 'requester' });
  assert.equal(customer.status, 201, JSON.stringify(customer.body));
  const ticket = await suite.api('POST', '/api/tickets', {
    title: 'Locked out of my account', content: 'I forgot my password and cannot sign in any more.', requester_id: customer.body.id,
  });
  assert.equal(ticket.status, 201, JSON.stringify(ticket.body));
  state.ticketId = ticket.body.id;
});

after(async () => {
  await stopGroup(llm);
});

step('the agent asks the Copilot drawer on the ticket page and gets a cited answer', async () => {
  await signIn(suite.stack.adminEmail, suite.stack.adminPassword);
  await goto(`/tickets/${state.ticketId}`);
  await page.getByTestId('copilot-open').click();
  const drawer = page.getByTestId('copilot-drawer');
  await drawer.getByTestId('copilot-input').fill(QUESTION);
  await drawer.getByTestId('copilot-input').press('Enter');
  const answer = drawer.getByTestId('copilot-answer').first();
  await answer.waitFor({ timeout: 60_000 });
  assert.match(await answer.innerText(), /Open the sign-in page and choose Forgot password\./);
  assert.equal(await answer.getByTestId('copilot-answer-source').innerText(), 'AI answer');
  const citation = answer.getByTestId('copilot-citation').first();
  assert.match(await citation.getAttribute('href'), new RegExp(`^/kb\\?source=${RESET.replace('.', '\\.')}&q=`));
  assert.equal(await citation.innerText(), '[1]');
  await screenshot('drawer-answer');
});

step('a follow-up question uses the conversation so far', async () => {
  const drawer = page.getByTestId('copilot-drawer');
  await drawer.getByTestId('copilot-input').fill(FOLLOW_UP);
  await drawer.getByTestId('copilot-send').click();
  const second = drawer.getByTestId('copilot-answer').nth(1);
  await second.waitFor({ timeout: 60_000 });
  // The fake model names the earlier question when the prompt carries it: the history reached the LLM.
  assert.match(await second.innerText(), new RegExp(`^Following up on "${QUESTION.replace('?', '\\?')}"`));
  assert.equal(await second.getByTestId('copilot-citation').count(), 1);
  await second.getByTestId('copilot-insert').click();
  const reply = await page.locator('#reply_content').inputValue();
  assert.ok(reply.startsWith(`Following up on "${QUESTION}"`) && !reply.includes('[1]'), reply);
  await screenshot('follow-up');
  await page.keyboard.press('Escape');
});

step('the /copilot page lists the conversation and opens it', async () => {
  await goto('/copilot');
  const row = page.getByTestId('copilot-sessions').getByRole('link', { name: new RegExp(QUESTION.replace('?', '\\?')) });
  await row.click();
  await page.waitForURL(/\/copilot\/[0-9a-f]{16}$/);
  await page.getByTestId('copilot-answer').nth(1).waitFor();
  assert.equal(await page.getByTestId('copilot-question').count(), 2);
  assert.deepEqual(await axeProblems(), []);
  await screenshot('copilot-page');
});

step('a citation opens the KB page inside the cited document', async () => {
  await page.getByTestId('copilot-citation').first().click();
  await page.waitForURL(/\/kb\?source=/);
  await page.getByTestId('kb-search-source').waitFor();
  const first = page.getByTestId('kb-hit').first();
  await first.waitFor();
  assert.match(await first.innerText(), /Resetting a forgotten password/);
});

step('the KB page shows passage counts, results ordered by the match shown and a no-match state', async () => {
  await goto('/kb');
  const listed = await suite.api('GET', '/api/kb/documents?page_size=200');
  const refunds = listed.body.items.find((d) => d.source === REFUND);
  assert.ok(refunds && refunds.chunk_count >= 1, JSON.stringify(listed.body));
  const row = page.getByTestId('kb-documents').locator('tr', { hasText: REFUND });
  await row.waitFor();
  assert.ok((await row.innerText()).includes(String(refunds.chunk_count)));

  await page.getByLabel('Query').fill('customer wants money back for a broken lamp');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByTestId('kb-hit').first().waitFor();
  const matches = (await page.getByTestId('kb-hit-match').allInnerTexts()).map((text) => Number(text.replace(/\D/g, '')));
  assert.ok(matches.length >= 1, 'some results');
  assert.deepEqual(matches, [...matches].sort((a, b) => b - a), `ordered by the match shown: ${matches}`);
  assert.match(await page.getByTestId('kb-hit').first().innerText(), /Refunds/);
  assert.deepEqual(await axeProblems(), []);
  await screenshot('kb-search');

  // Nothing matches inside a document that does not exist: the page says so plainly.
  await goto(`/kb?source=no-such-document-${RUN}.md&q=refund`);
  await page.getByTestId('kb-no-match').waitFor();
  assert.match(await page.getByTestId('kb-no-match').innerText(), /No match/);
});

step('at 390 px nothing scrolls sideways: the KB page, the copilot page and the drawer', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    await goto('/kb');
    await page.getByTestId('kb-documents').waitFor();
    await noSidewaysScroll('the KB page');
    await goto('/copilot');
    await page.getByTestId('copilot-sessions').waitFor();
    await noSidewaysScroll('the copilot page');
    await goto(`/tickets/${state.ticketId}`);
    await page.getByTestId('ticket-title').waitFor();
    await screenshot('phone-ticket');
    await noSidewaysScroll('the ticket page');
    await page.getByTestId('copilot-open').click();
    await page.getByTestId('copilot-answer').nth(1).waitFor();
    await screenshot('phone-drawer');
    // The drawer covers the page and locks its scrolling: it must fit the screen and not scroll sideways itself.
    const drawer = await page.evaluate(() => {
      const body = document.querySelector('.ant-drawer-open .ant-drawer-body');
      const panel = body?.closest('.ant-drawer-content-wrapper') ?? body?.parentElement;
      return { right: panel?.getBoundingClientRect().right, scroll: body?.scrollWidth, client: body?.clientWidth };
    });
    assert.ok(drawer.right <= 391 && drawer.scroll <= drawer.client + 1, `the drawer at 390 px: ${JSON.stringify(drawer)}`);
    assert.deepEqual(await axeProblems('.ant-drawer-open .ant-drawer-content-wrapper'), []);
  } finally {
    await page.setViewportSize({ width: 1366, height: 860 });
  }
});

suite.finish();
