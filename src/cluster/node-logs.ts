import { execa, type ResultPromise } from 'execa';
import { createInterface } from 'node:readline';

/**
 * Streams lines a shell script prints inside a node container. The script
 * ends when we stop: docker exec -i keeps its stdin open for as long as our
 * client lives, and a `cat` waiting on that stdin sees EOF when it goes, then
 * stops the script and its children. (Output alone would not tell it: dockerd
 * keeps the output pipe open after the client is gone.)
 */
export function followNodeScript(container: string, script: string, onLine: (line: string) => void): () => void {
  const wrapped = `( ${script} ) & c=$!; cat >/dev/null; kill -STOP $c 2>/dev/null; pkill -P $c 2>/dev/null; kill -9 $c 2>/dev/null; true`;
  let proc: ResultPromise | undefined = execa('docker', ['exec', '-i', container, 'sh', '-c', wrapped], { reject: false, buffer: false, stdin: 'pipe' });
  createInterface({ input: proc.stdout! }).on('line', onLine);
  return () => {
    proc?.stdin?.end();
    proc?.kill();
    proc = undefined;
  };
}

/**
 * Follows a static pod container's log files under /var/log/pods (CRI format:
 * "<RFC3339Nano> <stream> <P|F> <line>"), across container restarts and pod
 * re-creations: it switches to the newest file as soon as one appears.
 * Lines older than `since` are dropped. The callback gets the line and its time.
 */
export function followPodLogs(container: string, podDirGlob: string, since: number, onLine: (line: string, at: number) => void): () => void {
  const script =
    `cur=""; while :; do f=$(ls -1t ${podDirGlob}/*.log 2>/dev/null | head -n 1); ` +
    `if [ -n "$f" ] && [ "$f" != "$cur" ]; then [ -n "$t" ] && kill $t 2>/dev/null; cur=$f; tail -n +1 -F "$f" 2>/dev/null & t=$!; fi; sleep 1; done`;
  return followNodeScript(container, script, (l) => {
    const sp1 = l.indexOf(' ');
    const at = Date.parse(l.slice(0, sp1));
    if (!Number.isFinite(at) || at < since) return;
    const sp2 = l.indexOf(' ', sp1 + 1);
    const sp3 = l.indexOf(' ', sp2 + 1);
    onLine(l.slice(sp3 + 1), at);
  });
}
