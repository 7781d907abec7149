/**
 * The containers tier's drill for the SIGKILL harness: a real run (the
 * runner, its journal and record, in KDRILL_STATE) of one fault on the shared
 * etcd members, which outlive the kill: what `kdrill clean` must put back.
 * argv[2]: JSON { drill: 'throttle' | 'partition' | 'pause' | 'kill', containers: string[] }.
 */
import { attachEtcdContainers } from '../../src/targets/etcd-containers.js';
import { existing } from '../../src/targets/target.js';
import { defineScenario } from '../../src/scenario.js';
import { runScenario } from '../../src/runner.js';
import { detected } from '../../src/expect/detected.js';
import { recovers } from '../../src/expect/recovers.js';
import { holds } from '../../src/expect/holds.js';
import { throttleDisk } from '../../src/faults/throttle-disk.js';
import { partitionMember } from '../../src/faults/partition-member.js';
import { pauseMember } from '../../src/faults/pause-member.js';
import { killMember } from '../../src/faults/kill-member.js';
import { memberDown, memberUnhealthy, walFsyncP99 } from '../../src/signals/etcd-conditions.js';
import { writeIntegrity } from '../../src/probes/write-integrity.js';

const { drill, containers } = JSON.parse(process.argv[2]!) as { drill: string; containers: string[] };
const target = await attachEtcdContainers(containers);
const faults = {
  throttle: { fault: throttleDisk({ member: 'follower', fsync: '200ms' }), expect: [detected(walFsyncP99({ above: '50ms', on: 'faulty' })).within('30s')] },
  partition: { fault: partitionMember({ member: 'follower' }), expect: [holds(writeIntegrity()).throughout()] },
  pause: { fault: pauseMember({ member: 'follower' }), expect: [detected(memberDown({ on: 'faulty' })).within('10s')] },
  kill: { fault: killMember({ member: 'follower' }), expect: [detected(memberDown({ on: 'faulty' })).within('10s')] },
}[drill];
if (!faults) throw new Error(`no chaos drill ${drill}`);
const s = defineScenario({
  id: `chaos-${drill}`,
  title: `chaos harness: ${drill}`,
  incident: 'killed with SIGKILL at a seeded instant',
  target: existing(target),
  steady: [memberUnhealthy()],
  fault: faults.fault,
  expect: [...faults.expect, recovers.within('60s')],
  baseline: '2s',
  hold: '8s',
});
const r = await runScenario(s);
process.stdout.write(`${r.verdict}\n`);
