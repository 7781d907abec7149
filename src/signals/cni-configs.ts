import { nodesOf } from '../targets/target.js';
import type { Source } from './signal.js';

export const CNI_DIR = '/etc/cni/net.d';

/**
 * The CNI configs on every node, looked at every second from the node
 * itself: "cni.configs" (subject: the node; value: how many *.conf,
 * *.conflist, *.json there are; text: their names in the lexical order
 * containerd reads them, the first being the one it loads), on every change
 * and every 5 s.
 */
export function cniConfigSource(): Source {
  return {
    key: 'node.cni-configs',
    needs: ['node.fs'],
    clock: { kind: 'poll', periodMs: 1000 },
    async start({ target, log }) {
      const script = `while :; do echo "$(ls -1 ${CNI_DIR} 2>/dev/null | grep -E '\\.(conf|conflist|json)$' | LC_ALL=C sort | tr '\\n' ' ')"; sleep 1; done`;
      const stops = [...nodesOf(target).values()].map((node) => {
        let last = '';
        let lastAt = 0;
        return node.follow(script, (line) => {
          const names = line.trim();
          if (names === last && Date.now() - lastAt < 5000) return;
          last = names;
          lastAt = Date.now();
          const list = names ? names.split(/\s+/) : [];
          log.emit({ signal: 'cni.configs', subject: node.name, at: Date.now(), value: list.length, text: list.join(' ') || '(none)' });
        });
      });
      return { stop: async () => stops.forEach((s) => s()) };
    },
  };
}
