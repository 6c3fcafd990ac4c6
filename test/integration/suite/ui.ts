// In-host client of the UI driver (vscodeInBrowser.cjs): lets tests act on the real workbench like a person.
import * as path from 'node:path';

async function call<T>(action: string, body: object = {}): Promise<T> {
  const base = process.env.CLINICAL_FT_UI_DRIVER;
  if (!base) throw new Error('CLINICAL_FT_UI_DRIVER is not set: run through test/integration/run.mjs');
  const res = await fetch(`${base}/${action}`, { method: 'POST', body: JSON.stringify(body) });
  const json = (await res.json()) as T & { error?: string };
  if (!res.ok) throw new Error(`UI ${action} failed: ${json.error}`);
  return json;
}

export interface Where {
  /** Search the webview iframes instead of the workbench page. */
  inWebview?: boolean;
}

export const ui = {
  /** Opens the command palette, types the command title and runs it. */
  palette: (title: string) => call('palette', { title }),
  press: (key: string) => call('press', { key }),
  type: (text: string) => call('type', { text }),
  /** Playwright selectors: CSS, `text=…`, `:has-text()`. */
  query: (selector: string, where: Where = {}) => call<{ count: number; texts: string[] }>('query', { selector, ...where }),
  attributes: (selector: string, names: string[], where: Where = {}) =>
    call<{ values: Record<string, string | null>[] }>('attributes', { selector, names, ...where }),
  waitFor: (selector: string, where: Where & { timeoutMs?: number } = {}) => call<{ count: number }>('waitFor', { selector, ...where }),
  /** `modifiers` (e.g. ['ControlOrMeta'] to add to a selection) and `button: 'right'` (context menus) as Playwright's. */
  click: (selector: string, where: Where & { timeoutMs?: number; modifiers?: ('Alt' | 'Control' | 'ControlOrMeta' | 'Meta' | 'Shift')[]; button?: 'left' | 'right' } = {}) =>
    call('click', { selector, ...where }),
  /**
   * A quick-pick step on screen and ready to answer: its title shows and its items have arrived. A step's items
   * may load after its title (the model list searches the workspace), and an Enter pressed before they arrive is
   * dropped on purpose (StartFlowSession) — so a test that presses Enter on the title alone races the load.
   */
  pickStep: async (title: string, where: { timeoutMs?: number } = {}) => {
    await call('waitFor', { selector: `.quick-input-widget .quick-input-title:has-text("${title}")`, ...where });
    await call('waitFor', { selector: '.quick-input-widget .quick-input-list .monaco-list-row', ...where });
  },
  focusWebview: (selector: string) => call('focusWebview', { selector }),
  screenshot: (name: string) => call<{ file: string }>('screenshot', { name }),
};

/** Polls until `check` returns a truthy value or the time is up. */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The answer of `p` (e.g. a command's), or a failure naming what did not happen in time. */
export async function within<T>(p: Thenable<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms)));
  try {
    return await Promise.race([Promise.resolve(p), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Right-clicks `row`, clicks the menu item titled `item`, and waits for `shown` (what the command opens). A
 * context-menu item clicked while the menu is still opening is not taken: wait longer and open it again, up
 * to three times, when nothing follows.
 */
export async function runFromContextMenu(row: string, item: string, shown: string, where: Where = {}): Promise<void> {
  const menuItem = `.monaco-menu .action-item:has-text("${item}")`;
  for (let attempt = 1; ; attempt++) {
    await ui.click(row, { button: 'right' });
    await ui.waitFor(menuItem, { timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 300 * attempt));
    await ui.click(menuItem);
    try {
      await ui.waitFor(shown, { ...where, timeoutMs: 10_000 });
      return;
    } catch (e) {
      if (attempt === 3) throw e;
      await ui.press('Escape');
    }
  }
}

export const artifactsDir = () => process.env.CLINICAL_FT_TEST_ARTIFACTS ?? path.resolve('test-artifacts');
