import type { MemberSelector } from '../targets/etcd-target.js';
import { selectMember } from '../targets/etcd-target.js';
import { etcdOf } from '../targets/target.js';
import { containerOf } from './member-container.js';
import { inspectContainer } from '../util/container.js';
import { pauseDockerContainer } from '../changes/docker-pause.js';
import { waitForDockerEvent } from '../signals/docker-events.js';
import type { Fault, Injection } from './fault.js';

/**
 * Freezes a member (docker pause: cgroup freezer). Note: a paused process does
 * not show in the fsync histogram; it shows as a member that stops answering.
 */
export function pauseMember(opts: { member: MemberSelector }): Fault {
  return {
    name: 'pauseMember',
    needs: ['etcd', 'etcd.containers'],
    describe: () => `pause the ${opts.member} (cgroup freezer)`,
    async inject({ target, journal, log, abort }): Promise<Injection> {
      const member = await selectMember(etcdOf(target), opts.member);
      const container = containerOf(member);
      const since = Date.now();
      const { entry, appliedAt: injectedAt } = await pauseDockerContainer(journal, container.name);
      log(`${member.name}: paused`);
      const ev = await waitForDockerEvent([`container=${container.name}`, 'event=pause'], () => true, { sinceMs: since, timeoutMs: 10_000, signal: abort });
      const state = await inspectContainer(container.name);
      let answers = true;
      try {
        await member.metrics(1500);
      } catch {
        answers = false;
      }
      const inEffect = Boolean(ev) && state.paused === true && !answers;
      return {
        injectedAt,
        inEffect,
        verifiedAt: inEffect ? Date.now() : undefined,
        evidence: `${member.name}: pause event ${ev ? 'seen' : 'NOT seen'}, paused=${state.paused}, /metrics ${answers ? 'still answers' : 'does not answer'}`,
        subjects: [member.name],
        measurements: { member: member.name },
        revert: () => journal.revert(entry),
      };
    },
  };
}
