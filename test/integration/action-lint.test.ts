import { expect } from 'chai';
import { execa } from 'execa';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { goBuild } from '../../src/image/go-build.js';
import { packageRoot } from '../../src/util/paths.js';

/**
 * kdrill's GitHub Action cannot run here (no registry, no GitHub), so it is
 * checked by a real linter: actionlint (built from the Go module proxy, pinned
 * in tools/actionlint) over this repository's workflows, one of which uses the
 * action (`uses: ./`), so the action's inputs are checked against action.yml.
 * And the linter must be able to say no: a workflow that misnames an input.
 */
interface Finding {
  message: string;
  filepath: string;
  line: number;
}

describe('the GitHub Action and the workflows pass a real workflow linter', function () {
  this.timeout(10 * 60_000);
  let actionlint: string;
  before(async () => {
    ({ actionlint } = (await goBuild({ name: 'actionlint-v1.7.12', module: 'tools/actionlint', packages: ['github.com/rhysd/actionlint/cmd/actionlint'] })) as { actionlint: string });
  });
  const lint = async (cwd: string, files: string[]) => {
    const r = await execa(actionlint, ['-no-color', '-format', '{{json .}}', ...files], { cwd, reject: false });
    expect(r.exitCode, r.stderr).to.be.oneOf([0, 1]);
    return (r.stdout.trim() ? JSON.parse(r.stdout) : []) as Finding[];
  };

  it("this repository's workflows, the action's example included: no finding", async () => {
    const root = packageRoot();
    const files = readdirSync(join(root, '.github/workflows')).filter((f) => /\.ya?ml$/.test(f)).map((f) => `.github/workflows/${f}`);
    expect(files).to.include('.github/workflows/drills.yml');
    expect(readFileSync(join(root, files.find((f) => f.endsWith('drills.yml'))!), 'utf8')).to.match(/uses: \.\/\n/);
    expect(await lint(root, files)).to.deep.equal([]);
  });

  it("a workflow that misnames the action's input is refused, naming the input", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdrill-actionlint-'));
    try {
      mkdirSync(join(dir, '.git'));
      mkdirSync(join(dir, '.github/workflows'), { recursive: true });
      copyFileSync(join(packageRoot(), 'action.yml'), join(dir, 'action.yml'));
      const good = readFileSync(join(packageRoot(), '.github/workflows/drills.yml'), 'utf8');
      writeFileSync(join(dir, '.github/workflows/bad.yml'), good.replace(/drills: \$\{\{ github\.event\.inputs\.drills \}\}/, 'drill: memory-leak-with-limits'));
      const found = await lint(dir, ['.github/workflows/bad.yml']);
      expect(found.map((f) => f.message)).to.have.members([
        'missing input "drills" which is required by action "kdrill" defined at "./". all required inputs are "drills"',
        'input "drill" is not defined in action "kdrill" defined at "./". available inputs are "artifact-name", "drills", "node-image", "reports-dir", "upload-reports"',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
