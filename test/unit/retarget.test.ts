import { expect } from 'chai';
import { refusal } from './refusal.js';
import cniLeftover from '../../scenarios/cni-leftover-config.js';
import cpDown from '../../scenarios/control-plane-down-data-plane-up.js';
import slowDisk from '../../scenarios/etcd-slow-disk.js';
import slowFollower from '../../scenarios/etcd-slow-follower.js';
import { onNamedCluster, throughPods } from '../../src/scenario-retarget.js';
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

  it('reaches the nodes of a cluster that is not kind here through privileged pods, and refuses drills that pods cannot serve, naming why', async () => {
    // kubeadm-like: its control planes are nodes the API lists (etcd as a static pod there)
    const remote: NamedCluster = { ...plain, kindName: undefined, otherNodes: ['ip-10-0-0-1'], controlPlanes: 1 };
    const [s] = await onNamedCluster([cniLeftover], remote, 'kind-plain');
    expect(s!.target.name).to.equal('cluster (context kind-plain, nodes through privileged pods)');
    expect([...s!.target.provides].sort()).to.deep.equal(['etcd', 'kube.api', 'node.fs']);
    // managed: no control-plane node to reach, so no etcd, and a drill that watches etcd is refused
    const managed: NamedCluster = { ...remote, controlPlanes: 0 };
    expect(await refusal(onNamedCluster([cniLeftover], managed, 'kind-plain'))).to.match(/cni-leftover-config needs etcd members \(etcd\), which cluster \(context kind-plain, nodes through privileged pods\) does not provide/);
    expect(await refusal(onNamedCluster([cpDown], remote, 'kind-plain'))).to.match(/control-plane-down-data-plane-up needs node access that does not go through the API server \(node\.offline\)/);
    expect(await refusal(onNamedCluster([slowDisk], plain, 'kind-plain'))).to.match(/etcd-slow-disk needs a disk throttle on etcd's own cgroup \(etcd\.disk-throttle\)/);
    expect(await refusal(onNamedCluster([slowFollower], plain, 'kind-plain'))).to.match(/etcd-slow-follower runs on .*which kdrill makes itself/);
    const [viaPods] = await onNamedCluster([cniLeftover], plain, 'kind-plain', { via: 'pod' });
    expect(viaPods!.target.name).to.equal('kind cluster plain (context kind-plain, nodes through privileged pods)');
  });
});

describe('--node-access pod on the clusters kdrill makes', () => {
  it('keeps the drill and its cluster shape, reaching nodes through pods; refuses what needs docker, before anything runs', async () => {
    const [s] = throughPods([cniLeftover], undefined);
    expect(s!.target.name).to.match(/^kind cluster kdrill-drill-1cp2w \(1\+2\), nodes through privileged pods$/);
    expect([...s!.target.provides].sort()).to.deep.equal(['etcd', 'kube.api', 'node.fs']);
    expect(await refusal(Promise.resolve().then(() => throughPods([cpDown], undefined)))).to.match(/needs node access that does not go through the API server \(node\.offline\), which kind cluster kdrill-drill-1cp \(1\+1\), nodes through privileged pods does not provide/);
    expect(await refusal(Promise.resolve().then(() => throughPods([slowFollower], undefined)))).to.match(/etcd-slow-follower runs on .*which has no nodes to reach through pods/);
  });
});
