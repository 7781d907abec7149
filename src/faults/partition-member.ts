import type { EtcdTarget, MemberSelector } from '../targets/etcd-target.js';
import { sleep } from '../util/sleep.js';
import { memberRole, selectMember } from '../targets/etcd-target.js';
import { disconnectNetwork, inspectContainer } from '../util/container.js';
import { waitForDockerEvent } from '../signals/docker-events.js';
import { findSample, parsePrometheusText } from '../signals/prometheus-text.js';
import type { Fault, Injection } from './fault.js';

/** How long the other members may take to see the partitioned one as gone. */
const PEER_VERIFY_MS = 20_000;

/**
 * Cuts one member off its peers: `docker network disconnect` from the peer
 * network. In effect when docker reports the disconnect AND every other member's
 * etcd_network_active_peers for it drops to 0 (the peers' own view).
 */
export function partitionMember(opts: { member: MemberSelector }): Fault<EtcdTarget> {
  return {
    name: 'partitionMember',
    describe: () => `partition the ${opts.member} from its peers (docker network disconnect)`,
    async inject({ target, journal, log, abort }): Promise<Injection> {
      const member = await selectMember(target, opts.member);
      const { id } = await memberRole(member);
      const net = member.peerNetwork;
      const since = Date.now();
      const { entry } = await journal.change(
        { type: 'docker-network-connect', container: member.container, network: net.name, aliases: net.aliases },
        () => disconnectNetwork(member.container, net.name),
      );
      const injectedAt = Date.now();
      log(`${member.name}: disconnected from ${net.name}`);
      const ev = await waitForDockerEvent([`type=network`, `network=${net.name}`, 'event=disconnect'], () => true, {
        sinceMs: since,
        timeoutMs: 10_000,
        signal: abort,
      });
      const state = await inspectContainer(member.container);
      const others = target.members.filter((m) => m !== member);
      let peersSeeIt = false;
      const verifyDeadline = Date.now() + PEER_VERIFY_MS;
      while (!abort.aborted && Date.now() < verifyDeadline && !peersSeeIt) {
        const views = await Promise.all(
          others.map(async (o) => {
            try {
              const s = parsePrometheusText(await o.metrics());
              return (findSample(s, 'etcd_network_active_peers', { Remote: id })?.value ?? 0) === 0;
            } catch {
              return false;
            }
          }),
        );
        peersSeeIt = views.every(Boolean);
        if (!peersSeeIt) await sleep(500, abort); // /metrics is polling by nature
      }
      const disconnected = Boolean(ev) && state.exists === true && !state.networks?.includes(net.name);
      const inEffect = disconnected && peersSeeIt;
      return {
        injectedAt,
        inEffect,
        verifiedAt: inEffect ? Date.now() : undefined,
        evidence: `${member.name} (${id}) ${disconnected ? 'disconnected' : 'NOT disconnected'} from ${net.name}; ` +
          `peers ${others.map((o) => o.name).join(', ')} ${peersSeeIt ? 'see it inactive' : 'still see it active'}`,
        subjects: [member.name],
        measurements: { member: member.name, network: net.name },
        revert: () => journal.revert(entry),
      };
    },
  };
}
