// Browser check of the protocol code under the production CSP, against a real server:
//   MESSENGER_URL=http://127.0.0.1:5077 node test/browser/run.mjs      (from Clients/web; needs chromium)
// Builds test/browser, serves it with `vite preview` (CSP header, /rpc proxied to the server), loads it in headless
// Chromium, reads what the page wrote over the DevTools protocol and prints it: "OK …" (exit 0) or "FAIL …" (exit 1),
// with the browser's console and CSP reports on failure.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const here = dirname(fileURLToPath(import.meta.url));
const config = resolve(here, 'vite.config.ts');
const vite = resolve(here, '../../node_modules/vite/bin/vite.js');
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

async function waitFor(probe, what, tries = 150) {
  for (let i = 0; i < tries; i++) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    await sleep(200);
  }
  throw new Error(`${what} did not come up`);
}

execFileSync(process.execPath, [vite, 'build', '--config', config], { stdio: 'inherit' });
const preview = spawn(process.execPath, [vite, 'preview', '--config', config], { stdio: ['ignore', 'ignore', 'inherit'] });
const profile = mkdtempSync(join(tmpdir(), 'messenger-chromium-'));
const browser = spawn(
  process.env.CHROMIUM ?? 'chromium',
  ['--headless', '--no-sandbox', '--disable-gpu', '--remote-debugging-port=9339', `--user-data-dir=${profile}`, 'about:blank'],
  { stdio: 'ignore' },
);
try {
  await waitFor(() => fetch('http://127.0.0.1:5178/').then((r) => r.ok), 'vite preview');
  const targets = await waitFor(() => fetch('http://127.0.0.1:9339/json/list').then((r) => r.json()), 'chromium');
  const page = targets.find((t) => t.type === 'page');
  const socket = new WebSocket(page.webSocketDebuggerUrl);
  await new Promise((ok, fail) => socket.once('open', ok).once('error', fail));
  let nextId = 1;
  const waiting = new Map();
  const logs = [];
  socket.on('message', (data) => {
    const message = JSON.parse(String(data));
    if (message.id && waiting.has(message.id)) waiting.get(message.id)(message.result);
    if (message.method === 'Runtime.consoleAPICalled') logs.push(message.params.args.map((a) => a.value ?? a.description).join(' '));
    if (message.method === 'Log.entryAdded') logs.push(`${message.params.entry.source}: ${message.params.entry.text}`);
  });
  const send = (method, params = {}) =>
    new Promise((ok) => {
      const id = nextId++;
      waiting.set(id, ok);
      socket.send(JSON.stringify({ id, method, params }));
    });
  await send('Runtime.enable');
  await send('Log.enable');
  await send('Page.navigate', { url: 'http://127.0.0.1:5178/' });
  let result = 'pending';
  for (let i = 0; i < 150 && !/^(OK|FAIL)/.test(result); i++) {
    await sleep(200);
    const evaluated = await send('Runtime.evaluate', { expression: "document.getElementById('out')?.textContent ?? 'pending'", returnByValue: true });
    result = evaluated?.result?.value ?? 'pending';
  }
  console.log(result);
  if (!result.startsWith('OK')) console.log(logs.join('\n'));
  process.exitCode = result.startsWith('OK') ? 0 : 1;
  socket.close();
} finally {
  browser.kill();
  preview.kill();
  await sleep(200);
  rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}
