import { execa, type ResultPromise } from 'execa';
import { createInterface } from 'node:readline';
import { waitForDockerEvent } from '../signals/docker-events.js';

/**
 * Follows a container's log lines (stdout and stderr) from `since`, and keeps
 * following across restarts: when `docker logs --follow` ends because the
 * container died, it waits for the container's next start event and resumes.
 */
export function followContainerLogs(container: string, since: number, onLine: (line: string) => void): () => void {
  let stopped = false;
  let proc: ResultPromise | undefined;
  const abort = new AbortController();
  let lastAt = since;
  void (async () => {
    while (!stopped) {
      const from = lastAt;
      proc = execa('docker', ['logs', '--follow', '--timestamps', '--since', (from / 1000).toFixed(3), container], { reject: false, buffer: false });
      for (const stream of [proc.stdout!, proc.stderr!]) {
        createInterface({ input: stream }).on('line', (l) => {
          // "2026-11-21T22:30:01.123456789Z <line>"
          const sp = l.indexOf(' ');
          const ts = Date.parse(l.slice(0, sp));
          if (Number.isFinite(ts)) lastAt = Math.max(lastAt, ts + 1);
          onLine(sp > 0 ? l.slice(sp + 1) : l);
        });
      }
      const r = await proc;
      if (stopped) return;
      if (/no such container/i.test(String(r.stderr))) return;
      const started = await waitForDockerEvent([`container=${container}`, 'event=start'], () => true, {
        sinceMs: lastAt,
        timeoutMs: 3_600_000,
        signal: abort.signal,
      });
      if (!started) return;
    }
  })();
  return () => {
    stopped = true;
    abort.abort();
    proc?.kill();
  };
}
