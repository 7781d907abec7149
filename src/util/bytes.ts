/**
 * Sizes as Kubernetes writes them: '1536Mi', '2Gi', '512Ki', '1G', '300M', or
 * a number of bytes. Rates add '/s': '20Mi/s'.
 */
export type Size = string | number;

const UNIT: Record<string, number> = { '': 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };

export function parseSize(v: Size, field = 'size'): number {
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) throw new TypeError(`${field}: expected a non-negative number of bytes, got ${v}`);
    return v;
  }
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|K|M|G|T)?$/.exec(String(v).trim());
  if (!m) throw new TypeError(`${field}: cannot read "${v}" as a size (examples: 512Mi, 1536Mi, 2Gi)`);
  return Math.round(parseFloat(m[1]!) * UNIT[m[2] ?? '']!);
}

/** '20Mi/s' -> bytes per second. */
export function parseRate(v: Size, field = 'rate'): number {
  if (typeof v === 'number') return parseSize(v, field);
  const s = String(v).trim();
  if (!s.endsWith('/s')) throw new TypeError(`${field}: cannot read "${v}" as a rate (example: 20Mi/s)`);
  return parseSize(s.slice(0, -2), field);
}

export function formatMiB(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}
