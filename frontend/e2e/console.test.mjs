// End-to-end: the console in Chromium against the real stack (moto + Chalice API + Vite), started on free
// ports with a fresh state directory (the frame is harness.mjs). Run with `npm run e2e` (or `make e2e`).
// Screenshots of every page go to e2e/screenshots/console/ on each run.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before } from 'node:test';
import { consoleSuite, RUN } from './harness.mjs';
import { apiCall, freePort, routeExists } from './stack.mjs';

// The stack runs with WEBHOOKS_ALLOW_PRIVATE=1, as in local development, so a webhook registered in the console
// can be delivered to the loopback receiver below; the SLA watcher runs every 6 s instead of every minute, so an
// SLA alert happens within the suite.
const suite = consoleSuite('console', { env: { WEBHOOKS_ALLOW_PRIVATE: '1', SCHEDULE_SCALE: '0.1' } });
const { step, screenshot, goto, pick, openOptions, signIn, signOut, expectFailure } = suite;

let stack;
let page;

const state = {
  user: null,
  agent: null,
  ticketId: null,
  otherTicketId: null,
  title: `Printer on 3rd floor jams ${RUN}`,
  requesterPassword: `dana-pass-${RUN}`,
};

// A local webhook receiver (loopback only).
const deliveries = [];
let receiver;
let receiverPort;

before(async () => {
  await suite.ready;
  ({ stack, page } = suite);
  receiverPort = await freePort();
  receiver = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => {
      deliveries.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  await new Promise((resolve) => receiver.listen(receiverPort, '127.0.0.1', resolve));
});

after(() => {
  receiver?.close();
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

step('start an SLA clock that runs out during the suite (1-minute targets, 24x7)', async () => {
  const minute = { first_response_s: 60, resolution_s: 60 };
  const defaults = await apiCall(stack, suite.token, 'GET', '/api/sla/policy');
  const short = await apiCall(stack, suite.token, 'PUT', '/api/sla/policy', {
    targets: { urgent: minute, high: minute, medium: minute, low: minute }, business_hours: null,
  });
  assert.equal(short.status, 200);
  const ticket = await apiCall(stack, suite.token, 'POST', '/api/tickets', { title: `SLA watch ${RUN}`, content: 'Nobody answers this one.' });
  assert.equal(ticket.status, 201);
  state.slaTicket = { id: ticket.body.id, createdAt: Date.now() };
  // Tickets keep the targets they were created with: the policy goes back to the defaults at once.
  const restored = await apiCall(stack, suite.token, 'PUT', '/api/sla/policy', { targets: defaults.body.targets, business_hours: defaults.body.business_hours });
  assert.equal(restored.status, 200);
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
  await dialog.getByLabel('Password').fill(state.requesterPassword);
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
  const ticket = await apiCall(stack, suite.token, 'GET', `/api/tickets/${state.ticketId}`);
  assert.equal(ticket.body.priority, 'high');
  assert.deepEqual(ticket.body.tags, ['printer', 'hardware']);
  assert.equal(ticket.body.requester_id, state.user.id);
});

step('filter the list; filters live in the URL and the back button restores them', async () => {
  const other = await apiCall(stack, suite.token, 'POST', '/api/tickets', {
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
  const meanwhile = await apiCall(stack, suite.token, 'PUT', `/api/tickets/${state.ticketId}`, { priority: 'urgent' });
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
  const ticket = await apiCall(stack, suite.token, 'GET', `/api/tickets/${state.ticketId}`);
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
  const replies = await apiCall(stack, suite.token, 'GET', `/api/tickets/${state.ticketId}/replies`);
  assert.deepEqual(replies.body.items.map((r) => r.internal), [false, true]);
  await screenshot('ticket-replies');
});

step('generate an AI suggestion and insert the draft into the reply', async () => {
  // The API first (it also loads the model once), so a failure names the route rather than a missing element.
  const probe = await apiCall(stack, suite.token, 'POST', `/api/ai/tickets/${state.ticketId}/suggest`);
  assert.equal(probe.status, 200, `POST /api/ai/tickets/{id}/suggest answered ${probe.status}: ${JSON.stringify(probe.body)}`);
  await page.getByRole('button', { name: 'Generate' }).click();
  const draft = page.getByTestId('ai-draft');
  await draft.waitFor({ timeout: 60_000 });
  const text = (await draft.innerText()).trim();
  assert.ok(text.length > 0, 'the draft is not empty');
  await page.getByRole('button', { name: 'Insert into reply' }).click();
  assert.equal((await page.getByLabel('Reply', { exact: true }).inputValue()).trim(), text);
  await screenshot('ai-suggestion');
  // The reply that started from the draft is counted as a used suggestion.
  await page.getByRole('button', { name: 'Send reply' }).click();
  await page.getByText('Reply sent').first().waitFor();
});

step('assign the ticket to an agent, then to me; find it under "My tickets"', async () => {
  const agent = await apiCall(stack, suite.token, 'POST', '/api/users', {
    name: `Sam Agent ${RUN}`, email: `sam.${RUN}@example.com`, role: 'agent', password: `sam-pass-${RUN}`,
  });
  assert.equal(agent.status, 201);
  state.agent = agent.body;
  await goto(`/tickets/${state.ticketId}`);
  await pick('Assignee', state.agent.name, { search: 'Sam' });
  await page.getByText(`Assigned to ${state.agent.name}`).waitFor();
  let ticket = await apiCall(stack, suite.token, 'GET', `/api/tickets/${state.ticketId}`);
  assert.equal(ticket.body.assignee_id, state.agent.id);
  // The agent's queue: the list filtered by assignee lives in the URL.
  await goto(`/tickets?assignee=${state.agent.id}`);
  const rows = page.locator('.ant-table-row');
  await rows.filter({ hasText: state.title }).waitFor();
  assert.equal(await rows.filter({ hasText: `Low-priority question ${RUN}` }).count(), 0);
  await rows.filter({ hasText: state.title }).getByText(state.agent.name).waitFor();
  // "Unassigned" shows the other ticket, not this one.
  await page.locator('.ant-segmented-item').filter({ hasText: 'Unassigned' }).click();
  await page.waitForURL(/assignee=none/);
  await rows.filter({ hasText: `Low-priority question ${RUN}` }).waitFor();
  await rows.filter({ hasText: state.title }).waitFor({ state: 'detached' });
  // Take it over, then find it under "My tickets".
  await goto(`/tickets/${state.ticketId}`);
  await page.getByRole('button', { name: 'Assign to me' }).click();
  await page.getByText('Assigned to you').waitFor();
  await goto('/tickets');
  await page.locator('.ant-segmented-item').filter({ hasText: 'My tickets' }).click();
  await page.waitForURL(/assignee=\d+/);
  // The previous page stays on screen while the filtered one loads: wait for the other ticket to go.
  await rows.filter({ hasText: `Low-priority question ${RUN}` }).waitFor({ state: 'detached' });
  await rows.filter({ hasText: state.title }).waitFor();
  await rows.filter({ hasText: state.title }).getByText('Me', { exact: true }).waitFor();
  await rows.filter({ hasText: state.title }).getByTestId('sla-chip').waitFor();
  await screenshot('tickets-my-tickets');
  ticket = await apiCall(stack, suite.token, 'GET', `/api/tickets/${state.ticketId}`);
  assert.notEqual(ticket.body.assignee_id, state.agent.id);
});

step('the ticket page shows the SLA panel and the timeline (changes, note, who and when)', async () => {
  await goto(`/tickets/${state.ticketId}`);
  const sla = page.getByTestId('sla-panel');
  await sla.getByText('First response due').waitFor();
  await sla.getByText('First responded').waitFor();
  const timeline = page.getByTestId('timeline');
  await timeline.getByText('Created the ticket').waitFor();
  const entries = timeline.getByTestId('timeline-entry');
  await entries.filter({ hasText: 'Changed assignee' }).filter({ hasText: state.agent.name }).first().waitFor();
  await entries.filter({ hasText: /Status:\s*Open\s*→\s*In progress/ }).first().waitFor();
  await timeline.locator('[data-kind="note"]').filter({ hasText: 'Added an internal note' }).waitFor();
  await timeline.locator('[data-kind="reply"]').filter({ hasText: 'Replied (first response)' }).waitFor();
  await screenshot('ticket-sla-timeline');
});

step('resolve the ticket', async () => {
  await page.getByRole('button', { name: 'Edit' }).click();
  const dialog = page.getByRole('dialog');
  await pick('Status', 'Resolved', { scope: dialog });
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await page.getByTestId('status-tag').filter({ hasText: 'Resolved' }).first().waitFor();
  await page.getByTestId('sla-panel').getByTestId('sla-chip').filter({ hasText: /Met|Breached/ }).waitFor();
  await page.getByTestId('csat-card').getByText('Waiting for the requester’s rating.').waitFor();
  const ticket = await apiCall(stack, suite.token, 'GET', `/api/tickets/${state.ticketId}`);
  assert.equal(ticket.body.status, 'resolved');
  assert.ok(ticket.body.resolved_at);
});

step('the requester signs in: only their tickets, the public thread, and rates the ticket', async () => {
  await signOut();
  await signIn(state.user.email, state.requesterPassword);
  await page.getByRole('heading', { name: 'My tickets' }).waitFor();
  // No agent or admin navigation.
  assert.equal(await page.getByRole('link', { name: 'Users' }).count(), 0);
  assert.equal(await page.getByRole('link', { name: 'Dashboard' }).count(), 0);
  const rows = page.locator('.ant-table-row');
  await rows.filter({ hasText: state.title }).getByText('Waiting for you').waitFor();
  await screenshot('requester-tickets');
  // A requester can open a request of their own.
  await page.getByRole('button', { name: 'New request' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Subject').fill(`Monitor flickers ${RUN}`);
  await dialog.getByLabel('What do you need help with?').fill('The second monitor flickers when docked.');
  await dialog.getByRole('button', { name: 'Send request' }).click();
  await page.waitForURL(/\/tickets\/\d+$/);
  await page.getByTestId('ticket-title').filter({ hasText: `Monitor flickers ${RUN}` }).waitFor();
  const mine = await apiCall(stack, suite.token, 'GET', `/api/tickets/${page.url().split('/').pop()}`);
  assert.equal(mine.body.requester_id, state.user.id);
  await page.getByRole('link', { name: /My tickets/ }).first().click();
  await rows.filter({ hasText: state.title }).locator('td').first().click();
  await page.waitForURL(new RegExp(`/tickets/${state.ticketId}$`));
  await page.getByText('we are sending a technician').waitFor();
  assert.equal(await page.getByText('order part 44-B').count(), 0, 'internal notes never reach the requester');
  assert.equal(await page.getByTestId('internal-note').count(), 0);
  const widget = page.getByTestId('rating-widget');
  await widget.getByText('How did we do?').waitFor();
  await widget.getByRole('radio').nth(3).click();
  await widget.getByLabel('Comment (optional)').fill('Fixed the same day, thanks!');
  await widget.getByRole('button', { name: 'Send rating' }).click();
  await page.getByText('Thank you for your rating').waitFor();
  await widget.getByTestId('my-rating').getByText('4/5').waitFor();
  await widget.getByRole('button', { name: 'Change rating' }).waitFor();
  await screenshot('requester-rated');
  const ticket = await apiCall(stack, suite.token, 'GET', `/api/tickets/${state.ticketId}`);
  assert.equal(ticket.body.csat_score, 4);
  assert.equal(ticket.body.csat_comment, 'Fixed the same day, thanks!');
  // An admin page is not there for a requester.
  await goto('/users');
  await page.getByText('Page not found').waitFor();
  await signOut();
});

step('the agent sees the rating; the dashboard counts it', async () => {
  await signIn(stack.adminEmail, stack.adminPassword);
  await goto(`/tickets/${state.ticketId}`);
  await page.getByTestId('csat-score').filter({ hasText: '4/5' }).waitFor();
  await page.getByTestId('csat-comment').filter({ hasText: 'Fixed the same day' }).waitFor();
  await page.getByTestId('timeline').locator('[data-kind="rating"]').filter({ hasText: 'Rated 4/5' }).waitFor();
  await goto('/dashboard');
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  await page.getByTestId('stat-csat').getByText('4.00 / 5').waitFor();
  const resolved = Number((await page.getByTestId('stat-resolved').locator('.ant-statistic-content-value').innerText()).replace(/\D/g, ''));
  assert.ok(resolved >= 1, `resolved count ${resolved}`);
  const created = Number((await page.getByTestId('stat-created').locator('.ant-statistic-content-value').innerText()).replace(/\D/g, ''));
  assert.ok(created >= 2, `created count ${created}`);
  await page.getByTestId('chart-trend').locator('.recharts-line').first().waitFor();
  await page.getByTestId('chart-csat').locator('.recharts-bar-rectangle').first().waitFor();
  await page.getByTestId('chart-csat').getByText('4.00 / 5 from 1 rating').waitFor();
  await page.getByTestId('chart-sla-priority').locator('.recharts-bar-rectangle, .ant-empty').first().waitFor();
  await screenshot('dashboard');
  // Another range (in the URL): nothing happened then, so the charts say so instead of drawing zeros.
  await goto('/dashboard?from=2020-01-01&to=2020-01-31');
  await page.getByTestId('chart-trend').getByText('No tickets were created or resolved in this range.').waitFor();
  await page.getByTestId('chart-csat').getByText('No ratings in this range yet.').waitFor();
  await page.getByTestId('stat-created').getByText('0').waitFor();
  const summary = await apiCall(stack, suite.token, 'GET', '/api/analytics/summary');
  assert.equal(summary.body.csat.distribution['4'], 1);
});

step('merge a duplicate into another ticket; both timelines say so', async () => {
  const survivor = state.otherTicketId;
  const dup = await apiCall(stack, suite.token, 'POST', '/api/tickets', {
    title: `Cafeteria hours? (duplicate) ${RUN}`, content: 'Asking again: when does the cafeteria open?', requester_id: state.user.id,
  });
  assert.equal(dup.status, 201);
  await apiCall(stack, suite.token, 'POST', `/api/tickets/${dup.body.id}/replies`, { content: 'Also on weekends?' });
  await goto(`/tickets/${dup.body.id}`);
  await page.getByRole('button', { name: 'Merge' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Surviving ticket').click();
  await page.keyboard.type(`#${survivor}`);
  await openOptions().filter({ hasText: `#${survivor}` }).first().click();
  await dialog.getByText(`Survivor: #${survivor}`).waitFor();
  await screenshot('merge-dialog');
  await dialog.getByRole('button', { name: `Merge into #${survivor}` }).click();
  await page.waitForURL(new RegExp(`/tickets/${survivor}$`));
  await page.getByText(`Ticket #${dup.body.id} merged into #${survivor}`).waitFor();
  await page.getByTestId('reply-thread').getByText('Also on weekends?').waitFor();
  await page.getByTestId('timeline').locator('[data-kind="merge"]').filter({ hasText: `Merged #${dup.body.id} into this ticket` }).waitFor();
  await goto(`/tickets/${dup.body.id}`);
  const banner = page.getByTestId('merged-banner');
  await banner.getByRole('link', { name: `#${survivor}` }).waitFor();
  await page.getByTestId('timeline').locator('[data-kind="merge"]').filter({ hasText: `Merged this ticket into #${survivor}` }).waitFor();
  await screenshot('merged-ticket');
  await banner.getByRole('link', { name: `#${survivor}` }).click();
  await page.waitForURL(new RegExp(`/tickets/${survivor}$`));
  const merged = await apiCall(stack, suite.token, 'GET', `/api/tickets/${dup.body.id}`);
  assert.equal(merged.body.merged_into, survivor);
  assert.equal(merged.body.status, 'closed');
});

step('SLA policy: an admin changes a target', async () => {
  await goto('/settings/sla');
  const urgent = page.getByTestId('target-urgent');
  await urgent.getByLabel('urgent first response minutes').fill('45');
  await page.getByRole('button', { name: 'Save policy' }).click();
  await page.getByText('SLA policy saved').waitFor();
  await screenshot('sla-policy');
  const policy = await apiCall(stack, suite.token, 'GET', '/api/sla/policy');
  assert.equal(policy.body.targets.urgent.first_response_s, 45 * 60);
  assert.equal(policy.body.targets.urgent.resolution_s, 4 * 3600);
  assert.deepEqual(policy.body.business_hours.days, [0, 1, 2, 3, 4]);
});

step('webhooks: register one (secret shown once), it receives a delivery, remove it', async () => {
  await goto('/settings/webhooks');
  await page.getByRole('button', { name: 'Add webhook' }).first().click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('URL').fill(`http://127.0.0.1:${receiverPort}/hook-${RUN}`);
  await dialog.getByLabel('Description (optional)').fill('e2e receiver');
  await dialog.getByRole('button', { name: 'Add webhook' }).click();
  const secret = page.getByTestId('webhook-secret');
  await secret.waitFor();
  const secretText = (await secret.innerText()).trim();
  assert.ok(secretText.length >= 16, 'a secret is shown');
  await page.getByRole('button', { name: 'Copy secret' }).waitFor();
  await screenshot('webhook-secret');
  await page.getByRole('button', { name: 'I have copied the secret' }).click();
  await secret.waitFor({ state: 'detached' });
  const row = page.locator('.ant-table-row').filter({ hasText: `hook-${RUN}` });
  await row.waitFor();
  assert.equal(await page.getByText(secretText).count(), 0, 'the secret is not shown again');
  await screenshot('webhooks');
  // A new ticket is delivered to the receiver (signed), within the dispatcher's polling time.
  const before = deliveries.length;
  await apiCall(stack, suite.token, 'POST', '/api/tickets', { title: `Webhook check ${RUN}`, content: 'hello', requester_id: state.user.id });
  const deadline = Date.now() + 30_000;
  while (deliveries.length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  assert.ok(deliveries.length > before, 'the webhook received a delivery');
  assert.match(String(deliveries.at(-1).headers['x-helpdesk-signature'] ?? ''), /^sha256=/);
  await row.getByRole('button', { name: /Remove webhook/ }).click();
  await page.locator('.ant-popconfirm').getByRole('button', { name: 'Remove' }).click();
  await page.getByText('Webhook removed').waitFor();
  await row.waitFor({ state: 'detached' });
});

step('AI classifier page: status, taxonomy, examples pasted as CSV', async () => {
  await goto('/settings/ai');
  await page.getByTestId('classifier-status').waitFor();
  await page.getByLabel('Category name').fill(`printers-${RUN}`);
  await page.getByLabel('Category description').fill('printer jams, toner, paper trays');
  await page.getByRole('button', { name: 'Save category' }).click();
  await page.getByText(`Category printers-${RUN} saved`).waitFor();
  await page.getByLabel('Examples CSV').fill(`text,label\n"Paper jams in tray 2, again",printers-${RUN}\nToner is empty,printers-${RUN}\n,broken-row\n`);
  await page.getByTestId('csv-summary').getByText('2 examples in 1 category').waitFor();
  await page.getByText('Line 4: needs both a text and a label').waitFor();
  await page.getByRole('button', { name: 'Send 2 examples' }).click();
  await page.getByText(/Sent 2 examples/).waitFor();
  await screenshot('ai-classifier');
  const labels = await apiCall(stack, suite.token, 'GET', '/api/ai/labels');
  assert.ok(labels.body.some((l) => l.name === `printers-${RUN}`));
});

step('import into the knowledge base, search it, delete a result', async () => {
  assert.ok(await routeExists(stack, suite.token, 'POST', '/api/kb/search', { query: 'x', top_k: 1 }), 'the /api/kb routes answer');
  await goto('/kb');
  await page.getByLabel('Paste text').fill(`# Printer jams ${RUN}\n\nOpen tray 2, remove the paper, check the roller. Replace worn rollers (part 44-B).`);
  await page.getByLabel('Source').fill(`printers-${RUN}.md`);
  await page.getByRole('button', { name: 'Import' }).click();
  await page.getByText(/Inserted \d+ passage/).waitFor({ timeout: 60_000 });
  // The documents table lists the new source with its chunk count (the API's `chunk_count`).
  const documentRow = page.locator('tr', { hasText: `printers-${RUN}.md` });
  await documentRow.waitFor({ timeout: 60_000 });
  assert.match((await documentRow.locator('td').nth(2).innerText()).trim(), /^[1-9]\d*$/);
  await page.getByLabel('Query').fill('printer roller tray');
  await page.getByRole('button', { name: 'Search' }).click();
  const results = page.getByTestId('kb-hit');
  await results.first().waitFor({ timeout: 60_000 });
  await screenshot('kb');
  const before = await results.count();
  await results.first().getByRole('button', { name: 'Delete' }).click();
  await page.locator('.ant-popconfirm').getByRole('button', { name: 'Delete' }).click();
  await page.getByText('Passage deleted from the knowledge base').waitFor();
  assert.equal(await results.count(), before - 1);
});

step('an SLA clock that ran out: the chip says so; the watcher\'s alerts are on the timeline and the home page', async () => {
  // The targets were 60 s: the state is computed when the ticket is read, the alerts come from the watcher
  // (every 6 s here), so both are due 60-70 s after creation.
  const deadline = state.slaTicket.createdAt + 80_000;
  let types;
  for (;;) {
    const events = await apiCall(stack, suite.token, 'GET', `/api/tickets/${state.slaTicket.id}/events`);
    types = events.body.items.map((e) => e.type);
    if (types.includes('sla_breached') || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  const ticket = await apiCall(stack, suite.token, 'GET', `/api/tickets/${state.slaTicket.id}`);
  assert.equal(ticket.body.sla_state, 'breached');
  await goto('/tickets');
  await page.locator('.ant-table-row').filter({ hasText: `SLA watch ${RUN}` }).locator('[data-sla="breached"]').waitFor();
  await goto(`/tickets/${state.slaTicket.id}`);
  await page.getByTestId('sla-panel').getByTestId('sla-chip').filter({ hasText: 'Breached' }).waitFor();
  if (!types.includes('sla_breached')) await screenshot('ticket-sla-breached');
  assert.ok(types.includes('sla_breached'), `no SLA watcher event ${Math.round((Date.now() - state.slaTicket.createdAt) / 1000)} s after the ticket was created (events: ${types.join(', ')}); see the stack log for the sla_watch schedule`);
  const timeline = page.getByTestId('timeline');
  await timeline.locator('[data-kind="sla_risk"]').filter({ hasText: 'SLA at risk' }).first().waitFor();
  await timeline.locator('[data-kind="sla_breach"]').filter({ hasText: 'SLA breached' }).first().waitFor();
  await timeline.locator('[data-kind="sla_breach"]').filter({ hasText: 'SLA watcher' }).first().waitFor();
  await screenshot('ticket-sla-breached');
  await goto('/');
  const card = page.getByRole('link', { name: 'SLA breaches: open the dashboard' });
  await card.locator('.ant-statistic-content-value').filter({ hasText: /^[1-9]\d*$/ }).waitFor();
});

step('delete the ticket (with its replies) after confirming', async () => {
  await goto(`/tickets/${state.ticketId}`);
  await page.getByRole('button', { name: 'Delete' }).click();
  const confirm = page.getByRole('dialog').filter({ hasText: `Delete ticket #${state.ticketId}?` });
  await confirm.getByText('all its replies').waitFor();
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await page.waitForURL(/\/tickets$/);
  const gone = await apiCall(stack, suite.token, 'GET', `/api/tickets/${state.ticketId}`);
  assert.equal(gone.status, 404);
  expectFailure(new RegExp(`/api/tickets/${state.ticketId}$`), 404);
  await goto(`/tickets/${state.ticketId}`);
  await page.getByText('Ticket not found').waitFor();
});

step('sign out ends the session', async () => {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/login/);
  await goto('/tickets');
  await page.waitForURL(/\/login/);
});

suite.finish();
