/**
 * Module resolve hooks (node:module register) for users' scenario files:
 * - a file that imports 'kdrill' from a directory where no kdrill is
 *   installed gets the kdrill that runs it (an installed one, in the file's
 *   own node_modules, is always preferred);
 * - a TypeScript file outside any package that says "type": "module" is still
 *   an ES module (scenario files use import/export; tsx would otherwise
 *   compile it to CommonJS, which cannot load kdrill's ES modules).
 * Registered after tsx, so these run first and tsx loads what they resolve.
 */
let dsl = '';

export function initialize(data: { dsl: string }): void {
  dsl = data.dsl;
}

interface Resolved {
  url: string;
  shortCircuit?: boolean;
  format?: string | null;
}

export async function resolve(specifier: string, context: unknown, next: (s: string, c: unknown) => Promise<Resolved>): Promise<Resolved> {
  let r: Resolved;
  try {
    r = await next(specifier, context);
  } catch (e) {
    if (specifier === 'kdrill' && (e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && dsl) return { url: dsl, shortCircuit: true, format: 'module' };
    throw e;
  }
  if (/\.ts$/.test(new URL(r.url).pathname) && !r.url.includes('/node_modules/') && r.format !== 'module' && !(await saysCommonJs(r.url))) return { ...r, format: 'module' };
  return r;
}

/** Whether the nearest package.json above the file says "type": "commonjs" (then the user asked for it). */
async function saysCommonJs(url: string): Promise<boolean> {
  const { readFile } = await import('node:fs/promises');
  let dir = new URL('.', url);
  for (;;) {
    try {
      const pkg = JSON.parse(await readFile(new URL('package.json', dir), 'utf8')) as { type?: string };
      return pkg.type === 'commonjs';
    } catch {
      const up = new URL('..', dir);
      if (up.href === dir.href) return false;
      dir = up;
    }
  }
}
