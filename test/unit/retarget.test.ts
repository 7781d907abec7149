import { expect } from 'chai';
import { refusal } from './refusal.js';
import cniLeftover from '../../scenarios/cni-leftover-config.js';
import cpDown from '../../scenarios/control-plane-down-data-plane-up.js';
import slowDisk from '../../scenarios/etcd-slow-disk.js';
import slowFollower from '../../scenarios/etcd-slow-follower.js';
import { onNamedCluster } from '../../src/scenario-retarget.js';
import type { NamedCluster } from '../../src/targets/target.js';

// Which drills may run on a cluster the user names, and when the second key is needed (pure: no cluster is reached).
describe('drills on a cluster the user names (--kubeconfig/--context)', () => {
  const plain: NamedCluster = { kubeconfig: '/k', context: 'kind-plain', server: 'https://127.0.0.1:1', kindName: 'plain', otherNodes: [], ours: false };

  it('refuses a cluster kdrill did not create unless its context is named twice, whatever it is called', async () => {
    const m = await refusal(onNamedCluster([cniLeftover], plain, undefined));
    expect(m).to.match(/context kind-plain \(https:\/\/127\.0\.0\.1:1\) is not a cluster kdrill created/);
    const lookalike = { ...plain, context: 'kind-kdrill-drill-1cp2w', kindName: 'kdrill-drill-1cp2w' };
    expect(await refusal(onNamedCluster([cniLeftover], lookalike, undefined))).to.match(/is not a cluster kdrill created/);
    expect(await refusal(onNamedCluster([cniLeftover], plain, 'kind-prod'))).to.match(/--target-context kind-prod is not the context the drills would run on/);
    const [s] = await onNamedCluster([cniLeftover], plain, 'kind-plain');
    expect(s!.target.name).to.equal('kind cluster plain (context kind-plain)');
  });

  it("needs no second key on kdrill's own cluster", async () => {
    const [s] = await onNamedCluster([cpDown], { ...plain, ours: true }, undefined);
    expect(s!.target.name).to.equal('kind cluster plain (context kind-plain, made by kdrill)');
  });

  it('refuses nodes it cannot reach, and drills that need what only its own clusters have, naming why', async () => {
    expect(await refusal(onNamedCluster([cniLeftover], { ...plain, kindName: undefined, otherNodes: ['ip-10-0-0-1'] }, 'kind-plain'))).to.match(
      /node ip-10-0-0-1 is not a kind node container on this host, and reaching nodes through a privileged pod is not built yet/,
    );
    expect(await refusal(onNamedCluster([slowDisk], plain, 'kind-plain'))).to.match(/etcd-slow-disk needs a disk throttle on etcd's own cgroup \(etcd\.disk-throttle\)/);
    expect(await refusal(onNamedCluster([slowFollower], plain, 'kind-plain'))).to.match(/etcd-slow-follower runs on .*which kdrill makes itself/);
  });
});
