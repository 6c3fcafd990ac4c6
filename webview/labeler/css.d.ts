// esbuild bundles the panel's stylesheet into dist/webview/labeler.css; this tells tsc the import is fine.
declare module '*.css';
