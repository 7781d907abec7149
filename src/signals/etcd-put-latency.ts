import { etcdOf } from '../targets/target.js';
import { sleep } from '../util/sleep.js';
import type { Source } from './signal.js';

/** Puts per second per member: enough to see latency, little enough not to be the load. */
const RATE = 10;

/**
 * One paced writer per member, each through a client bound to that member
 * (as a kube-apiserver talks to its local etcd). Emits "etcd.put_latency"
 * (ms, subject = the member the client talks to) for every put, failed ones
 * included (then text is the error).
 */
export function etcdPutLatencySource(): Source {
  return {
    key: 'etcd-put-latency',
    needs: ['etcd'],
    clock: { kind: 'poll', periodMs: 1000 / RATE },
    async start({ target, log, abort }) {
      let stopped = false;
      const loops = etcdOf(target).members.map(async (m) => {
        const client = etcdOf(target).memberClient(m.name);
        let i = 0;
        while (!stopped && !abort.aborted) {
          const t = Date.now();
          let err: string | undefined;
          try {
            await client.put(`/kdrill/latency/${m.name}`).value(String(i++));
          } catch (e) {
            err = (e as Error).message;
          }
          const at = Date.now();
          log.emit({ signal: 'etcd.put_latency', subject: m.name, at, value: at - t, text: err });
          await sleep(Math.max(0, 1000 / RATE - (at - t)), abort);
        }
        client.close();
      });
      return {
        async stop() {
          stopped = true;
          await Promise.all(loops);
        },
      };
    },
  };
}
