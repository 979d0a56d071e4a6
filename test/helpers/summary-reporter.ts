import type { Reporter, TestModule } from 'vitest/node';
import { CONFORMANCE_SUITE } from './conformance.js';

/**
 * Ends the run with the plain `tests: N passed, N failed, N skipped` line that
 * CI reads, beside vitest's own summary, and how many AWS-recorded
 * conformance cases each suite over them ran, so a corpus that ran nothing
 * shows.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const conformance = new Map<string, { run: number; skipped: number }>();
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failed += 1;
        else skipped += 1;
        let suite = test.parent;
        while (suite.type === 'suite' && !suite.name.startsWith(CONFORMANCE_SUITE)) suite = suite.parent;
        if (suite.type === 'suite') {
          const count = conformance.get(suite.name) ?? { run: 0, skipped: 0 };
          if (state === 'passed' || state === 'failed') count.run += 1;
          else count.skipped += 1;
          conformance.set(suite.name, count);
        }
      }
      if (module.state() === 'failed' && [...module.children.allTests()].length === 0) failed += 1;
    }
    const lines = [...conformance].sort(([a], [b]) => a.localeCompare(b)).map(([name, count]) => `conformance: ${count.run} ${name}${count.skipped ? ` (${count.skipped} skipped)` : ''}`);
    process.stdout.write(`\n${lines.map((line) => `${line}\n`).join('')}tests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
