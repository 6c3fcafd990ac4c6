#!/usr/bin/env node
// A real VS Code for extension tests on a machine without Microsoft's download servers: code-server (VS Code
// in a Node 24 server) + Debian chromium driven by playwright-core. It stands in for the "VS Code executable"
// that @vscode/test-electron's runTests({ vscodeExecutablePath }) launches, so it accepts Electron-style args:
//   --extensionDevelopmentPath=DIR --extensionTestsPath=FILE [WORKSPACE] (other flags are ignored).
// CLINICAL_FT_WORKSPACE_TRUST=untrusted runs VS Code with Workspace Trust enabled and the workspace not trusted
// (Restricted Mode, no startup prompt); otherwise trust is disabled, i.e. every workspace is trusted.
// Tests run inside the real extension host (VS Code's own browser-integration-test mechanism: the URL payload
// plus window.codeAutomationExit). A small UI driver on 127.0.0.1 lets in-host tests act like a person:
// palette, keys, clicks, DOM queries (incl. webview frames) and screenshots. Its URL reaches the extension
// host as CLINICAL_FT_UI_DRIVER.
const { chromium } = require('playwright-core');
const cp = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const net = require('node:net');
const util = require('node:util');

const cache = process.env.VSCODE_IN_CI_CACHE || path.join(os.homedir(), '.cache', 'vscode-in-ci');
const NODE24 = process.env.CS_NODE || path.join(cache, 'node24/node_modules/node/bin/node');
const CS = process.env.CS_ENTRY || path.join(cache, 'cs/node_modules/code-server/out/node/entry.js');
const CHROME = process.env.CHROME || '/usr/bin/chromium';
const TIMEOUT = +(process.env.TEST_TIMEOUT_MS || 900000);
const artifacts = path.resolve(process.env.CLINICAL_FT_TEST_ARTIFACTS || 'test-artifacts');
const untrusted = process.env.CLINICAL_FT_WORKSPACE_TRUST === 'untrusted';

const args = process.argv.slice(2);
const flag = (n) => args.filter((a) => a.startsWith(`--${n}=`)).map((a) => a.slice(n.length + 3));
const extDev = path.resolve(flag('extensionDevelopmentPath')[0]);
const testsPath = path.resolve(flag('extensionTestsPath')[0]);
const positional = args.filter((a) => !a.startsWith('-'));
const workspace = path.resolve(positional[0] || fs.mkdtempSync(path.join(os.tmpdir(), 'cft-ws-')));

const t0 = Date.now();
const el = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const freePort = () => new Promise((r) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => r(p)); }); });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

for (const [what, p] of [['Node 24', NODE24], ['code-server', CS], ['chromium', CHROME]]) {
  if (!fs.existsSync(p)) {
    console.error(`vscode-in-browser: ${what} not found at ${p} — run .ci/install-vscode.sh first`);
    process.exit(3);
  }
}

/** Finds a locator in the workbench page or, with inWebview, in whichever frame matches first. */
async function locate(page, selector, inWebview, timeoutMs) {
  const deadline = Date.now() + (timeoutMs ?? 0);
  for (;;) {
    const frames = inWebview ? page.frames().filter((f) => f !== page.mainFrame()) : [page.mainFrame()];
    for (const f of frames) {
      try {
        const loc = f.locator(selector);
        if ((await loc.count()) > 0) return loc;
      } catch { /* frame navigated away */ }
    }
    if (Date.now() >= deadline) return undefined;
    await sleep(150);
  }
}

function uiDriver(page) {
  const actions = {
    async palette({ title }) {
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 30000 });
      await input.fill(`>${title}`);
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title.replace(/^[^:]*:\s*/, '') }).first();
      await row.waitFor({ state: 'visible', timeout: 30000 });
      await page.keyboard.press('Enter');
      return { ok: true };
    },
    async press({ key }) { await page.keyboard.press(key); return { ok: true }; },
    async type({ text }) { await page.keyboard.type(text, { delay: 10 }); return { ok: true }; },
    async query({ selector, inWebview }) {
      const loc = await locate(page, selector, inWebview, 0);
      if (!loc) return { count: 0, texts: [] };
      const texts = await loc.evaluateAll((els) => els.slice(0, 500).map((e) => (e.textContent || '').replace(/\u00a0/g, ' ').trim()));
      return { count: await loc.count(), texts };
    },
    async attributes({ selector, inWebview, names }) {
      const loc = await locate(page, selector, inWebview, 0);
      if (!loc) return { values: [] };
      return { values: await loc.evaluateAll((els, ns) => els.map((e) => Object.fromEntries(ns.map((n) => [n, e.getAttribute(n)]))), names) };
    },
    async waitFor({ selector, inWebview, timeoutMs }) {
      const loc = await locate(page, selector, inWebview, timeoutMs ?? 30000);
      if (!loc) throw new Error(`timed out waiting for ${selector}${inWebview ? ' (in webviews)' : ''}`);
      return { count: await loc.count() };
    },
    async click({ selector, inWebview, timeoutMs, modifiers, button }) {
      const loc = await locate(page, selector, inWebview, timeoutMs ?? 10000);
      if (!loc) throw new Error(`nothing to click: ${selector}`);
      await loc.first().click({ ...(modifiers ? { modifiers } : {}), ...(button ? { button } : {}) });
      return { ok: true };
    },
    async focusWebview({ selector }) {
      const loc = await locate(page, selector, true, 10000);
      if (!loc) throw new Error(`no webview element ${selector}`);
      await loc.first().focus();
      return { ok: true };
    },
    async screenshot({ name }) {
      fs.mkdirSync(artifacts, { recursive: true });
      const file = path.join(artifacts, `${name.replace(/[^\w.-]+/g, '_')}.png`);
      await page.screenshot({ path: file });
      return { file };
    },
  };
  return actions;
}

function startDriverServer(actions) {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', async () => {
      const action = (req.url || '').replace(/^\//, '');
      try {
        const fn = actions[action];
        if (!fn || req.method !== 'POST') throw new Error(`unknown UI action ${action}`);
        const result = await fn(JSON.parse(body || '{}'));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
      } catch (e) {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(e && e.message || e) }));
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

(async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cft-vscode-'));
  const port = await freePort();
  let page;
  const driver = await startDriverServer(new Proxy({}, { get: (_t, k) => page && uiDriver(page)[k] }));
  const driverUrl = `http://127.0.0.1:${driver.address().port}`;
  const env = {
    ...process.env,
    HOME: path.join(tmp, 'home'),
    XDG_CONFIG_HOME: path.join(tmp, 'home/.config'),
    XDG_DATA_HOME: path.join(tmp, 'home/.local/share'),
    XDG_CACHE_HOME: path.join(tmp, 'home/.cache'),
    TMPDIR: path.join(tmp, 't'),
    CLINICAL_FT_UI_DRIVER: driverUrl,
    CLINICAL_FT_TEST_ARTIFACTS: artifacts,
  };
  fs.mkdirSync(env.TMPDIR, { recursive: true });
  if (untrusted) {
    // A fresh user-data-dir trusts nothing; without the prompt the folder opens in Restricted Mode.
    fs.mkdirSync(path.join(tmp, 'ud/User'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'ud/User/settings.json'), JSON.stringify({ 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.emptyWindow': false }));
  }
  const log = fs.openSync(path.join(tmp, 'code-server.log'), 'w');
  const cs = cp.spawn(NODE24, [CS, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
    ...(untrusted ? [] : ['--disable-workspace-trust']), '--disable-getting-started-override', '--vscode-option', 'enable-smoke-test-driver',
    '--user-data-dir', path.join(tmp, 'ud'), '--extensions-dir', path.join(tmp, 'ext')], { env, stdio: ['ignore', log, log] });
  let ctx;
  const cleanup = async (code) => {
    try { if (ctx) await ctx.close(); } catch { /* already gone */ }
    try { cs.kill('SIGTERM'); } catch { /* already gone */ }
    driver.close();
    console.log(`vscode-in-browser: exit ${code} after ${el()} (logs in ${tmp})`);
    process.exit(code);
  };
  setTimeout(() => { console.log(`vscode-in-browser: TIMEOUT after ${TIMEOUT} ms`); cleanup(124); }, TIMEOUT).unref();
  for (let i = 0; ; i++) {
    try { const r = await fetch(`http://127.0.0.1:${port}/healthz`); if (r.ok) break; } catch { /* not up yet */ }
    if (i > 600) { console.log('vscode-in-browser: code-server did not come up'); return cleanup(3); }
    await sleep(100);
  }
  ctx = await chromium.launchPersistentContext(path.join(tmp, 'chrome'), {
    executablePath: CHROME, headless: true, viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  page = ctx.pages()[0] || (await ctx.newPage());
  const NOISE = /AgentHost|ChatModelSelection|AccountPolicyGate|ENOTFOUND|authentication provider|Creating a socket|grace time|Service Worker|builtin extensions cache|Resolv(ing|ed) connection token/;
  await page.exposeFunction('codeAutomationLog', (_type, a) => { const msg = util.format(...(a || [])); if (process.env.VERBOSE || !NOISE.test(msg)) console.log(msg); });
  const done = new Promise((resolve) => page.exposeFunction('codeAutomationExit', async (code, logs) => {
    for (const l of logs || []) {
      const f = path.join(tmp, 'vscode-logs', l.relativePath);
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(f, l.contents);
    }
    resolve(code);
  }));
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload = JSON.stringify([['extensionDevelopmentPath', remote(extDev)], ['extensionTestsPath', remote(testsPath)], ['skipWelcome', 'true']]);
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 120000 });
  console.log(`vscode-in-browser: workbench up at ${el()}${untrusted ? ' (workspace NOT trusted: Restricted Mode)' : ''}`);
  const code = await done;
  try {
    fs.mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'final.png') });
  } catch { /* page closed */ }
  await cleanup(code);
})().catch((e) => { console.error('vscode-in-browser: FAILED', e); process.exit(2); });
