// Measures the production console: bundle size (gzip) and the time to first render of /tickets with
// 1,000 tickets in the backend, in Chromium. One command: `make bench-console` (or `npm run build &&
// npm run bench`). It starts its own stack (API + moto on free ports, fresh state), seeds the tickets
// through the API, serves dist/ with `vite preview` (same /api proxy as dev) and loads /tickets N times.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { apiCall, apiLogin, FRONTEND, freePort, launchChromium, spawnGroup, startStack, stopGroup, waitFor } from './stack.mjs';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const CONCURRENCY = 4;
const DIST = path.join(FRONTEND, 'dist');

const gzipSize = (file) => zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
const kB = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function bundleReport() {
  const assets = path.join(DIST, 'assets');
  if (!fs.existsSync(path.join(DIST, 'index.html'))) throw new Error('dist/ is missing: run `npm run build` first');
  const files = fs.readdirSync(assets).map((name) => {
    const file = path.join(assets, name);
    return { name, raw: fs.statSync(file).size, gzip: gzipSize(file) };
  });
  const total = files.reduce((sum, f) => sum + f.gzip, 0) + gzipSize(path.join(DIST, 'index.html'));
  const largest = files.reduce((a, b) => (b.gzip > a.gzip ? b : a));
  return { files, total, largest, byName: new Map(files.map((f) => [f.name, f])) };
}

async function seed(stack, token) {
  const me = await apiCall(stack, token, 'GET', '/api/auth/me');
  const requester = me.body.user.id;
  const statuses = ['open', 'in_progress', 'pending', 'resolved', 'closed'];
  const priorities = ['low', 'medium', 'high', 'urgent'];
  let next = 0;
  const started = Date.now();
  async function worker() {
    while (next < TICKETS) {
      const i = next++;
      const response = await apiCall(stack, token, 'POST', '/api/tickets', {
        title: `Bench ticket ${i}: cannot reach the shared drive from building ${i % 7}`,
        content: `Ticket ${i} for the rendering benchmark.`,
        status: statuses[i % statuses.length],
        priority: priorities[i % priorities.length],
        tags: [`team-${i % 5}`, i % 3 ? 'network' : 'storage'],
        requester_id: requester,
      });
      if (response.status !== 201) throw new Error(`seeding ticket ${i}: HTTP ${response.status} ${JSON.stringify(response.body)}`);
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const list = await apiCall(stack, token, 'GET', '/api/tickets?page_size=1');
  return { seconds: (Date.now() - started) / 1000, total: list.body.total };
}

// Runs in the page before any script: note when the first ticket row is in the DOM and painted.
function recordFirstRow() {
  const mark = () => {
    if (window.__firstRowMs !== undefined) return;
    if (document.querySelector('.ant-table-row')) {
      window.__firstRowDomMs = performance.now();
      requestAnimationFrame(() => setTimeout(() => { window.__firstRowMs = performance.now(); }, 0));
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(mark);
  document.addEventListener('DOMContentLoaded', () => observer.observe(document.body, { childList: true, subtree: true }));
}

async function main() {
  const bundle = bundleReport();
  const stack = await startStack({ withConsole: false });
  let preview;
  let browser;
  try {
    const token = await apiLogin(stack);
    const seeded = await seed(stack, token);
    console.log(`seeded ${TICKETS} tickets through the API in ${seeded.seconds.toFixed(1)} s (list total: ${seeded.total})`);

    const port = await freePort();
    preview = spawnGroup(path.join(FRONTEND, 'node_modules', '.bin', 'vite'), ['preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
      cwd: FRONTEND,
      env: { ...process.env, API_PROXY_TARGET: stack.apiUrl },
      logFile: path.join(stack.state, 'preview.log'),
    });
    const base = `http://127.0.0.1:${port}`;
    await waitFor(`${base}/`, { proc: preview, what: 'vite preview' });

    browser = await launchChromium(chromium);
    const login = await browser.context.newPage();
    await login.goto(`${base}/login`);
    await login.getByLabel('E-mail').fill(stack.adminEmail);
    await login.getByLabel('Password').fill(stack.adminPassword);
    await login.getByRole('button', { name: 'Sign in' }).click();
    await login.waitForURL(`${base}/`);
    await login.close();

    const runs = [];
    for (let i = 0; i < RUNS; i += 1) {
      const page = await browser.context.newPage();
      const cdp = await browser.context.newCDPSession(page);
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true }); // every run downloads every asset
      await page.addInitScript(recordFirstRow);
      await page.goto(`${base}/tickets`);
      await page.waitForFunction(() => window.__firstRowMs !== undefined, null, { timeout: 30_000 });
      const timing = await page.evaluate(() => ({
        firstRow: window.__firstRowMs,
        firstRowDom: window.__firstRowDomMs,
        fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
        rows: document.querySelectorAll('.ant-table-row').length,
        total: document.querySelector('.ant-pagination-total-text')?.textContent ?? '',
        scripts: performance.getEntriesByType('resource').filter((r) => /\/assets\/.+\.(js|css)$/.test(r.name)).map((r) => r.name.split('/').pop()),
        api: performance.getEntriesByType('resource').filter((r) => r.name.includes('/api/tickets')).map((r) => r.duration),
        // When each step of the chain finished (ms after navigation start).
        steps: Object.fromEntries(performance.getEntriesByType('resource').flatMap((r) => {
          const key = r.name.includes('/config.json') ? 'config_json'
            : r.name.includes('/api/auth/refresh') ? 'silent_refresh'
              : r.name.includes('/api/tickets') ? 'api_tickets'
                : /TicketListPage-.*\.js$/.test(r.name) ? 'page_chunk' : null;
          return key ? [[key, Math.round(r.responseEnd)]] : [];
        })),
      }));
      runs.push(timing);
      await page.close();
    }
    const first = runs[0];
    const loaded = first.scripts.map((name) => bundle.byName.get(name)?.gzip ?? 0).reduce((a, b) => a + b, 0);
    const report = {
      bundle_gzip_total: kB(bundle.total),
      bundle_files: bundle.files.length,
      largest_chunk: `${bundle.largest.name} ${kB(bundle.largest.gzip)} gzip (${kB(bundle.largest.raw)} raw)`,
      loaded_for_tickets_gzip: `${kB(loaded)} in ${first.scripts.length} files`,
      tickets_in_backend: seeded.total,
      rows_rendered: first.rows,
      pagination_text: first.total,
      runs: RUNS,
      first_row_visible_ms_median: Math.round(median(runs.map((r) => r.firstRow))),
      first_row_visible_ms_all: runs.map((r) => Math.round(r.firstRow)),
      first_contentful_paint_ms_median: Math.round(median(runs.map((r) => r.fcp ?? 0))),
      api_tickets_ms_median: Math.round(median(runs.map((r) => Math.max(...r.api)))),
      steps_done_at_ms_median: Object.fromEntries(Object.keys(first.steps).map((k) => [k, Math.round(median(runs.map((r) => r.steps[k] ?? 0)))])),
    };
    console.log(JSON.stringify(report, null, 2));
    const out = path.join(FRONTEND, 'bench', 'results');
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'tickets-first-render.json'), `${JSON.stringify({ at: new Date().toISOString(), ...report }, null, 2)}\n`);
  } finally {
    await browser?.close();
    await stopGroup(preview);
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
