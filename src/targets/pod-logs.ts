import type { NodeAccess } from './node.js';

/**
 * Follows a static pod container's log files under /var/log/pods on a node
 * (CRI format: "<RFC3339Nano> <stream> <P|F> <line>"), across container
 * restarts and pod re-creations: it switches to the newest file as soon as one
 * appears. Lines older than `since` are dropped. The callback gets the line
 * and its own time (when the container wrote it).
 */
export function followPodLogs(node: NodeAccess, podDirGlob: string, since: number, onLine: (line: string, at: number) => void): () => void {
  const script =
    `cur=""; while :; do f=$(ls -1t ${podDirGlob}/*.log 2>/dev/null | head -n 1); ` +
    `if [ -n "$f" ] && [ "$f" != "$cur" ]; then [ -n "$t" ] && kill $t 2>/dev/null; cur=$f; tail -n +1 -F "$f" 2>/dev/null & t=$!; fi; sleep 1; done`;
  return node.follow(script, (l) => {
    const sp1 = l.indexOf(' ');
    const at = Date.parse(l.slice(0, sp1));
    if (!Number.isFinite(at) || at < since) return;
    const sp2 = l.indexOf(' ', sp1 + 1);
    const sp3 = l.indexOf(' ', sp2 + 1);
    onLine(l.slice(sp3 + 1), at);
  });
}
