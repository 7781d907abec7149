import { expect } from 'chai';
import { refusal } from './refusal.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drillTemplate } from '../../src/commands/init-drill.js';
import { findScenarios } from '../../src/scenario-catalog.js';
import { loadScenarioFile, scenarioFilesIn } from '../../src/scenario-file.js';

// Users' own drills, loaded as a user's project would have them: TypeScript in a
// directory with no package.json and no kdrill installed (the running kdrill is used).
describe("users' scenario files", function () {
  this.timeout(30_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'kdrill-user-drill-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('loads the init-drill template as written (TypeScript, no build step)', async () => {
    const s = await loadScenarioFile(file('my-leak.ts', drillTemplate('my-leak')));
    expect(s.id).to.equal('my-leak');
    expect(s.expect.length).to.be.greaterThan(0);
  });

  it('names the field a malformed drill gets wrong, in one line', async () => {
    const bad = drillTemplate('bad-id').replace("id: 'bad-id'", "id: 'Not Kebab'");
    const m = await refusal(loadScenarioFile(file('bad-id.ts', bad)));
    expect(m).to.match(/bad-id\.ts: .*id/);
    expect(m).not.to.include('\n');
  });

  it('names the line of a syntax error', async () => {
    const m = await refusal(loadScenarioFile(file('syntax.ts', "import { defineScenario } from 'kdrill';\nexport default defineScenario({ id: 'x',, });\n")));
    expect(m).to.match(/syntax\.ts: line 2:\d+: /);
    expect(m).not.to.include('\n');
  });

  it('refuses a file whose default export is not a scenario, and a missing file', async () => {
    expect(await refusal(loadScenarioFile(file('plain.mjs', 'export default { id: "x" };\n')))).to.match(/plain\.mjs: its default export is not a scenario/);
    expect(await refusal(loadScenarioFile(join(dir, 'nope.ts')))).to.match(/nope\.ts: no such scenario file/);
  });

  it('refuses two drills with one id, and lists a directory in name order', async () => {
    const a = file('a.ts', drillTemplate('same-id'));
    const b = file('b.ts', drillTemplate('same-id'));
    expect(await refusal(findScenarios([a, b]))).to.match(/two drills with the id "same-id"/);
    expect(scenarioFilesIn(dir).map((p) => p.slice(dir.length + 1))).to.deep.equal(['a.ts', 'b.ts', 'bad-id.ts', 'my-leak.ts', 'plain.mjs', 'syntax.ts']);
  });
});
