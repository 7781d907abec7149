/**
 * An error meant for a person: what went wrong, and what to do about it.
 * `exitCode` follows the CLI contract: 1 = a drill failed, 2 = invalid run or usage error.
 */
export class KdrillError extends Error {
  readonly hint?: string;
  readonly exitCode: number;
  constructor(message: string, opts: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'KdrillError';
    this.hint = opts.hint;
    this.exitCode = opts.exitCode ?? 2;
  }
}

/** One line for a person: what was wrong, then what to do ("... — hint: ..."). */
export function describeError(err: unknown): string {
  if (err instanceof KdrillError) return err.hint ? `${err.message} — hint: ${err.hint}` : err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
