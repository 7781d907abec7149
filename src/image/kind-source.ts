import { execa } from '../util/exec.js';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../util/paths.js';
import { KdrillError } from '../util/errors.js';
import { KIND_VERSION } from './versions.js';

/** The kind module's source (from the Go module proxy): base image files, haproxy config. */
export async function kindModuleDir(): Promise<string> {
  try {
    const r = await execa('go', ['mod', 'download', '-json', `sigs.k8s.io/kind@${KIND_VERSION}`], {
      env: { GOFLAGS: '-mod=mod' },
      cwd: cacheDir(),
    });
    return (JSON.parse(r.stdout) as { Dir: string }).Dir;
  } catch (e: unknown) {
    throw new KdrillError(`cannot fetch sigs.k8s.io/kind@${KIND_VERSION} from the Go module proxy: ${(e as Error).message}`, {
      hint: 'check GOPROXY and network access to the Go module proxy',
    });
  }
}

/** The kind binary: `kdrill` drives this exact version (KDRILL_KIND overrides the path). */
export async function ensureKind(): Promise<string> {
  if (process.env.KDRILL_KIND) return process.env.KDRILL_KIND;
  const dir = join(cacheDir(), 'bin', `kind-${KIND_VERSION}`);
  const bin = join(dir, 'kind');
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  try {
    await execa('go', ['install', `sigs.k8s.io/kind@${KIND_VERSION}`], {
      env: { GOBIN: dir, CGO_ENABLED: '0', GOFLAGS: '-trimpath', GOTOOLCHAIN: process.env.GOTOOLCHAIN || 'local' },
      cwd: cacheDir(),
    });
  } catch (e: unknown) {
    throw new KdrillError(`go install sigs.k8s.io/kind@${KIND_VERSION} failed: ${(e as { stderr?: string }).stderr ?? e}`, {
      hint: 'install Go and make the Go module proxy reachable, or set KDRILL_KIND to a kind v0.30.0 binary',
    });
  }
  return bin;
}
