// Runs inside the extension host: loads the *.test.js beside this file into mocha (tdd UI). In a window whose
// workspace is not trusted (CLINICAL_FT_WORKSPACE_TRUST=untrusted) only *.untrusted.test.js, otherwise the rest.
import Mocha from 'mocha';
import * as fs from 'node:fs';
import * as path from 'node:path';

export function run(): Promise<void> {
  const grep = process.env.MOCHA_GREP;
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 180_000, ...(grep ? { grep } : {}) });
  const untrusted = process.env.CLINICAL_FT_WORKSPACE_TRUST === 'untrusted';
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js') && f.endsWith('.untrusted.test.js') === untrusted);
  for (const f of files.sort()) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    const skipped: string[] = [];
    const runner = mocha.run((failures) => {
      // Pending tests (this.skip(), xit) are counted and named, so npm test can hold them against test/expected-skips.json.
      const result = { passed: runner.stats?.passes ?? 0, failed: failures, skipped };
      if (process.env.CLINICAL_FT_TEST_RESULT) fs.writeFileSync(process.env.CLINICAL_FT_TEST_RESULT, JSON.stringify(result));
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
      else resolve();
    });
    runner.on('pending', (t) => skipped.push(t.fullTitle()));
  });
}
