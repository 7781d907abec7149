import { homedir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync, mkdirSync } from 'node:fs';

/**
 * The one stable directory where kdrill keeps what it builds (Go binaries,
 * rootfs tarballs, image build contexts) and its run state (journals,
 * kubeconfigs). Override with KDRILL_CACHE. Created on first use: it is the
 * working directory of the Go builds, and a fresh machine has none.
 */
export function cacheDir(): string {
  const dir = cachePath();
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Where the cache is, without creating it (for messages: `--help` must not create anything). */
export function cachePath(): string {
  return process.env.KDRILL_CACHE ? resolve(process.env.KDRILL_CACHE) : join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'kdrill');
}

/** Where journals, kubeconfigs and other run state live (not build outputs). */
export function stateDir(): string {
  if (process.env.KDRILL_STATE) return resolve(process.env.KDRILL_STATE);
  return join(cachePath(), 'state');
}

/** The package root (where package.json, images/, kind-configs/ live), from src/ or dist/src/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'images'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('kdrill: cannot find the package root (package.json next to images/)');
}
