// Injected ahead of every webview bundle (esbuild.mjs `inject`), before any schema exists: zod decides per
// object schema, when it is created, whether to compile a parser with `new Function`, and its probe for that
// is a Content-Security-Policy violation under the webviews' CSP (no 'unsafe-eval'). Parse without it.
import { z } from 'zod';

z.config({ jitless: true });
