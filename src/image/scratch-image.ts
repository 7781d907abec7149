import { copyFileSync, mkdirSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildImage, imageExists, imageLabel } from '../host/docker.js';
import { cacheDir } from '../util/paths.js';

export const KEY_LABEL = 'dev.kdrill.build-key';

export interface ImageSpec {
  /** Image references to tag (the first is the primary one). */
  tags: string[];
  /** Base: "scratch" or a local image reference (never pulled). */
  from: string;
  /** Files to copy: host path -> absolute path in the image. */
  files: Record<string, string>;
  entrypoint?: string[];
  cmd?: string[];
  /** Extra Dockerfile lines (ENV, STOPSIGNAL, ...). */
  extra?: string[];
  /** Cache key: when the primary tag already carries it, nothing is rebuilt. */
  key: string;
}

/** Builds a small image from local files only (FROM scratch or a local base), skipping it when the key matches. */
export async function ensureImage(spec: ImageSpec): Promise<string> {
  const primary = spec.tags[0]!;
  if ((await imageLabel(primary, KEY_LABEL)) === spec.key && (await Promise.all(spec.tags.map(imageExists))).every(Boolean)) {
    return primary;
  }
  const ctx = join(cacheDir(), 'contexts', primary.replace(/[^a-zA-Z0-9.-]+/g, '_'));
  rmSync(ctx, { recursive: true, force: true });
  mkdirSync(ctx, { recursive: true });
  const lines = [`FROM ${spec.from}`];
  let i = 0;
  for (const [src, dst] of Object.entries(spec.files)) {
    const name = `f${i++}-${basename(src)}`;
    copyFileSync(src, join(ctx, name));
    chmodSync(join(ctx, name), 0o755);
    lines.push(`COPY ${name} ${dst}`);
  }
  lines.push(...(spec.extra ?? []));
  if (spec.entrypoint) lines.push(`ENTRYPOINT ${JSON.stringify(spec.entrypoint)}`);
  if (spec.cmd) lines.push(`CMD ${JSON.stringify(spec.cmd)}`);
  writeFileSync(join(ctx, 'Dockerfile'), lines.join('\n') + '\n');
  await buildImage(ctx, spec.tags, { [KEY_LABEL]: spec.key });
  rmSync(ctx, { recursive: true, force: true });
  return primary;
}
