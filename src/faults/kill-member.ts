import type { MemberSelector } from '../targets/etcd-target.js';
import { selectMember } from '../targets/etcd-target.js';
import { etcdOf } from '../targets/target.js';
import { containerOf } from './member-container.js';
import { inspectContainer } from '../util/container.js';
import { killDockerContainer } from '../changes/docker-kill.js';
import { waitForDockerEvent } from '../signals/docker-events.js';
import type { Fault, Injection } from './fault.js';

/**
 * kill -9 of a member's container; the revert starts it again (same data dir,
 * so the member rejoins with its log). In effect when docker reports the die
 * event with exit code 137 and the container is not running.
 */
export function killMember(opts: { member: MemberSelector }): Fault {
  return {
    name: 'killMember',
    needs: ['etcd', 'etcd.containers'],
    describe: () => `kill -9 the ${opts.member}, restart it on revert`,
    async inject({ target, journal, log, abort }): Promise<Injection> {
      const member = await selectMember(etcdOf(target), opts.member);
      const container = containerOf(member);
      const since = Date.now();
      const { entry, appliedAt: injectedAt } = await killDockerContainer(journal, container.name);
      log(`${member.name}: SIGKILL sent`);
      const died = await waitForDockerEvent([`container=${container.name}`, 'event=die'], () => true, { sinceMs: since, timeoutMs: 10_000, signal: abort });
      const state = await inspectContainer(container.name);
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
          const s = await inspectContainer(container.name);
          if (!s.running) throw new Error(`${container.name} is not running after the revert`);
        },
      };
    },
  };
}
