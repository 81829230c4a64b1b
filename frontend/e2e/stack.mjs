// Starts the real local stack (moto + API, and optionally the Vite console) on free ports with a fresh
// state directory, and stops its whole process group afterwards. Used by the e2e suite and the bench.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FRONTEND = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = path.resolve(FRONTEND, '..');
export const ADMIN_EMAIL = 'admin@example.com';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function waitFor(url, { timeoutMs = 120_000, proc, what = url } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (proc && proc.exitCode !== null) throw new Error(`${what}: the process exited (${proc.exitCode}) before it answered`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.status < 500) return;
      lastError = `HTTP ${response.status}`;
    } catch (error) {
      lastError = error.message;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${what} did not answer within ${timeoutMs / 1000}s (${lastError})`);
}

function killGroup(proc, signal) {
  try {
    process.kill(-proc.pid, signal);
  } catch {
    // already gone
  }
}

/** Spawn a command in its own process group, logging to a file; returns the child. */
export function spawnGroup(command, args, { cwd, env, logFile }) {
  const log = fs.openSync(logFile, 'a');
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  return child;
}

export async function stopGroup(proc, graceMs = 8000) {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  killGroup(proc, 'SIGTERM');
  const timer = setTimeout(() => killGroup(proc, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  killGroup(proc, 'SIGKILL'); // anything the leader left behind in its group
}

/**
 * `python -m devstack up` with API_PORT/MOTO_PORT/CONSOLE_PORT/SMTP_PORT on free ports and LOCAL_STATE_DIR in a new
 * temp directory. withConsole=false starts the API only (CONSOLE=0).
 */
export async function startStack({ withConsole = true, logFile } = {}) {
  const python = path.join(ROOT, '.venv', 'bin', 'python');
  if (!fs.existsSync(python)) throw new Error(`${python} is missing: run \`make bootstrap\` first`);
  const [apiPort, motoPort, consolePort, smtpPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'helpdesk-e2e-'));
  logFile ??= path.join(state, 'stack.log');
  const env = {
    ...process.env,
    API_PORT: String(apiPort),
    MOTO_PORT: String(motoPort),
    CONSOLE_PORT: String(consolePort),
    SMTP_PORT: String(smtpPort),
    LOCAL_STATE_DIR: state,
    CONSOLE: withConsole ? '1' : '0',
  };
  const proc = spawnGroup(python, ['-m', 'devstack', 'up'], { cwd: ROOT, env, logFile });
  const stack = {
    apiUrl: `http://127.0.0.1:${apiPort}`,
    consoleUrl: withConsole ? `http://127.0.0.1:${consolePort}` : null,
    smtpPort,
    state,
    logFile,
    proc,
    adminEmail: ADMIN_EMAIL,
    adminPassword: '',
    async stop() {
      await stopGroup(proc);
      fs.rmSync(state, { recursive: true, force: true });
    },
  };
  try {
    await waitFor(`${stack.apiUrl}/health`, { proc, what: 'the API', timeoutMs: 180_000 });
    if (withConsole) await waitFor(`${stack.consoleUrl}/`, { proc, what: 'the console', timeoutMs: 60_000 });
    stack.adminPassword = fs.readFileSync(path.join(state, 'admin-password'), 'utf8').trim();
  } catch (error) {
    const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n') : '';
    await stack.stop();
    throw new Error(`${error.message}\n--- stack log ---\n${tail}`, { cause: error });
  }
  return stack;
}

/** Sign in through the API (for seeding); returns an access token. */
export async function apiLogin(stack) {
  const response = await fetch(`${stack.apiUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: stack.adminEmail, password: stack.adminPassword }),
  });
  if (!response.ok) throw new Error(`login failed: HTTP ${response.status}`);
  return (await response.json()).access_token;
}

export async function apiCall(stack, token, method, route, body) {
  const response = await fetch(`${stack.apiUrl}${route}`, {
    method,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: response.status, body: json };
}

/** True when the API has the route (an unknown route gets the gateway's own 403/404, without `error`). */
export async function routeExists(stack, token, method, route, body) {
  const { status, body: json } = await apiCall(stack, token, method, route, body);
  return !([403, 404, 405].includes(status) && !(json && typeof json === 'object' && 'error' in json));
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function launchChromium(chromium) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'helpdesk-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1366, height: 860 },
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Sign in as any user through the API; returns an access token. */
export async function apiLoginAs(stack, email, password) {
  const response = await fetch(`${stack.apiUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!response.ok) throw new Error(`login as ${email} failed: HTTP ${response.status}`);
  return (await response.json()).access_token;
}
