import { execa } from 'execa';
import { createInterface } from 'node:readline';
import type { Source } from './signal.js';
import type { Target } from '../targets/target.js';

export interface DockerEvent {
  /** Epoch ms, from the daemon's own timestamp. */
  at: number;
  type: string;
  action: string;
  /** Container name (or network name for network events). */
  actor: string;
  attributes: Record<string, string>;
}

interface RawEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes?: Record<string, string> };
  timeNano: number;
}

/**
 * Streams `docker events` matching `filters` (docker's own --filter syntax).
 * `sinceMs` replays from an instant, so a watch started just after an action
 * still sees it: no race between acting and subscribing.
 */
export function watchDockerEvents(
  filters: string[],
  onEvent: (e: DockerEvent) => void,
  opts: { sinceMs?: number } = {},
): { stop(): void; done: Promise<void> } {
  const args = ['events', '--format', '{{json .}}'];
  for (const f of filters) args.push('--filter', f);
  if (opts.sinceMs !== undefined) args.push('--since', (opts.sinceMs / 1000).toFixed(3));
  const proc = execa('docker', args, { reject: false, buffer: false });
  const rl = createInterface({ input: proc.stdout! });
  rl.on('line', (line) => {
    try {
      const r = JSON.parse(line) as RawEvent;
      const attributes = r.Actor.Attributes ?? {};
      onEvent({ at: Math.floor(r.timeNano / 1e6), type: r.Type, action: r.Action, actor: attributes.name ?? r.Actor.ID, attributes });
    } catch {
      /* not an event line */
    }
  });
  return {
    stop: () => {
      proc.kill();
    },
    done: proc.then(() => undefined),
  };
}

/** Waits (with a deadline) for the first event since `sinceMs` that satisfies `pred`. */
export async function waitForDockerEvent(
  filters: string[],
  pred: (e: DockerEvent) => boolean,
  opts: { sinceMs: number; timeoutMs: number; signal?: AbortSignal },
): Promise<DockerEvent | undefined> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (e: DockerEvent | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      w.stop();
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(e);
    };
    const onAbort = (): void => finish(undefined);
    const w = watchDockerEvents(filters, (e) => pred(e) && finish(e), { sinceMs: opts.sinceMs });
    const timer = setTimeout(() => finish(undefined), opts.timeoutMs);
    opts.signal?.addEventListener('abort', onAbort);
  });
}

/** A signal source: every docker event of the given containers becomes an observation "docker.event" (text = action). */
export function dockerEventsSource(containersOf: (target: Target) => string[], key = 'docker-events'): Source {
  return {
    key,
    needs: ['etcd.containers'],
    clock: { kind: 'event' },
    async start({ log, target }) {
      const names = containersOf(target);
      const w = watchDockerEvents(
        ['type=container', ...names.map((n) => `container=${n}`)],
        (e) => log.emit({ signal: 'docker.event', subject: e.actor, at: e.at, text: e.action, value: e.attributes.exitCode ? Number(e.attributes.exitCode) : undefined }),
        { sinceMs: Date.now() },
      );
      return { stop: async () => w.stop() };
    },
  };
}
