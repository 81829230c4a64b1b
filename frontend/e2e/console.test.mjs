// End-to-end: the console in Chromium against the real stack (moto + Chalice API + Vite), started on free
// ports with a fresh state directory. Run with `npm run e2e` (or `make e2e`). Screenshots of every page go
// to e2e/screenshots/ on each run.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { apiCall, apiLogin, FRONTEND, launchChromium, routeExists, startStack } from './stack.mjs';

const SHOTS = path.join(FRONTEND, 'e2e', 'screenshots');
const RUN = Date.now().toString(36);
const TIMEOUT = 20_000;

let stack;
let browser;
let page;
let token;
let shot = 0;
const consoleProblems = [];
const failedResponses = new Map(); // url -> status, for telling deliberate failures from real ones
const expectedFailures = []; // { pattern: RegExp, status: number }

const state = { user: null, ticketId: null, otherTicketId: null, title: `Printer on 3rd floor jams ${RUN}` };

async function screenshot(name) {
  shot += 1;
  // Let skeletons and spinners finish, so the picture shows the page, not its loading state.
  await page.locator('.ant-skeleton, .ant-spin-spinning').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => {});
  await page.screenshot({ path: path.join(SHOTS, `${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true });
}

function expectFailure(pattern, status) {
  expectedFailures.push({ pattern, status });
}

/** The options of the antd Select dropdown that is open now. */
function openOptions() {
  return page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option');
}

async function pick(label, optionText, { search, scope = page } = {}) {
  await scope.getByLabel(label, { exact: true }).click();
  if (search) await page.keyboard.type(search);
  await openOptions().filter({ hasText: optionText }).first().click();
}

/** A test that leaves a screenshot of the page behind when it fails. */
function step(name, fn) {
  test(name, async (t) => {
    try {
      await fn(t);
    } catch (error) {
      await page?.screenshot({ path: path.join(SHOTS, `FAILED-${name.replace(/\W+/g, '-').slice(0, 40)}.png`), fullPage: true }).catch(() => {});
      throw error;
    }
  });
}

async function goto(route) {
  await page.goto(`${stack.consoleUrl}${route}`);
}

before(async () => {
  fs.rmSync(SHOTS, { recursive: true, force: true });
  fs.mkdirSync(SHOTS, { recursive: true });
  stack = await startStack({ withConsole: true });
  token = await apiLogin(stack);
  browser = await launchChromium(chromium);
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
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
  await goto('/login');
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(1000);
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

step('sign in', async () => {
  await goto('/tickets');
  await page.waitForURL(/\/login\?next=%2Ftickets/);
  await page.getByLabel('E-mail').fill(stack.adminEmail);
  await page.getByLabel('Password').fill('wrong-password');
  expectFailure(/\/api\/auth\/login$/, 401);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Wrong e-mail or password').waitFor();
  await screenshot('login');
  await page.getByLabel('Password').fill(stack.adminPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/tickets$/);
  await page.getByRole('heading', { name: 'Tickets' }).waitFor();
});

step('a reload keeps the session (silent refresh from the httpOnly cookie)', async () => {
  await page.reload();
  await page.getByRole('heading', { name: 'Tickets' }).waitFor();
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + document.cookie);
  assert.ok(!/eyJ/.test(stored), 'no token may be readable by page scripts');
});

step('home page shows the queue', async () => {
  await goto('/');
  await page.getByRole('heading', { name: 'Today’s queue' }).waitFor();
  await page.getByText('My recent tickets').waitFor();
  await screenshot('home');
});

step('create a user', async () => {
  await goto('/users');
  await page.getByRole('button', { name: 'New User' }).click();
  const dialog = page.getByRole('dialog');
  const name = `Dana Requester ${RUN}`;
  const email = `dana.${RUN}@example.com`;
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('E-mail').fill(email);
  await dialog.getByRole('button', { name: 'Create user' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await page.getByRole('link', { name }).waitFor();
  await screenshot('users');
  await page.getByRole('link', { name }).click();
  await page.getByRole('heading', { name }).waitFor();
  await page.getByText(`${name} has not opened any tickets.`).waitFor();
  state.user = { id: Number(page.url().split('/').pop()), name, email };
  assert.ok(state.user.id > 0);
  await screenshot('user-detail');
});

step('create a ticket (validation, then success)', async () => {
  await goto('/tickets/new');
  await page.getByRole('button', { name: 'Create ticket' }).click();
  await page.getByText('Give the ticket a title').waitFor();
  await page.getByText('Describe the problem').waitFor();
  await page.getByLabel('Title').fill(state.title);
  await page.getByLabel('Content').fill('Paper jams every second page since this morning.\nTried a new cartridge.');
  await pick('Requester', state.user.name, { search: `dana.${RUN}` });
  await pick('Priority', 'High');
  const tags = page.getByLabel('Tags');
  await tags.click();
  await page.keyboard.type('printer, hardware,');
  await screenshot('new-ticket');
  await page.getByRole('button', { name: 'Create ticket' }).click();
  await page.waitForURL(/\/tickets\/\d+$/);
  state.ticketId = Number(page.url().split('/').pop());
  await page.getByTestId('ticket-title').filter({ hasText: state.title }).waitFor();
  const ticket = await apiCall(stack, token, 'GET', `/api/tickets/${state.ticketId}`);
  assert.equal(ticket.body.priority, 'high');
  assert.deepEqual(ticket.body.tags, ['printer', 'hardware']);
  assert.equal(ticket.body.requester_id, state.user.id);
});

step('filter the list; filters live in the URL and the back button restores them', async () => {
  const other = await apiCall(stack, token, 'POST', '/api/tickets', {
    title: `Low-priority question ${RUN}`, content: 'When is the cafeteria open?', priority: 'low', requester_id: state.user.id,
  });
  assert.equal(other.status, 201);
  state.otherTicketId = other.body.id;
  await goto('/tickets');
  const rows = page.locator('.ant-table-row');
  await rows.filter({ hasText: state.title }).waitFor();
  await rows.filter({ hasText: `Low-priority question ${RUN}` }).waitFor();
  await pick('Filter by priority', 'High');
  await page.waitForURL(/priority=high/);
  await rows.filter({ hasText: `Low-priority question ${RUN}` }).waitFor({ state: 'detached' });
  await rows.filter({ hasText: state.title }).waitFor();
  await pick('Filter by requester', state.user.name, { search: 'dana' });
  await page.waitForURL(new RegExp(`requester=${state.user.id}`));
  await screenshot('tickets-filtered');
  await page.goBack();
  await page.waitForURL((url) => !url.search.includes('requester='));
  await page.goBack();
  await page.waitForURL((url) => !url.search.includes('priority='));
  await rows.filter({ hasText: `Low-priority question ${RUN}` }).waitFor();
  await goto(`/tickets?priority=low&requester=${state.user.id}`);
  await rows.filter({ hasText: `Low-priority question ${RUN}` }).waitFor();
  assert.equal(await rows.filter({ hasText: state.title }).count(), 0);
});

step('open a ticket from the list', async () => {
  await goto('/tickets');
  await page.locator('.ant-table-row').filter({ hasText: state.title }).locator('td').first().click();
  await page.waitForURL(new RegExp(`/tickets/${state.ticketId}$`));
  await page.getByTestId('ticket-content').waitFor();
  await page.getByTestId('ai-classification').waitFor();
  await screenshot('ticket-detail');
});

step('edit in the modal; a concurrent edit is reported, not overwritten', async () => {
  await page.getByRole('button', { name: 'Edit' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Title').waitFor();
  // Someone else saves while the modal is open.
  const meanwhile = await apiCall(stack, token, 'PUT', `/api/tickets/${state.ticketId}`, { priority: 'urgent' });
  assert.equal(meanwhile.status, 200);
  await dialog.getByLabel('Title').fill(`${state.title} (edited)`);
  expectFailure(new RegExp(`/api/tickets/${state.ticketId}$`), 409);
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await dialog.getByText('Someone else changed this ticket').waitFor();
  await screenshot('edit-conflict');
  await dialog.getByRole('button', { name: 'Load latest version' }).click();
  await dialog.getByText('Someone else changed this ticket').waitFor({ state: 'detached' });
  await dialog.getByLabel('Title').fill(`${state.title} (edited)`);
  await pick('Status', 'In progress', { scope: dialog });
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await dialog.waitFor({ state: 'hidden' });
  state.title = `${state.title} (edited)`;
  await page.getByTestId('ticket-title').filter({ hasText: state.title }).waitFor();
  await page.getByTestId('status-tag').filter({ hasText: 'In progress' }).first().waitFor();
  const ticket = await apiCall(stack, token, 'GET', `/api/tickets/${state.ticketId}`);
  assert.equal(ticket.body.status, 'in_progress');
  assert.equal(ticket.body.priority, 'urgent', 'the other edit survived');
});

step('reply, and add an internal note', async () => {
  const thread = page.getByTestId('reply-thread');
  await page.getByLabel('Reply', { exact: true }).fill('Hi Dana, we are sending a technician this afternoon.');
  await page.getByRole('button', { name: 'Send reply' }).click();
  await thread.getByText('we are sending a technician').waitFor();
  await page.getByText('Reply sent').waitFor();
  await page.getByRole('switch').click();
  await page.getByLabel('Internal note (agents only)').fill('Tray 2 roller is worn; order part 44-B.');
  await page.getByRole('button', { name: 'Add internal note' }).click();
  await page.getByTestId('internal-note').filter({ hasText: 'order part 44-B' }).waitFor();
  await page.getByText('Internal note added').waitFor();
  const replies = await apiCall(stack, token, 'GET', `/api/tickets/${state.ticketId}/replies`);
  assert.deepEqual(replies.body.items.map((r) => r.internal), [false, true]);
  await screenshot('ticket-replies');
});

step('generate an AI suggestion and insert the draft into the reply', async (t) => {
  const available = await routeExists(stack, token, 'POST', `/api/ai/tickets/${state.ticketId}/suggest`);
  if (!available) expectFailure(/\/api\/ai\/tickets\/\d+\/suggest$/, 403);
  await page.getByRole('button', { name: 'Generate' }).click();
  if (!available) {
    await page.getByText('AI suggestions are not available yet').waitFor();
    await screenshot('ai-unavailable');
    t.skip('pending: the backend has no POST /api/ai/tickets/{id}/suggest yet (the "not available" state was checked)');
    return;
  }
  const draft = page.getByTestId('ai-draft');
  await draft.waitFor({ timeout: 60_000 });
  const text = (await draft.innerText()).trim();
  assert.ok(text.length > 0, 'the draft is not empty');
  await page.getByRole('button', { name: 'Insert into reply' }).click();
  assert.equal((await page.getByLabel('Reply', { exact: true }).inputValue()).trim(), text);
  await screenshot('ai-suggestion');
});

step('import into the knowledge base, search it, delete a result', async (t) => {
  const available = await routeExists(stack, token, 'POST', '/api/kb/search', { query: 'x', top_k: 1 });
  if (!available) expectFailure(/\/api\/kb\//, 403);
  await goto('/kb');
  if (!available) {
    await page.getByText('The knowledge base is not available on this server yet').waitFor();
    await screenshot('kb-unavailable');
    t.skip('pending: the backend has no /api/kb routes yet (the "not available" state was checked)');
    return;
  }
  await page.getByLabel('Paste text').fill(`# Printer jams ${RUN}\n\nOpen tray 2, remove the paper, check the roller. Replace worn rollers (part 44-B).`);
  await page.getByLabel('Source').fill(`printers-${RUN}.md`);
  await page.getByRole('button', { name: 'Import' }).click();
  await page.getByText(/Inserted \d+ chunk/).waitFor({ timeout: 60_000 });
  await page.getByLabel('Query').fill('printer roller tray');
  await page.getByRole('button', { name: 'Search' }).click();
  const results = page.getByTestId('kb-results').locator('.ant-card');
  await results.first().waitFor({ timeout: 60_000 });
  await screenshot('kb');
  const before = await results.count();
  await results.first().getByRole('button', { name: 'Delete' }).click();
  await page.locator('.ant-popconfirm').getByRole('button', { name: 'Delete' }).click();
  await page.getByText('Entry deleted from the knowledge base').waitFor();
  assert.equal(await results.count(), before - 1);
});

step('delete the ticket (with its replies) after confirming', async () => {
  await goto(`/tickets/${state.ticketId}`);
  await page.getByRole('button', { name: 'Delete' }).click();
  const confirm = page.getByRole('dialog').filter({ hasText: `Delete ticket #${state.ticketId}?` });
  await confirm.getByText('all its replies').waitFor();
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await page.waitForURL(/\/tickets$/);
  const gone = await apiCall(stack, token, 'GET', `/api/tickets/${state.ticketId}`);
  assert.equal(gone.status, 404);
  expectFailure(new RegExp(`/api/tickets/${state.ticketId}$`), 404);
  await goto(`/tickets/${state.ticketId}`);
  await page.getByText('Ticket not found').waitFor();
});

step('dashboard shows its empty state', async () => {
  await goto('/dashboard');
  await page.getByText('Analytics (ticket volumes, SLA, satisfaction) are not available yet.').waitFor();
  await screenshot('dashboard');
});

step('sign out ends the session', async () => {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/login/);
  await goto('/tickets');
  await page.waitForURL(/\/login/);
});

test('no console errors or warnings on any page', () => {
  assert.deepEqual(consoleProblems, []);
});
