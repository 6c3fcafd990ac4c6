// esbuild bundles the panel's stylesheets into dist/webview/environment.css; this tells tsc the import is fine.
declare module '*.css';
