import type { EtcdTarget, MemberSelector } from '../targets/etcd-target.js';
import { selectMember } from '../targets/etcd-target.js';
import { inspectContainer, killContainer } from '../util/container.js';
import { waitForDockerEvent } from '../signals/docker-events.js';
import type { Fault, Injection } from './fault.js';

/**
 * kill -9 of a member's container; the revert starts it again (same data dir,
 * so the member rejoins with its log). In effect when docker reports the die
 * event with exit code 137 and the container is not running.
 */
export function killMember(opts: { member: MemberSelector }): Fault<EtcdTarget> {
  return {
    name: 'killMember',
    describe: () => `kill -9 the ${opts.member}, restart it on revert`,
    async inject({ target, journal, log, abort }): Promise<Injection> {
      const member = await selectMember(target, opts.member);
      const since = Date.now();
      const { entry, appliedAt: injectedAt } = await journal.change({ type: 'docker-start', container: member.container }, () => killContainer(member.container, 'KILL'));
      log(`${member.name}: SIGKILL sent`);
      const died = await waitForDockerEvent([`container=${member.container}`, 'event=die'], () => true, { sinceMs: since, timeoutMs: 10_000, signal: abort });
      const state = await inspectContainer(member.container);
      const exitCode = died ? Number(died.attributes.exitCode) : undefined;
      const inEffect = Boolean(died) && exitCode === 137 && state.running === false;
      return {
        injectedAt,
        inEffect,
        verifiedAt: inEffect ? died!.at : undefined,
        evidence: died ? `${member.name} died with exit code ${exitCode}; running=${state.running}` : `${member.name}: no die event within 10s`,
        subjects: [member.name],
        measurements: { member: member.name, exitCode: exitCode ?? 'none' },
        async revert() {
          await journal.revert(entry); // idempotent: `docker start` only when not running
          const s = await inspectContainer(member.container);
          if (!s.running) throw new Error(`${member.container} is not running after the revert`);
        },
      };
    },
  };
}
