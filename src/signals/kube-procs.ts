import { nodesWithRole } from '../targets/target.js';
import type { Source } from './signal.js';

export const CONTROL_PLANE_COMMANDS = ['etcd', 'kube-apiserver', 'kube-scheduler', 'kube-controller-manager'] as const;

/**
 * Control-plane processes in every node, from the host's /proc every 500 ms
 * (procfs has no watch): "proc.running" for what was there at the start,
 * "proc.start" (at = the process's own start time) and "proc.exit" after.
 * Subject: "<node>/<command>". Needs no API server, so it sees the restarts
 * an API-based monitor misses while the control plane is down.
 */
export function nodeProcessSource(): Source {
  return {
    key: 'node-processes',
    needs: ['node.fs'],
    // a start carries the process's own start time; an exit is seen by the 500 ms scan
    clock: { kind: 'poll', periodMs: 500 },
    async start({ target, log, abort }) {
      const known = new Map<string, number>(); // subject -> startTicks
      let first = true;
      let lastState = 0;
      const exitedAt = new Map<string, number>();
      let stopped = false;
      const scan = async () => {
        const seen = new Set<string>();
        const stateDue = Date.now() - lastState >= 2000;
        if (stateDue) lastState = Date.now();
        for (const node of nodesWithRole(target, 'control-plane')) {
          for (const cmd of CONTROL_PLANE_COMMANDS) {
            const ps = await node.processes(cmd);
            const p = ps[ps.length - 1];
            const subject = `${node.name}/${cmd}`;
            if (!p) continue;
            seen.add(subject);
            const prev = known.get(subject);
            // a level needs its state in every window: re-state what runs every 2 s
            if (prev === p.startTicks) {
              if (stateDue) log.emit({ signal: 'proc.state', subject, at: Date.now(), value: 1, text: 'running' });
              continue;
            }
            known.set(subject, p.startTicks);
            if (first) {
              log.emit({ signal: 'proc.state', subject, at: Date.now(), value: 1, text: 'running' });
              continue;
            }
            const startedAt = p.startedAtMs;
            // restarted between two scans: the old one's exit comes first
            if (prev !== undefined) log.emit({ signal: 'proc.state', subject, at: startedAt - 1, value: 0, text: 'exit' });
            // a start is never placed before the exit we reported (we saw that exit late, by up to one scan)
            log.emit({ signal: 'proc.state', subject, at: Math.max(startedAt, (exitedAt.get(subject) ?? 0) + 1), value: 1, text: 'start' });
          }
        }
        for (const subject of [...known.keys()]) {
          if (!seen.has(subject)) {
            known.delete(subject);
            exitedAt.set(subject, Date.now());
            log.emit({ signal: 'proc.state', subject, at: Date.now(), value: 0, text: 'exit' });
          }
        }
        first = false;
      };
      await scan();
      const loop = (async () => {
        while (!stopped && !abort.aborted) {
          await new Promise((r) => setTimeout(r, 500));
          await scan().catch(() => undefined);
        }
      })();
      return {
        stop: async () => {
          stopped = true;
          await loop;
        },
      };
    },
  };
}
