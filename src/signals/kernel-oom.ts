import { nodesOf } from '../targets/target.js';
import type { Source } from './signal.js';

/** One OOM kill as the kernel logged it (pure parse of `dmesg --time-format iso` lines). */
export interface KernelOomKill {
  at: number;
  task: string;
  pid: number;
  /** the memory cgroup whose limit was hit (v1/v2 path relative to the hierarchy) */
  oomMemcg: string;
  /** the cgroup of the killed task */
  taskMemcg: string;
  oomScoreAdj?: number;
  anonRssKiB?: number;
}

/** The epoch ms of a `dmesg --time-format iso` line ("2026-11-30T23:55:18,483177+00:00 ..."). */
export function dmesgTime(line: string): number | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)[,.](\d{3})\d*([+-]\d\d:\d\d)\s/.exec(line);
  return m ? Date.parse(`${m[1]}.${m[2]}${m[3]}`) : undefined;
}

/**
 * Folds kernel log lines into OOM kills: the "oom-kill:" line names the
 * cgroup whose limit was hit and the task, the "Killed process" line that
 * follows adds its oom_score_adj and resident anon memory. Returns a feeder:
 * each line in, a kill out when one is complete.
 */
export function oomKillParser(): (line: string) => KernelOomKill | undefined {
  let pending: KernelOomKill | undefined;
  return (line) => {
    const at = dmesgTime(line);
    const head = /oom-kill:(\S+)/.exec(line);
    if (head && at !== undefined) {
      const f = Object.fromEntries(head[1]!.split(',').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
      pending = { at, task: f.task ?? '?', pid: Number(f.pid ?? 0), oomMemcg: f.oom_memcg ?? '', taskMemcg: f.task_memcg ?? '' };
      return undefined;
    }
    const killed = /Killed process (\d+) \(([^)]*)\).*?anon-rss:(\d+)kB.*?oom_score_adj:(-?\d+)/.exec(line);
    if (killed) {
      const pid = Number(killed[1]);
      const base = pending && pending.pid === pid ? pending : { at: at ?? Date.now(), task: killed[2]!, pid, oomMemcg: '', taskMemcg: '' };
      pending = undefined;
      return { ...base, anonRssKiB: Number(killed[3]), oomScoreAdj: Number(killed[4]) };
    }
    return undefined;
  };
}

/**
 * The kernel's OOM kills on nodes that are containers on this host, from the
 * kernel log (read through a node: the kernel is the host's, its log names
 * the cgroups): "kernel.oom_kill", subject the node whose container holds the
 * killed task, dated by the kernel; value 1 when the limit hit was the node's
 * own cap (the node ran out), 0 when it was a cgroup inside it (a container's
 * limit); text names the process the kernel killed — on cgroup v1 the
 * runtime can mark a neighbouring container OOMKilled wrongly, the kernel log
 * cannot. Every 5 s "kernel.oom_watch" per node says the log is being followed.
 */
export function kernelOomSource(): Source {
  return {
    key: 'kernel.oom',
    needs: ['node.host'],
    clock: { kind: 'event' },
    async start({ target, log }) {
      const nodes = [...nodesOf(target).values()].filter((n) => n.containerId);
      const via = nodes[0];
      if (!via) return { stop: async () => undefined };
      const since = Date.now() - 1000;
      const parse = oomKillParser();
      const stop = via.follow('exec dmesg -w --time-format iso', (line) => {
        const k = parse(line);
        if (!k || k.at < since) return;
        const node = nodes.find((n) => k.taskMemcg.includes(n.containerId!) || k.oomMemcg.includes(n.containerId!));
        if (!node) return; // not one of this cluster's nodes
        const nodeCap = k.oomMemcg.split('/').pop()!.includes(node.containerId!);
        log.emit({
          signal: 'kernel.oom_kill',
          subject: node.name,
          at: k.at,
          value: nodeCap ? 1 : 0,
          text: `the kernel killed ${k.task} (pid ${k.pid}, oom_score_adj ${k.oomScoreAdj ?? '?'}, anon ${((k.anonRssKiB ?? 0) / 1024).toFixed(0)} MiB): ${nodeCap ? "the node's own cap" : `a limit inside the node (${k.oomMemcg.split('/').slice(-1)[0]})`} was hit`,
        });
      });
      // "still watching": what lets holds(no such kill).throughout() tell "none happened" from "nobody looked"
      const timer = setInterval(() => nodes.forEach((n) => log.emit({ signal: 'kernel.oom_watch', subject: n.name, at: Date.now(), value: 0 })), 5000);
      return {
        stop: async () => {
          clearInterval(timer);
          stop();
        },
      };
    },
  };
}
