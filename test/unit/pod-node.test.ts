import { expect } from 'chai';
import { execExitCode } from '../../src/targets/pod-exec.js';
import { hostExecPrefix, nodeAccessNamespace, nodeAccessNamespaceObject, nodeAccessPod, nodeAccessPodName, parseProcessesOutput } from '../../src/targets/pod-node.js';
import { changeKind } from '../../src/changes/registry.js';

// What a node-access pod is, and how its answers are read (pure: the real path is the e2e's CNI drill through pods).
describe('node access through a privileged pod', () => {
  it('is pinned to its node, in its host PID and network namespaces, with the node\'s / at /host, every taint tolerated', () => {
    const p = nodeAccessPod('ip-10-0-0-1.eu-west-1.compute.internal', 'kdrill-nodes-abc', 'busybox:1.37');
    expect(p.spec!.nodeName).to.equal('ip-10-0-0-1.eu-west-1.compute.internal');
    expect(p.spec!.hostPID).to.equal(true);
    expect(p.spec!.hostNetwork).to.equal(true);
    expect(p.spec!.tolerations).to.deep.equal([{ operator: 'Exists' }]);
    expect(p.spec!.containers[0]!.securityContext!.privileged).to.equal(true);
    expect(p.spec!.volumes).to.deep.equal([{ name: 'host', hostPath: { path: '/', type: 'Directory' } }]);
    expect(p.spec!.containers[0]!.volumeMounts).to.deep.equal([{ name: 'host', mountPath: '/host', mountPropagation: 'HostToContainer' }]);
    expect(p.spec!.activeDeadlineSeconds, 'a backstop when kdrill is gone').to.be.greaterThan(0);
    expect(p.metadata.name).to.match(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).and.to.have.length.at.most(63);
    expect(p.metadata.annotations!['kdrill.dev/node']).to.equal('ip-10-0-0-1.eu-west-1.compute.internal');
  });

  it('lives in a namespace of its run, labelled for Pod Security privileged, whose name a journal record accepts', () => {
    const ns = nodeAccessNamespace('cni-leftover-config-20261201-041536-9280');
    expect(ns).to.equal(nodeAccessNamespace('cni-leftover-config-20261201-041536-9280'));
    expect(ns).to.not.equal(nodeAccessNamespace('cni-leftover-config-20261201-041536-9281'));
    expect(nodeAccessNamespaceObject(ns).metadata.labels!['pod-security.kubernetes.io/enforce']).to.equal('privileged');
    const rec = { type: 'node-file', node: { via: 'pod', cluster: 'kdrill-drill-1cp2w', node: 'n1', kubeconfig: '/k', context: 'c', namespace: ns, image: 'busybox:1.37' }, path: '/etc/x' };
    expect(changeKind('node-file')!.validate(rec)).to.deep.include({ path: '/etc/x' });
    expect(nodeAccessPodName('n1')).to.not.equal(nodeAccessPodName('n2'));
  });

  it('runs commands chrooted into the node: chroot in a general image, the agent\'s own host-exec in kdrill\'s', () => {
    expect(hostExecPrefix('busybox:1.37')).to.deep.equal(['chroot', '/host']);
    expect(hostExecPrefix('registry.example.internal/mirror/busybox:1.37')).to.deep.equal(['chroot', '/host']);
    expect(hostExecPrefix('kdrill.local/agent:0123456789ab')).to.deep.equal(['/kdrill-agent', 'host-exec', '--']);
  });

  it("reads an exec's exit code from its final status", () => {
    expect(execExitCode({ status: 'Success' })).to.equal(0);
    expect(execExitCode({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } })).to.equal(3);
    expect(execExitCode({ status: 'Failure', message: 'container not found' })).to.equal(-1);
    expect(execExitCode(undefined)).to.equal(-1);
  });

  it("reads the node's processes from /proc through the pod: argv, start ticks, cgroups, start time by the node's boot time", () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const stat = (pid: number, ticks: number) => `${pid} (kube-apiserver) S 1 ${pid} ${pid} 0 -1 4194560 1 0 0 0 1 1 0 0 20 0 9 0 ${ticks} 1 1`;
    const out = [
      `812\t${b64('kube-apiserver\0--advertise-address=10.0.0.1\0')}\t${b64(stat(812, 5000))}\t${b64('12:memory:/kubepods/burstable/podx/abc\n0::/\n')}`,
      `90\t${b64('/usr/local/bin/kube-apiserver\0--secure-port=6444\0')}\t${b64(stat(90, 300))}\t${b64('0::/\n')}`,
      `91\t\t\t`, // exited while listed
      'btime 1796000000',
      '',
    ].join('\n');
    const ps = parseProcessesOutput(out);
    expect(ps.map((p) => p.pid)).to.deep.equal([90, 812]);
    expect(ps[1]!.argv).to.deep.equal(['kube-apiserver', '--advertise-address=10.0.0.1']);
    expect(ps[1]!.startTicks).to.equal(5000);
    expect(ps[1]!.startedAtMs).to.equal(1796000000_000 + 50_000);
    expect(ps[1]!.cgroups).to.deep.include({ memory: '/kubepods/burstable/podx/abc', unified: '/' });
  });
});
