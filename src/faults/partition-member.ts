import type { MemberSelector } from '../targets/etcd-target.js';
import { selectMember } from '../targets/etcd-target.js';
import { etcdOf } from '../targets/target.js';
import { containerOf } from './member-container.js';
import { containerIp, inspectContainer, tcpReachableFrom } from '../util/container.js';
import { disconnectContainer } from '../changes/docker-disconnect.js';
import { waitForDockerEvent } from '../signals/docker-events.js';
import type { Fault, Injection } from './fault.js';

const PEER_PORT = 2380;

/**
 * Cuts one member off its peers: `docker network disconnect` from the peer
 * network. In effect when docker reports the disconnect AND, from inside every
 * other member's network namespace, a new connection to the member's peer
 * address fails (while it succeeded just before). Established connections
 * just go silent, as in a real partition: etcd's own gauges notice late.
 */
export function partitionMember(opts: { member: MemberSelector }): Fault {
  return {
    name: 'partitionMember',
    needs: ['etcd', 'etcd.containers'],
    describe: () => `partition the ${opts.member} from its peers (docker network disconnect)`,
    async inject({ target, journal, log, abort }): Promise<Injection> {
      const member = await selectMember(etcdOf(target), opts.member);
      const container = containerOf(member);
      const net = container.peerNetwork;
      const others = etcdOf(target).members.filter((m) => m !== member);
      const ip = await containerIp(container.name, net.name);
      if (!ip) throw new Error(`${container.name} is not on network ${net.name}`);
      const reachable = async (): Promise<boolean[]> => Promise.all(others.map((o) => tcpReachableFrom(containerOf(o).name, ip, PEER_PORT)));
      const before = await reachable();
      const since = Date.now();
      const { entry, appliedAt: injectedAt } = await disconnectContainer(journal, { container: container.name, network: net.name, aliases: net.aliases });
      log(`${member.name}: disconnected from ${net.name}`);
      const ev = await waitForDockerEvent([`type=network`, `network=${net.name}`, 'event=disconnect'], () => true, {
        sinceMs: since,
        timeoutMs: 10_000,
        signal: abort,
      });
      const state = await inspectContainer(container.name);
      const after = await reachable();
      const disconnected = Boolean(ev) && state.exists === true && !state.networks?.includes(net.name);
      const cutOff = before.every(Boolean) && after.every((r) => !r);
      const inEffect = disconnected && cutOff;
      const view = others.map((o, i) => `${o.name} ${before[i] ? 'reached' : 'could NOT reach'} → ${after[i] ? 'STILL reaches' : 'cannot reach'}`).join(', ');
      return {
        injectedAt,
        inEffect,
        verifiedAt: inEffect ? Date.now() : undefined,
        evidence: `${member.name} ${disconnected ? 'disconnected' : 'NOT disconnected'} from ${net.name}; new connections to ${ip}:${PEER_PORT}: ${view}`,
        subjects: [member.name],
        measurements: { member: member.name, network: net.name },
        revert: () => journal.revert(entry),
      };
    },
  };
}
