import type { RunnerTask, RunnerTestFile } from 'vitest';
import type { Reporter } from 'vitest/reporters';

/** Ends the run with the plain line "N passed, N failed" that CI reads. */
export default class SummaryReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = [], errors: unknown[] = []): void {
    let passed = 0;
    let failed = errors.length;
    let skipped = 0;
    const visit = (task: RunnerTask) => {
      if (task.type === 'test') {
        const state = task.result?.state;
        if (state === 'pass') passed++;
        else if (state === 'fail') failed++;
        else skipped++;
      } else {
        task.tasks.forEach(visit);
      }
      if (task.type === 'suite' && task.result?.state === 'fail' && task.tasks.length === 0) {
        failed++;
      }
    };
    files.forEach(visit);
    const suffix = skipped > 0 ? `, ${skipped} skipped` : '';
    process.stdout.write(`\n${passed} passed, ${failed} failed${suffix}\n`);
  }
}
