import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { KdrillError } from './errors.js';

/**
 * Checks, before anything runs, that a report can be written to `path`: a
 * drill of half an hour must not end in "ENOENT" instead of its verdict.
 * Returns the absolute path.
 */
export function checkOutputPath(flag: string, path: string | undefined): string {
  if (path === undefined || path.trim() === '') throw new KdrillError(`${flag}: needs a file name`, { hint: `e.g. ${flag} report.out` });
  const abs = resolve(path);
  let st;
  try {
    st = statSync(abs);
  } catch {
    st = undefined;
  }
  if (st?.isDirectory()) throw new KdrillError(`${flag} ${path}: is a directory`, { hint: 'name a file in it' });
  const dir = dirname(abs);
  try {
    if (!statSync(dir).isDirectory()) throw new Error();
  } catch {
    throw new KdrillError(`${flag} ${path}: directory ${dir} does not exist`, { hint: `create it first (mkdir -p ${dir})` });
  }
  try {
    accessSync(st ? abs : dir, constants.W_OK);
  } catch {
    throw new KdrillError(`${flag} ${path}: not writable by this user`, { hint: 'pick a path you can write to' });
  }
  return abs;
}
