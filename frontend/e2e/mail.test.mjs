// End-to-end: the e-mail channel (issue 18) against the real stack. A customer's mail with a PDF attached is sent
// over a real SMTP conversation (node's net) to the stack's receiver (devstack/smtp.py); it becomes an e-mail
// ticket from a new requester, and an agent sees the ticket, its E-mail tag and the attachment in the console, on a
// desktop and a phone-sized screen; the file downloads through its presigned link. The agent's reply is then
// written as a threaded .eml under $LOCAL_STATE_DIR/mail/sent. Run alone with
//   flock /tmp/e2e.lock node --test --test-concurrency=1 --test-reporter=spec e2e/mail.test.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { before } from 'node:test';
import { consoleSuite, RUN } from './harness.mjs';

const suite = consoleSuite('mail');
const { step, goto, signIn } = suite;
let page;
const customer = `dora-${RUN}@customer.example`;
const subject = `Invoice question ${RUN}`;
const pdf = Buffer.from(`%PDF-1.4\n% statement ${RUN}\n`);
const state = { ticketId: 0 };

/** One SMTP conversation: EHLO, MAIL, RCPT, DATA; resolves with the server's last reply. */
function smtpSend(port, from, to, message) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const commands = ['EHLO e2e.example', `MAIL FROM:<${from}>`, `RCPT TO:<${to}>`, 'DATA', null, 'QUIT'];
    let buffer = '';
    const replies = [];
    socket.setEncoding('utf8');
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      buffer += chunk;
      // A complete reply ends with a line "NNN text" (no dash after the code).
      while (/^\d{3} .*\r\n/m.test(buffer)) {
        const match = buffer.match(/^(?:\d{3}-.*\r\n)*\d{3} .*\r\n/);
        if (!match) break;
        buffer = buffer.slice(match[0].length);
        replies.push(match[0]);
        const code = Number(match[0].slice(0, 3));
        if (code >= 400) { socket.end(); reject(new Error(`SMTP refused: ${match[0]}`)); return; }
        if (commands.length === 0) { socket.end(); resolve(replies); return; }
        const next = commands.shift();
        if (next === null) socket.write(`${message.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..')}\r\n.\r\n`);
        else socket.write(`${next}\r\n`);
        if (next === 'QUIT') { resolve(replies); }
      }
    });
  });
}

function mimeMessage() {
  const boundary = `b-${RUN}`;
  return [
    `From: Dora Customer <${customer}>`,
    'To: support@example.com',
    `Subject: ${subject}`,
    `Message-ID: <dora-${RUN}@customer.example>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Hello, I was charged twice this month. The statement is attached.',
    '',
    `--${boundary}`,
    'Content-Type: application/pdf; name="statement.pdf"',
    'Content-Disposition: attachment; filename="statement.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    pdf.toString('base64'),
    `--${boundary}--`,
    '',
  ].join('\n');
}

async function until(what, probe, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await probe();
    if (last.done) return last.value;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${what} did not happen within ${timeoutMs / 1000}s (last seen: ${JSON.stringify(last?.value)})`);
}

before(async () => {
  await suite.ready;
  ({ page } = suite);
});

step('a mail sent over SMTP to the local receiver becomes an e-mail ticket', async () => {
  const replies = await smtpSend(suite.stack.smtpPort, customer, 'support@example.com', mimeMessage());
  assert.ok(replies.some((r) => r.startsWith('250 Message accepted')), replies.join(''));
  const ticket = await until('the ticket from the mail', async () => {
    const { body } = await suite.api('GET', '/api/tickets?page_size=20');
    const found = (body?.items ?? []).find((t) => t.title === subject);
    return { done: Boolean(found), value: found ?? body };
  });
  assert.equal(ticket.channel, 'email');
  assert.deepEqual(ticket.attachments.map((a) => a.filename), ['statement.pdf']);
  state.ticketId = ticket.id;
});

step('an agent sees the ticket, its channel and its attachment in the console, and downloads the file', async () => {
  await signIn(suite.stack.adminEmail, suite.stack.adminPassword);
  await goto(`/tickets/${state.ticketId}`);
  await page.getByTestId('ticket-title').filter({ hasText: subject }).waitFor();
  await page.getByTestId('channel-email').waitFor();
  const attachment = page.getByTestId('attachment').filter({ hasText: 'statement.pdf' });
  await attachment.waitFor();
  // The click asks the API for a fresh presigned link and opens it (the browser downloads the file).
  const [request] = await Promise.all([
    page.context().waitForEvent('request', { predicate: (r) => /X-Amz-Signature=|Signature=/.test(r.url()) }),
    attachment.click(),
  ]);
  assert.match(request.url(), /statement\.pdf|response-content-disposition/);
  for (const other of page.context().pages()) if (other !== page) await other.close();
  const { body } = await suite.api('GET', `/api/attachments/${(await suite.api('GET', `/api/tickets/${state.ticketId}`)).body.attachments[0].id}`);
  const response = await fetch(body.url);
  assert.equal(Buffer.from(await response.arrayBuffer()).toString(), pdf.toString());
});

step('on a phone-sized screen the attachment is still visible and inside the screen', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await goto(`/tickets/${state.ticketId}`);
  const attachment = page.getByTestId('attachment').filter({ hasText: 'statement.pdf' });
  await attachment.waitFor();
  const box = await attachment.boundingBox();
  assert.ok(box && box.x >= 0 && box.x + box.width <= 390 + 1, JSON.stringify(box));
  await page.setViewportSize({ width: 1280, height: 900 });
});

step('the agent attaches a file to a reply in the console (upload with progress) and it shows in the thread', async () => {
  await goto(`/tickets/${state.ticketId}`);
  await page.getByTestId('attach-files').waitFor();
  await page.locator('form#reply input[type=file]').setInputFiles({
    name: `refund-${RUN}.txt`, mimeType: 'text/plain', buffer: Buffer.from('refund issued'),
  });
  await page.locator('.ant-upload-list-item-done').filter({ hasText: `refund-${RUN}.txt` }).waitFor();
  await page.getByPlaceholder('Write a reply…').fill('Here is the refund confirmation.');
  await page.getByRole('button', { name: 'Send reply' }).click();
  await page.getByTestId('reply').filter({ hasText: 'Here is the refund confirmation.' })
    .getByTestId('attachment').filter({ hasText: `refund-${RUN}.txt` }).waitFor();
});

step("the agent's reply is written as a threaded .eml for the customer", async () => {
  const reply = await suite.api('POST', `/api/tickets/${state.ticketId}/replies`, { content: 'We refunded the second charge.' });
  assert.equal(reply.status, 201, JSON.stringify(reply.body));
  const sentDir = path.join(suite.stack.state, 'mail', 'sent');
  const eml = await until('the .eml of the reply', async () => {
    const files = fs.existsSync(sentDir) ? fs.readdirSync(sentDir).filter((f) => f.endsWith('.eml')) : [];
    const texts = files.map((f) => fs.readFileSync(path.join(sentDir, f), 'utf8'));
    const found = texts.find((t) => t.includes('We refunded the second charge.'));
    return { done: Boolean(found), value: found ?? texts.length };
  });
  assert.match(eml, new RegExp(`In-Reply-To: <dora-${RUN}@customer.example>`));
  assert.match(eml, new RegExp(`To: .*${customer}`));
  assert.match(eml, /We refunded the second charge\./);
  const withFile = fs.readdirSync(sentDir).map((f) => fs.readFileSync(path.join(sentDir, f), 'utf8'))
    .find((t) => t.includes('Here is the refund confirmation.'));
  assert.ok(withFile && withFile.includes(`filename="refund-${RUN}.txt"`), 'the console reply is mailed with its file');
});

suite.finish();
