// esbuild bundles the panel's stylesheet into dist/webview/datasetPreview.css; this tells tsc the import is fine.
declare module '*.css';
