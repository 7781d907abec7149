import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parse } from 'junit2json';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { toJUnit } from '../../src/report/junit.js';
import { toJson } from '../../src/report/json.js';
import { toHtml } from '../../src/report/html.js';
import { applyEvent, emptyRecord, type RunEvent, type RunRecord } from '../../src/record/run-record.js';

const T0 = 1_800_000_000_000;
function rec(id: string, verdict: 'pass' | 'fail' | 'invalid', results: RunRecord['results'], invalid: string[] = []): RunRecord {
  const r = emptyRecord();
  const evs: RunEvent[] = [
    { e: 'run', v: 1, runId: `${id}-1`, at: T0, scenario: { id, title: `the ${id} drill`, incident: 'i', source: { title: 'A postmortem', author: 'Someone', url: 'https://example.org/pm' } }, target: 'kind cluster kdrill-x', fault: 'throttle the disk', faultName: 'throttleDisk', expectations: [] },
    { e: 'source', key: 'etcd-metrics', clock: { kind: 'poll', periodMs: 500 } },
    { e: 'source', key: 'kube.events', clock: { kind: 'event' } },
    { e: 'phase', at: T0, phase: 'provision' },
    { e: 'phase', at: T0 + 1000, phase: 'baseline' },
    { e: 'timeline', at: T0, field: 'injectedAt', value: T0 + 5000 },
    { e: 'obs', signal: 'etcd.wal_fsync_p99', subject: 'cp', at: T0 + 6000, seen: T0 + 6000, value: 900, source: 'etcd-metrics' },
    { e: 'obs', signal: 'kube.event', subject: 'etcd-cp', at: T0 + 7000, seen: T0 + 7400, text: 'Killing: x & <y>', source: 'kube.events' },
    { e: 'fault', description: 'throttle the disk', inEffect: verdict !== 'invalid' || !invalid.length, evidence: 'WAL fsync mean 900 ms', subjects: ['cp'], measurements: { iops: 3, mean: NaN } },
    { e: 'timeline', at: T0, field: 'revertedAt', value: T0 + 20000 },
    ...invalid.map((reason): RunEvent => ({ e: 'invalid', reason })),
    ...results.map((result): RunEvent => ({ e: 'result', result })),
    { e: 'end', at: T0 + 30000, verdict, reasons: verdict === 'pass' ? [] : invalid.length ? invalid : results.filter((x) => x.verdict === 'fail').map((x) => x.name), observed: { 'leader changes': 0 } },
  ];
  for (const e of evs) applyEvent(r, e);
  return r;
}

const passing = rec('drill-a', 'pass', [
  { name: 'detected(WAL fsync p99 > 100ms on faulty).within(1m)', verdict: 'pass', injectedAt: T0 + 5000, detectedAt: T0 + 6000, seenAt: T0 + 6000, latencyMs: 1000, source: 'etcd-metrics', detail: 'detected after 1.00s' },
  { name: 'detected(kubelet killed etcd).within(4m)', verdict: 'pass', injectedAt: T0 + 5000, detectedAt: T0 + 7000, seenAt: T0 + 7400, latencyMs: 2000, source: 'kube.events', detail: 'detected after 2.00s' },
  { name: 'recovers.within(4m)', verdict: 'pass', recoveryMs: 3000, detail: 'recovered 3.00s after the revert' },
]);
const failing = rec('drill-b', 'fail', [
  { name: 'detected(WAL fsync p99 > 60s on faulty).within(20s)', verdict: 'fail', injectedAt: T0 + 5000, detail: 'never fired while the fault was in place (15.0s)' },
  { name: 'holds(serviceAnswers).throughout()', verdict: 'pass', detail: '100/100 answered' },
]);
const invalid = rec(
  'drill-c',
  'invalid',
  [
    { name: 'detected(x).within(1m)', verdict: 'invalid', detail: 'the fault was never injected' },
    { name: 'holds(y).throughout()', verdict: 'invalid', detail: 'the probe was not verified' },
  ],
  ['baseline: no calm 10.0s within 3m: the last break: WAL fsync p99 > 100ms (cp: measured 125 ms, threshold 100 ms)'],
);

describe('reports: views of the run record', () => {
  it('JUnit, read back by a JUnit parser: one testcase per expectation, failures and errors counted right, an invalid drill\'s reason once in its suite', async () => {
    const out = (await parse(toJUnit([passing, failing, invalid]))) as { tests?: number; failures?: number; errors?: number; testsuite?: { name?: string; tests?: number; failures?: number; errors?: number; testcase?: { name?: string; failure?: { message?: string }[]; error?: { message?: string }[] }[]; 'system-out'?: string[]; properties?: { name?: string; value?: string }[] }[] };
    expect(out.tests).to.equal(7);
    expect(out.failures).to.equal(1);
    expect(out.errors).to.equal(2);
    const [a, b, c] = out.testsuite!;
    expect([a!.name, a!.tests, a!.failures, a!.errors]).to.deep.equal(['drill-a', 3, 0, 0]);
    expect([b!.name, b!.tests, b!.failures, b!.errors]).to.deep.equal(['drill-b', 2, 1, 0]);
    expect(b!.testcase![0]!.failure![0]!.message).to.match(/^expected: detected\(WAL fsync p99 > 60s on faulty\)\.within\(20s\); seen: never fired/);
    expect([c!.name, c!.tests, c!.failures, c!.errors]).to.deep.equal(['drill-c', 2, 0, 2]);
    for (const tc of c!.testcase!) expect(tc.error![0]!.message).to.match(/^not judged: the drill was invalid \(baseline: no calm/);
    const sysout = c!['system-out']!.join('\n');
    expect(sysout.match(/reason: baseline: no calm/g)).to.have.length(1);
    expect(c!.properties!.find((p) => p.name === 'invalid.1')!.value).to.match(/measured 125 ms, threshold 100 ms/);
    expect(a!['system-out']!.join('\n')).to.match(/in effect: WAL fsync mean 900 ms/);
  });

  it('the --json document validates against the shipped schema (a real validator), and says its version', () => {
    const schema = JSON.parse(readFileSync(new URL('../../../schema/run.v1.json', import.meta.url), 'utf8')) as object;
    const ajv = new Ajv.default({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    const doc = JSON.parse(JSON.stringify(toJson([passing, failing, invalid], 2)));
    const ok = validate(doc);
    expect(ok, JSON.stringify(validate.errors, null, 2)).to.equal(true);
    expect(doc.schemaVersion).to.equal(1);
    expect(doc.scenarios[0].expectations[1]).to.include({ overheadMs: 400, pollMs: null });
    expect(doc.scenarios[0].expectations[0]).to.include({ overheadMs: null, pollMs: 500 });
    // a breaking change must bump the version: a document of another shape does not validate
    expect(validate({ ...doc, scenarios: [{ id: 'x' }] })).to.equal(false);
  });

  it('the HTML page is self-contained: no script, no link, no remote resource; it names the verdict and the source', () => {
    const html = toHtml([passing, invalid]);
    expect(html).to.not.match(/<script|<link |src="http|@import|url\(/i);
    expect(html).to.match(/<svg class="timeline"/);
    expect(html).to.match(/class="badge pass">PASS/);
    expect(html).to.match(/class="badge invalid">INVALID/);
    expect(html).to.include('href="https://example.org/pm"');
    expect(html).to.include('Killing: x &amp; &lt;y&gt;');
  });
});
