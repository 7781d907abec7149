import { readRecord } from '../record/read.js';
import { formatRun } from '../report/text.js';
import { checkReportPaths, writeReports } from '../report/write.js';
import { exitCodeFor } from '../expect/verdict.js';
import { parseCommandArgs } from './args.js';

const USAGE = `usage: kdrill report RUN.jsonl... [--json FILE] [--junit FILE] [--html FILE]

Renders run records (the JSON Lines each \`kdrill run\` writes under
$KDRILL_STATE/runs/, a killed run's partial one included) as text on stdout and,
as asked, a JSON document (schema/run.v1.json), JUnit XML, and a self-contained
HTML timeline. Exit code as the drills': 0 all pass, 1 a failure, 2 invalid.`;

export async function run(argv: string[]): Promise<number> {
  const a = parseCommandArgs('report', argv, USAGE, { json: 'string', junit: 'string', html: 'string' });
  if (a.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const paths = checkReportPaths(a.values);
  if (!a.positionals.length) a.usageError('name one or more run records (RUN.jsonl)');
  const records = a.positionals.map(readRecord);
  for (const r of records) process.stdout.write(formatRun(r) + '\n');
  const code = exitCodeFor(records.map((r) => r.verdict ?? 'invalid'));
  for (const p of writeReports(paths, records, code)) process.stderr.write(`report: ${p}\n`);
  return code;
}
