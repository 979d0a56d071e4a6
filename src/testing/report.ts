/**
 * Reporters of a test run: spec (people), TAP 13, JUnit XML (CI systems) and
 * the JSON contract of `deliv test --json`.
 */
import type { JsonValue } from '../asl/types.js';
import { unifiedDiff } from '../deploy/diff.js';
import { paint, stripAnsi } from '../ui/colors.js';
import { renderTable } from '../ui/table.js';
import type { MachineCoverage, ThresholdMiss } from './coverage.js';
import type { Mismatch } from './expect.js';
import type { CaseResult, FileResult, TestRunResult } from './runner.js';

export const REPORTERS = ['spec', 'tap', 'junit', 'json'] as const;
export type Reporter = (typeof REPORTERS)[number];

export interface TestReport {
  ok: boolean;
  passed: number;
  failed: number;
  skipped: number;
  durationMs: number;
  files: { file: string; machine: string; cases: { name: string; status: CaseResult['status']; reason?: string; durationMs: number; mismatches: Mismatch[]; actual?: CaseResult['actual'] }[] }[];
  /** Where the cases ran: `engine` (in-process) or a target's name. */
  target?: string;
  coverage?: MachineCoverage[];
  threshold?: ThresholdMiss[];
  /** With --update: the failing cases whose expectations were rewritten. */
  updated?: { file: string; case: string }[];
}

export function toReport(run: TestRunResult, coverage?: MachineCoverage[], threshold?: ThresholdMiss[]): TestReport {
  return {
    ok: run.failed === 0 && (threshold?.length ?? 0) === 0,
    passed: run.passed,
    failed: run.failed,
    skipped: run.skipped,
    durationMs: Math.round(run.durationMs * 10) / 10,
    files: run.files.map((file) => ({
      file: file.file,
      machine: file.machine,
      cases: file.cases.map(({ name, status, reason, durationMs, mismatches, actual }) => ({ name, status, ...(reason ? { reason } : {}), durationMs: Math.round(durationMs * 10) / 10, mismatches, ...(status === 'failed' ? { actual } : {}) })),
    })),
    ...(coverage ? { coverage } : {}),
    ...(threshold ? { threshold } : {}),
  };
}

const pretty = (value: JsonValue | undefined): string => (value === undefined ? '(none)' : JSON.stringify(value, null, 2));

/** The lines explaining one mismatch: the divergence of a path, a diff of values. */
export function describeMismatch(mismatch: Mismatch): string[] {
  const lines = [`${paint.failure('✗')} ${mismatch.field}: ${mismatch.message}`];
  if (mismatch.divergence) {
    const { index, event } = mismatch.divergence;
    const expected = (mismatch.expected as string[]).map((name, i) => (i === index ? paint.success(name) : name));
    const actual = (mismatch.actual as string[]).map((name, i) => (i === index ? paint.failure(name) : name));
    lines.push(`  expected path: ${expected.join(' → ')}`, `  actual path:   ${actual.join(' → ')}`);
    if (event) lines.push(`  the event before: ${event}`);
    return lines;
  }
  if (mismatch.expected !== undefined && mismatch.actual !== undefined && (typeof mismatch.expected === 'object' || typeof mismatch.actual === 'object' || String(mismatch.expected).length > 40)) {
    lines.push(...unifiedDiff(pretty(mismatch.expected), pretty(mismatch.actual), { before: 'expected', after: 'actual' }).map((line) => `  ${line}`));
  }
  return lines;
}

export function renderSpec(report: TestReport): string {
  const out: string[] = [];
  for (const file of report.files) {
    out.push(paint.strong(`${file.machine}`) + paint.muted(`  ${file.file}`));
    for (const testCase of file.cases) {
      const time = paint.muted(` (${testCase.durationMs.toFixed(1)} ms)`);
      if (testCase.status === 'passed') out.push(`  ${paint.success('✓')} ${testCase.name}${time}`);
      else if (testCase.status === 'skipped') out.push(`  ${paint.warning('-')} ${testCase.name} ${paint.muted(testCase.reason ? `(skipped: ${testCase.reason})` : '(skipped)')}`);
      else {
        out.push(`  ${paint.failure('✗')} ${testCase.name}${time}`);
        for (const mismatch of testCase.mismatches) out.push(...describeMismatch(mismatch).map((line) => `      ${line}`));
      }
    }
  }
  if (report.coverage) out.push('', renderCoverage(report.coverage));
  for (const miss of report.threshold ?? []) out.push(paint.failure(`coverage of ${miss.machine}: ${miss.metric} ${miss.percent} % is below test.coverage ${miss.required} %`));
  const counts = [`${report.passed} passed`, `${report.failed} failed`, ...(report.skipped ? [`${report.skipped} skipped`] : []), ...(report.updated?.length ? [`${report.updated.length} updated`] : [])].join(', ');
  out.push('', `${report.ok ? paint.success('✓') : paint.failure('✗')} ${counts} ${paint.muted(`in ${report.durationMs.toFixed(0)} ms`)}`);
  return out.join('\n');
}

export function renderCoverage(coverage: readonly MachineCoverage[]): string {
  const cell = (s: { covered: number; total: number; percent: number }) => {
    const text = `${s.percent}% (${s.covered}/${s.total})`;
    return s.percent >= 100 ? paint.success(text) : s.percent >= 80 ? paint.warning(text) : paint.failure(text);
  };
  const table = renderTable(coverage, [
    { header: 'machine', value: (c) => c.machine },
    { header: 'states', value: (c) => cell(c.metrics.states), align: 'right' },
    { header: 'transitions', value: (c) => cell(c.metrics.transitions), align: 'right' },
    { header: 'branches', value: (c) => cell(c.metrics.branches), align: 'right' },
    { header: 'catches', value: (c) => cell(c.metrics.catches), align: 'right' },
    { header: 'retries', value: (c) => cell(c.metrics.retries), align: 'right' },
  ]);
  const lines = [table];
  for (const machine of coverage) {
    if (machine.uncovered.length === 0) continue;
    lines.push(paint.muted(`not covered in ${machine.machine}:`));
    for (const item of machine.uncovered) lines.push(`  ${paint.warning('○')} ${item.metric}: ${item.label}`);
  }
  return lines.join('\n');
}

/** TAP version 13: one test point per case, the mismatches as a YAML block. */
export function renderTap(report: TestReport): string {
  const cases = report.files.flatMap((file) => file.cases.map((c) => ({ file, c })));
  const out = ['TAP version 13', `1..${cases.length}`];
  cases.forEach(({ file, c }, index) => {
    const title = `${file.machine} › ${c.name}`.replace(/#/g, '\\#');
    if (c.status === 'skipped') out.push(`ok ${index + 1} - ${title} # SKIP`);
    else if (c.status === 'passed') out.push(`ok ${index + 1} - ${title}`);
    else {
      out.push(`not ok ${index + 1} - ${title}`, '  ---', '  mismatches:');
      for (const m of c.mismatches) {
        out.push(`    - field: ${JSON.stringify(m.field)}`, `      message: ${JSON.stringify(m.message)}`);
        if (m.expected !== undefined) out.push(`      expected: ${JSON.stringify(m.expected)}`);
        if (m.actual !== undefined) out.push(`      actual: ${JSON.stringify(m.actual)}`);
      }
      out.push('  ...');
    }
  });
  out.push(`# pass ${report.passed}`, `# fail ${report.failed}`, ...(report.skipped ? [`# skip ${report.skipped}`] : []));
  return out.join('\n');
}

export function xmlEscape(text: string): string {
  // XML 1.0 forbids most control characters even escaped; they are dropped.
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/**
 * JUnit XML in the shape of the widely read Ant/Surefire schema: a
 * `testsuites` root, one `testsuite` per test file (tests, failures, errors,
 * skipped, time, timestamp), a `testcase` per case with `failure` or `skipped`.
 */
export function renderJunit(report: TestReport, timestamp = new Date()): string {
  const stamp = timestamp.toISOString().slice(0, 19);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const total = report.files.reduce((sum, file) => sum + file.cases.length, 0);
  out.push(`<testsuites name="deliv test" tests="${total}" failures="${report.failed}" errors="0" skipped="${report.skipped}" time="${seconds(report.durationMs)}">`);
  report.files.forEach((file: TestReport['files'][number], id) => {
    const failures = file.cases.filter((c) => c.status === 'failed').length;
    const skipped = file.cases.filter((c) => c.status === 'skipped').length;
    const time = file.cases.reduce((sum, c) => sum + c.durationMs, 0);
    out.push(
      `  <testsuite name="${xmlEscape(file.machine)}" id="${id}" package="deliv" hostname="localhost" tests="${file.cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(time)}" timestamp="${stamp}" file="${xmlEscape(file.file)}">`,
    );
    for (const c of file.cases) {
      const open = `    <testcase name="${xmlEscape(c.name)}" classname="${xmlEscape(file.machine)}" time="${seconds(c.durationMs)}"`;
      if (c.status === 'passed') out.push(`${open}/>`);
      else if (c.status === 'skipped') out.push(`${open}>`, '      <skipped/>', '    </testcase>');
      else {
        const text = c.mismatches.flatMap(describeMismatch).join('\n');
        const plain = stripAnsi(text);
        out.push(`${open}>`, `      <failure message="${xmlEscape(c.mismatches[0]?.message ?? 'failed')}" type="${xmlEscape(c.mismatches[0]?.field ?? 'assertion')}">${xmlEscape(plain)}</failure>`, '    </testcase>');
      }
    }
    out.push('  </testsuite>');
  });
  out.push('</testsuites>');
  return out.join('\n');
}

export function renderReport(report: TestReport, reporter: Reporter): string {
  switch (reporter) {
    case 'tap':
      return renderTap(report);
    case 'junit':
      return renderJunit(report);
    case 'json':
      return JSON.stringify(report, null, 2);
    default:
      return renderSpec(report);
  }
}

export type { FileResult };
