import { execa } from '../util/exec.js';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, packageRoot } from '../util/paths.js';
import { KdrillError } from '../util/errors.js';

export interface GoBuildSpec {
  /** Cache entry name, e.g. "kubernetes-v1.34.4". */
  name: string;
  /** Consumer module directory, relative to the package root (e.g. "images/kubernetes"). */
  module: string;
  /** Main packages to build; binary names are their last path element unless `outputs` says otherwise. */
  packages: string[];
  /** Output binary names, in the order of `packages` (default: last path element). */
  outputs?: string[];
  ldflags?: string;
  tags?: string[];
  cgo?: boolean;
}

const GO_HINT = 'scripts/setup-host.sh installs Go 1.26.8 from the Go module proxy (scripts/install-go.sh); Debian bookworm\'s golang-go (1.19) is too old';

/** The Go on PATH ("go1.26.8"), if it can build kind, Kubernetes v1.34, etcd 3.6 and CoreDNS (Go >= 1.25: actionlint, which the tests build, needs it). */
async function goVersion(): Promise<string> {
  let v: string;
  try {
    v = (await execa('go', ['version'])).stdout.trim().split(/\s+/)[2] ?? '';
  } catch {
    throw new KdrillError('the go command is not installed: kdrill builds kind, Kubernetes, etcd and CoreDNS from the Go module proxy', { hint: GO_HINT });
  }
  const m = /^go(\d+)\.(\d+)/.exec(v);
  if (!m || Number(m[1]) < 1 || (Number(m[1]) === 1 && Number(m[2]) < 25)) {
    throw new KdrillError(`go on PATH is ${v || 'unknown'}: kdrill's Go builds need Go >= 1.25 (Kubernetes v1.34 and kind v0.30: 1.24; actionlint: 1.25)`, { hint: GO_HINT });
  }
  return v;
}

function sha(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/**
 * Builds main packages of a consumer module into the cache, keyed by the
 * module's go.mod/go.sum, the Go version and the flags: a second call with the
 * same key returns at once. Binaries are static (CGO off) unless `cgo`.
 */
export async function goBuild(spec: GoBuildSpec): Promise<Record<string, string>> {
  const root = packageRoot();
  const modDir = join(root, spec.module);
  const outputs = spec.outputs ?? spec.packages.map((p) => p.split('/').pop()!.replace(/\/v\d+$/, ''));
  const gover = await goVersion();
  const key = sha(
    JSON.stringify({
      gomod: readFileSync(join(modDir, 'go.mod'), 'utf8'),
      gosum: existsSync(join(modDir, 'go.sum')) ? readFileSync(join(modDir, 'go.sum'), 'utf8') : '',
      // the module's own sources (kdrill's Go programs; the consumer modules only have tools.go)
      sources: readdirSync(modDir)
        .filter((f) => f.endsWith('.go'))
        .sort()
        .map((f) => sha(readFileSync(join(modDir, f), 'utf8'))),
      gover,
      spec,
    }),
  ).slice(0, 16);
  const outDir = join(cacheDir(), 'bin', spec.name);
  const stampFile = join(outDir, '.stamp');
  const result = Object.fromEntries(outputs.map((o) => [o, join(outDir, o)]));
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === key && outputs.every((o) => existsSync(join(outDir, o)))) {
    return result;
  }
  const tmp = `${outDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const env = { CGO_ENABLED: spec.cgo ? '1' : '0', GOFLAGS: '-mod=mod', GOTOOLCHAIN: process.env.GOTOOLCHAIN || 'local' };
  const common = ['-trimpath'];
  if (spec.ldflags) common.push('-ldflags', spec.ldflags);
  if (spec.tags?.length) common.push('-tags', spec.tags.join(','));
  try {
    // Build each binary with an explicit output name; the Go build cache shares the common packages.
    for (let i = 0; i < spec.packages.length; i++) {
      await execa('go', ['build', ...common, '-o', join(tmp, outputs[i]!), spec.packages[i]!], { cwd: modDir, env });
    }
  } catch (e: unknown) {
    const err = e as { stderr?: string };
    rmSync(tmp, { recursive: true, force: true });
    throw new KdrillError(`go build of ${spec.name} failed:\n${(err.stderr ?? String(e)).split('\n').slice(-25).join('\n')}`, {
      hint: 'the Go module proxy must be reachable (GOPROXY); see images/README.md',
    });
  }
  writeFileSync(join(tmp, '.stamp'), key);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, '..'), { recursive: true });
  renameSync(tmp, outDir);
  return result;
}
