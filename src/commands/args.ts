import { parseArgs } from 'node:util';
import { KdrillError } from '../util/errors.js';

export interface CommandArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  help: boolean;
  /** Throws the one-line usage error for this command. */
  usageError(msg: string): never;
}

/**
 * One way every command reads its arguments: strict (an unknown option, a
 * missing value or a stray value is one line naming it, with the usage line as
 * hint), `-h/--help` everywhere, `--opt=value` and `--opt value` alike.
 */
export function parseCommandArgs(command: string, argv: string[], usage: string, options: Record<string, 'string' | 'boolean'>, opts: { positionals?: boolean } = {}): CommandArgs {
  const firstLine = usage.split('\n')[0]!.replace(/^usage:\s*/, '');
  const usageError = (msg: string): never => {
    throw new KdrillError(`${command}: ${msg}`, { hint: `usage: ${firstLine} (kdrill ${command} --help)` });
  };
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: opts.positionals ?? true,
      strict: true,
      options: {
        ...Object.fromEntries(Object.entries(options).map(([k, t]) => [k, k === 'output' ? { type: t, short: 'o' } : { type: t }])),
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    // node's messages: "Unknown option '--x'. ...", "Option '--json <value>' argument missing", ...
    const m = (e as Error).message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, '').replace(/\.$/, '');
    return usageError(m.charAt(0).toLowerCase() + m.slice(1));
  }
  for (const [k, t] of Object.entries(options)) {
    const v = (parsed.values as Record<string, unknown>)[k];
    if (t === 'string' && typeof v === 'string' && v.trim() === '') usageError(`--${k} needs a value`);
  }
  return { values: parsed.values as CommandArgs['values'], positionals: parsed.positionals, help: parsed.values.help === true, usageError };
}
