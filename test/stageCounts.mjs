// What one `npm test` stage reported, read from its output: passed, failed and skipped counts, and the names
// of the skipped tests, so test/run-all.mjs can total them and hold every skip against test/expected-skips.json.

/**
 * Counts from node:test's summary ("ℹ pass N", "ℹ fail N", "ℹ cancelled N", "ℹ skipped N", "ℹ todo N"; a
 * cancelled test, e.g. one that timed out, is a failure) or our own "N passed, N failed, N skipped" lines.
 * Skipped tests are named by node:test's spec reporter ("﹣ name (1ms) # reason", "✔ name (1ms) # TODO") or by
 * "skipped: name" lines.
 */
export function counts(out) {
  const names = [
    ...[...out.matchAll(/^\s*﹣ (.+?) \([\d.]+m?s\)(?: # .*)?$/gm)].map((m) => m[1]),
    ...[...out.matchAll(/^\s*\S (.+?) \([\d.]+m?s\) # TODO$/gm)].map((m) => m[1]),
    ...[...out.matchAll(/^skipped: (.+)$/gm)].map((m) => m[1]),
  ];
  const node = [...out.matchAll(/^ℹ (pass|fail|cancelled|skipped|todo) (\d+)$/gm)];
  if (node.length) {
    const c = { passed: 0, failed: 0, skipped: 0, names };
    for (const [, k, n] of node) c[{ pass: 'passed', fail: 'failed', cancelled: 'failed', skipped: 'skipped', todo: 'skipped' }[k]] += +n;
    return c;
  }
  const plain = [...out.matchAll(/(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/g)].pop();
  return plain ? { passed: +plain[1], failed: +plain[2], skipped: +(plain[3] ?? 0), names } : { passed: 0, failed: 0, skipped: 0, names };
}

/** The skipped tests of a stage that test/expected-skips.json does not declare (unnamed skips included). */
export function undeclaredSkips(stage, c, declared) {
  const allowed = new Set(declared.filter((d) => d.stage === stage).map((d) => d.test));
  const named = c.names.filter((n) => !allowed.has(n));
  const unnamed = Math.max(0, c.skipped - c.names.length);
  return [...named, ...Array.from({ length: unnamed }, () => '(a skipped test the stage did not name)')];
}
