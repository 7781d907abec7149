import * as k8s from '@kubernetes/client-node';
import { PassThrough, Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import type { ExecResult } from './node.js';

/** Where a command runs: a container of a pod, through the API server's exec subresource. */
export interface PodExecTarget {
  kc: k8s.KubeConfig;
  namespace: string;
  pod: string;
  container: string;
}

/** The websocket sub-protocol that can close stdin alone (Kubernetes ≥ 1.30): without it, EOF on stdin ends the whole exec. */
const CLOSES_STDIN = 'v5.channel.k8s.io';

/** The exit code in an exec's final status: 0 on Success, the ExitCode cause otherwise (-1 when none is given). */
export function execExitCode(status: k8s.V1Status | undefined): number {
  if (!status) return -1;
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const n = Number(cause?.message);
  return Number.isInteger(n) ? n : -1;
}

function collector(chunks: Buffer[]): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
}

/**
 * Runs argv in the pod's container and waits for it: stdout, stderr, exit
 * code. Never rejects: an API that cannot be reached is exit code -1 with the
 * reason in stderr (as `docker exec` on a stopped container is a non-zero exit).
 */
export async function podExec(t: PodExecTarget, argv: string[], opts: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<ExecResult> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let status: k8s.V1Status | undefined;
  const stdin = opts.input === undefined ? null : Readable.from([Buffer.isBuffer(opts.input) ? opts.input : Buffer.from(opts.input)]);
  let ws: Awaited<ReturnType<k8s.Exec['exec']>>;
  try {
    ws = await new k8s.Exec(t.kc).exec(t.namespace, t.pod, t.container, argv, collector(out), collector(err), stdin, false, (s) => (status = s));
  } catch (e) {
    return { exitCode: -1, stdout: '', stderr: `exec in ${t.namespace}/${t.pod}: ${(e as Error).message.split('\n')[0]}` };
  }
  if (stdin && ws.protocol !== CLOSES_STDIN) {
    ws.close();
    return { exitCode: -1, stdout: '', stderr: `exec in ${t.namespace}/${t.pod}: the API server speaks ${ws.protocol || 'an old exec protocol'}, which cannot close stdin alone (Kubernetes ≥ 1.30 needed)` };
  }
  const timedOut = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => {
      ws.close();
      resolve(true);
    }, opts.timeoutMs ?? 120_000);
    ws.on('close', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
  const stderr = Buffer.concat(err).toString('utf8');
  return {
    exitCode: timedOut ? -1 : execExitCode(status),
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: timedOut ? `${stderr}timed out after ${(opts.timeoutMs ?? 120_000) / 1000}s` : status && status.status !== 'Success' && !stderr ? `${status.message ?? ''}` : stderr,
  };
}

/**
 * Streams the lines argv prints until the returned function is called, which
 * closes its stdin (a `cat` waiting on it in the wrapper ends the script),
 * then the connection.
 */
export function podFollow(t: PodExecTarget, argv: string[], onLine: (line: string) => void): () => void {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  createInterface({ input: stdout }).on('line', onLine);
  let ws: { close(): void } | undefined;
  let stopped = false;
  new k8s.Exec(t.kc)
    .exec(t.namespace, t.pod, t.container, argv, stdout, null, stdin, false)
    .then((w) => {
      ws = w;
      if (stopped) w.close();
    })
    .catch(() => stdout.end());
  return () => {
    if (stopped) return;
    stopped = true;
    stdin.end();
    // the script sees EOF and ends; the connection goes a moment later (or at once if the server cannot close stdin)
    setTimeout(() => ws?.close(), 2000).unref();
  };
}
