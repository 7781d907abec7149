import { etcdOf } from '../targets/target.js';
import type { Source } from './signal.js';

/**
 * An etcd watch on a key prefix: every put/delete becomes an "etcd.watch"
 * observation (subject = key, value = mod revision, text = event type), and
 * the watch's own disconnects/reconnects become "etcd.watch_state".
 */
export function etcdWatchSource(prefix: string): Source {
  return {
    key: `etcd-watch:${prefix}`,
    needs: ['etcd'],
    clock: { kind: 'event' },
    async start({ target, log }) {
      const client = etcdOf(target).client();
      const w = await client.watch().prefix(prefix).create();
      w.on('put', (kv) => log.emit({ signal: 'etcd.watch', subject: kv.key.toString(), at: Date.now(), value: Number(kv.mod_revision), text: 'put' }));
      w.on('delete', (kv) => log.emit({ signal: 'etcd.watch', subject: kv.key.toString(), at: Date.now(), value: Number(kv.mod_revision), text: 'delete' }));
      w.on('disconnected', () => log.emit({ signal: 'etcd.watch_state', subject: prefix, at: Date.now(), value: 0, text: 'disconnected' }));
      w.on('connected', () => log.emit({ signal: 'etcd.watch_state', subject: prefix, at: Date.now(), value: 1, text: 'connected' }));
      return {
        async stop() {
          await w.cancel().catch(() => undefined);
          client.close();
        },
      };
    },
  };
}
