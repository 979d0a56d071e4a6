import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { renderJunit, renderTap, type TestReport } from '../../src/testing/report.js';

const REPORT: TestReport = {
  ok: false,
  passed: 1,
  failed: 1,
  skipped: 1,
  durationMs: 12.5,
  files: [
    {
      file: 'tests/shop.test.yaml',
      machine: 'shop',
      cases: [
        { name: 'paid & shipped <fast>', status: 'passed', durationMs: 2 },
        { name: 'declined', status: 'failed', durationMs: 3, mismatches: [{ field: 'status', message: 'status FAILED, expected "SUCCEEDED"', expected: 'SUCCEEDED', actual: 'FAILED' }] },
        { name: 'later', status: 'skipped', durationMs: 0 },
      ].map((c) => ({ mismatches: [], ...c })) as TestReport['files'][number]['cases'],
    },
  ],
};

/**
 * The structure the JUnit XML schema (Ant/Surefire's junit-4.xsd, read by Jenkins, GitLab, GitHub
 * reporters) requires: a testsuites root of testsuite elements with name, tests, failures, errors,
 * time, timestamp; testcase elements with name, classname, time; at most one failure or skipped child.
 */
function checkJunitStructure(xml: string): void {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase', 'failure', 'skipped'].includes(name) }).parse(xml) as Record<string, any>;
  expect(Object.keys(doc).filter((key) => key !== '?xml')).toEqual(['testsuites']);
  for (const suite of doc.testsuites.testsuite) {
    for (const attr of ['name', 'tests', 'failures', 'errors', 'skipped', 'time', 'timestamp']) expect(suite, attr).toHaveProperty(attr);
    expect(suite.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    expect(Number(suite.tests)).toBe(suite.testcase.length);
    expect(Number(suite.failures)).toBe(suite.testcase.filter((c: any) => c.failure).length);
    for (const testcase of suite.testcase) {
      for (const attr of ['name', 'classname', 'time']) expect(testcase).toHaveProperty(attr);
      expect(Number.isFinite(Number(testcase.time))).toBe(true);
      expect((testcase.failure?.length ?? 0) + (testcase.skipped?.length ?? 0)).toBeLessThanOrEqual(1);
      for (const failure of testcase.failure ?? []) expect(failure).toHaveProperty('message');
    }
  }
}

describe('reporters', () => {
  it('writes JUnit XML that a JUnit schema accepts, with names escaped', () => {
    const xml = renderJunit(REPORT, new Date('2026-05-01T10:00:00Z'));
    checkJunitStructure(xml);
    expect(xml).toContain('<testcase name="paid &amp; shipped &lt;fast&gt;" classname="shop" time="0.002"/>');
    expect(xml).toContain('<failure message="status FAILED, expected &quot;SUCCEEDED&quot;" type="status">');
    expect(xml).toContain('<skipped/>');
  });

  it('writes TAP 13 with the mismatches in a YAML block', () => {
    expect(renderTap(REPORT).split('\n')).toEqual([
      'TAP version 13',
      '1..3',
      'ok 1 - shop › paid & shipped <fast>',
      'not ok 2 - shop › declined',
      '  ---',
      '  mismatches:',
      '    - field: "status"',
      '      message: "status FAILED, expected \\"SUCCEEDED\\""',
      '      expected: "SUCCEEDED"',
      '      actual: "FAILED"',
      '  ...',
      'ok 3 - shop › later # SKIP',
      '# pass 1',
      '# fail 1',
      '# skip 1',
    ]);
  });
});
