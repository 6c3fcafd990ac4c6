// Files bundled as text by esbuild (loader "text" in esbuild.mjs and scripts/bundleForNode.mjs).
declare module '*.py' {
  const text: string;
  export default text;
}
declare module '*.txt' {
  const text: string;
  export default text;
}
