// esbuild bundles the panel's stylesheets into dist/webview/inspector.css; this tells tsc the import is fine.
declare module '*.css';
