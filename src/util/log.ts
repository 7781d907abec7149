/**
 * Progress output: live on a TTY, plain timestamped lines in CI or when piped.
 * Everything goes to stderr so that stdout stays for results (a kubeconfig
 * path, an image reference, JSON).
 */
const isTTY = Boolean(process.stderr.isTTY) && !process.env.CI;
const t0 = Date.now();
let quiet = false;

export function setQuiet(q: boolean): void {
  quiet = q;
}

function stamp(): string {
  return `+${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s`;
}

export const log = {
  info(msg: string): void {
    if (!quiet) process.stderr.write(`${stamp()} ${msg}\n`);
  },
  warn(msg: string): void {
    process.stderr.write(`${stamp()} WARN ${msg}\n`);
  },
  /** A step that may take a while: on a TTY it is one line that updates; in CI a line at start and end. */
  async step<T>(title: string, fn: () => Promise<T>): Promise<T> {
    const start = Date.now();
    if (!quiet) process.stderr.write(isTTY ? `${stamp()} … ${title}` : `${stamp()} ${title} ...\n`);
    try {
      const v = await fn();
      const took = ((Date.now() - start) / 1000).toFixed(1);
      if (!quiet) process.stderr.write(isTTY ? `\r${stamp()} ✓ ${title} (${took}s)\n` : `${stamp()} ${title}: done (${took}s)\n`);
      return v;
    } catch (e) {
      if (!quiet) process.stderr.write(isTTY ? `\r${stamp()} ✗ ${title}\n` : `${stamp()} ${title}: FAILED\n`);
      throw e;
    }
  },
};
