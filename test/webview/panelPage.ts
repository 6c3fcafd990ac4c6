// One webview panel in headless chromium, served as VS Code serves it: the product's HTML shell
// (src/host/webviewHtml.ts: strict CSP with a nonce) and the built dist/webview/<panel>.js. A stand-in
// acquireVsCodeApi records what the page posts; host messages are checked against the panel's real zod
// union before they are delivered, so a test cannot send what the host never could.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { z } from 'zod';
import * as vscode from 'vscode';
import { chromium, type Browser, type Page } from 'playwright-core';
import { webviewHtml } from '../../src/host/webviewHtml';

const root = process.env.CLINICAL_FT_ROOT ?? process.cwd();
const ORIGIN = 'https://webview.test';
const CHROME = process.env.CHROME ?? '/usr/bin/chromium';
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json', '.svg': 'image/svg+xml', '.ttf': 'font/ttf', '.woff2': 'font/woff2' };

/** A webview as webviewHtml sees it: resources under the test origin, mapped back to the repository. */
const fakeWebview = {
  cspSource: ORIGIN,
  asWebviewUri: (uri: vscode.Uri) => ({ toString: () => `${ORIGIN}${path.relative(root, uri.path).split(path.sep).map(encodeURIComponent).join('/').replace(/^/, '/')}` }),
} as unknown as vscode.Webview;

let browser: Browser | undefined;

export async function closeBrowser(): Promise<void> {
  await browser?.close();
  browser = undefined;
}

export interface PanelPage<In> {
  page: Page;
  /** Delivers a host → webview message after validating it against the panel's schema. */
  send(message: In): Promise<void>;
  /** Everything the page posted to the host so far, in order. */
  posted(): Promise<{ type: string; [k: string]: unknown }[]>;
  /** Waits until the page has posted a message of this type (beyond `after` earlier ones) and returns it. */
  waitPosted(type: string, after?: number): Promise<{ type: string; [k: string]: unknown }>;
  /** Trimmed text content of every element matching the selector. */
  texts(selector: string): Promise<string[]>;
  /** Console errors and Content-Security-Policy violations seen so far. */
  problems(): string[];
  close(): Promise<void>;
}

export async function openPanel<S extends z.ZodType>(panel: string, schema: S, opts: { state?: unknown } = {}): Promise<PanelPage<z.input<S>>> {
  const bundle = path.join(root, 'dist', 'webview', `${panel}.js`);
  if (!fs.existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run build`);
  browser ??= await chromium.launch({ executablePath: CHROME, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.route(`${ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/') {
      return route.fulfill({ contentType: 'text/html', body: webviewHtml(fakeWebview, vscode.Uri.file(root), panel, `${panel} test`) });
    }
    const file = path.join(root, decodeURIComponent(url.pathname));
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({ contentType: TYPES[path.extname(file)] ?? 'application/octet-stream', body: fs.readFileSync(file) });
  });
  await page.addInitScript((saved) => {
    const w = window as unknown as { __posted: unknown[]; __state: unknown; __csp: string[] };
    w.__posted = [];
    w.__state = saved;
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`));
    (window as unknown as { acquireVsCodeApi: () => unknown }).acquireVsCodeApi = () => ({
      postMessage: (m: unknown) => w.__posted.push(JSON.parse(JSON.stringify(m))),
      getState: () => w.__state,
      setState: (s: unknown) => (w.__state = s),
    });
  }, opts.state);
  await page.goto(`${ORIGIN}/`);
  const posted = () => page.evaluate(() => (window as unknown as { __posted: { type: string }[] }).__posted) as Promise<{ type: string; [k: string]: unknown }[]>;
  const result: PanelPage<z.input<S>> = {
    page,
    async send(message) {
      const parsed = schema.safeParse(message);
      if (!parsed.success) throw new Error(`not a valid ${panel} host message: ${parsed.error.issues[0]?.message}`);
      // postMessage delivers in a later task: resolve once a sentinel posted after it arrives (messages from one
      // source arrive in order), so what the panel did with the message is on the page when send returns.
      await page.evaluate(
        (m) =>
          new Promise<void>((resolve) => {
            const sentinel = `clinical-ft-test-delivered-${Math.random()}`;
            const onMessage = (e: MessageEvent) => {
              if (e.data !== sentinel) return;
              e.stopImmediatePropagation();
              window.removeEventListener('message', onMessage, true);
              resolve();
            };
            window.addEventListener('message', onMessage, true);
            window.postMessage(m, '*');
            window.postMessage(sentinel, '*');
          }),
        message as unknown,
      );
    },
    posted,
    async waitPosted(type, after = 0) {
      const handle = await page.waitForFunction(
        ([t, n]) => (window as unknown as { __posted: { type: string }[] }).__posted.slice(n as number).find((m) => m.type === t),
        [type, after] as const,
        { timeout: 10_000 },
      );
      return (await handle.jsonValue()) as { type: string; [k: string]: unknown };
    },
    texts: (selector) => page.locator(selector).evaluateAll((els) => els.map((e) => (e.textContent ?? '').replace(/\u00a0/g, ' ').trim())),
    problems: () => problems,
    async close() {
      const csp = await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp).catch(() => [] as string[]);
      problems.push(...csp.map((c) => `CSP violation: ${c}`));
      await page.close();
    },
  };
  await result.waitPosted('ready');
  return result;
}
