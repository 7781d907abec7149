import { expect } from 'chai';
import YAML from 'yaml';
import { cidrWithin, ipInCidr, isCidr } from '../../src/util/cidr.js';
import { withoutVerb } from '../../src/faults/rbac.js';
import { duplicateManifest } from '../../src/faults/duplicate-control-plane.js';
import { withFlag } from '../../src/faults/pod-cidr-defaults.js';
import { leftoverConflist } from '../../src/faults/cni-configs.js';
import { manifestFlag } from '../../src/signals/cidr-agreement.js';
import { canonicalObject, sameObject } from '../../src/changes/kube-object.js';

const manifest = YAML.stringify({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'kube-scheduler', namespace: 'kube-system', labels: { component: 'kube-scheduler' } },
  spec: {
    hostNetwork: true,
    containers: [
      {
        name: 'kube-scheduler',
        command: ['kube-scheduler', '--bind-address=127.0.0.1', '--leader-elect=true'],
        ports: [{ name: 'probe-port', containerPort: 10259, protocol: 'TCP' }],
        livenessProbe: { httpGet: { port: 'probe-port', path: '/livez' } },
      },
    ],
  },
});

describe('incident 003 logic', () => {
  it('IPv4 CIDR arithmetic: pod IPs and node ranges', () => {
    expect(ipInCidr('10.244.1.7', '10.244.1.0/24')).to.equal(true);
    expect(ipInCidr('10.233.64.3', '10.244.0.0/16')).to.equal(false);
    expect(ipInCidr('10.233.127.255', '10.233.64.0/18')).to.equal(true);
    expect(ipInCidr('10.233.128.0', '10.233.64.0/18')).to.equal(false);
    expect(ipInCidr('fd00::1', '10.0.0.0/8')).to.equal(false);
    expect(ipInCidr('10.0.0.1', '0.0.0.0/0')).to.equal(true);
    expect(cidrWithin('10.244.2.0/24', '10.244.0.0/16')).to.equal(true);
    expect(cidrWithin('10.244.2.0/24', '10.233.64.0/18')).to.equal(false);
    expect(cidrWithin('10.0.0.0/8', '10.244.0.0/16')).to.equal(false);
    expect(isCidr('10.233.64.0/18')).to.equal(true);
    expect(isCidr('10.233.64.0/33')).to.equal(false);
    expect(isCidr('10.233.64/18')).to.equal(false);
  });

  it('a bootstrap role loses exactly one verb on one resource (the rest untouched)', () => {
    const rules = [
      { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['get', 'list', 'update', 'watch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['create', 'delete', 'list', 'patch', 'watch'] },
      { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch', 'update'] },
    ];
    const out = withoutVerb(rules, 'pods', 'create');
    expect(out[1]!.verbs).to.deep.equal(['delete', 'list', 'patch', 'watch']);
    expect(out[0]).to.deep.equal(rules[0]);
    expect(out[2]).to.deep.equal(rules[2]);
    expect(withoutVerb([{ apiGroups: [''], resources: ['pods'], verbs: ['create'] }], 'pods', 'create')).to.deep.equal([]);
  });

  it('a duplicate static pod has its own name and, with own ports, its own serving port for flag and probes', () => {
    const d = YAML.parse(duplicateManifest(manifest, 'kube-scheduler', true));
    expect(d.metadata.name).to.equal('kube-scheduler-kdrill-dup');
    expect(d.spec.containers[0].command).to.include('--secure-port=10359');
    expect(d.spec.containers[0].ports[0].containerPort).to.equal(10359);
    const same = YAML.parse(duplicateManifest(manifest, 'kube-scheduler', false));
    expect(same.metadata.name).to.equal('kube-scheduler-kdrill-dup');
    expect(same.spec.containers[0].ports[0].containerPort).to.equal(10259);
    expect(same.spec.containers[0].command).to.not.include('--secure-port=10359');
  });

  it('one flag of a static pod replaced, and read back', () => {
    const cm = YAML.stringify({ metadata: { name: 'kcm' }, spec: { containers: [{ command: ['kube-controller-manager', '--cluster-cidr=10.244.0.0/16', '--allocate-node-cidrs=true'] }] } });
    const out = withFlag(cm, '--cluster-cidr', '10.233.64.0/18');
    expect(manifestFlag(out, '--cluster-cidr')).to.equal('10.233.64.0/18');
    expect(manifestFlag(out, '--allocate-node-cidrs')).to.equal('true');
    expect(manifestFlag(withFlag(manifest, '--cluster-cidr', '10.1.0.0/16'), '--cluster-cidr')).to.equal('10.1.0.0/16');
  });

  it("the leftover is a working bridge + host-local config on the given range, without masquerade (the second plugin's daemon did that)", () => {
    const c = JSON.parse(leftoverConflist({ network: 'k8s-pod-network', subnet: '10.233.64.0/18', bridge: 'kdrill-cni0' }));
    expect(c.name).to.equal('k8s-pod-network');
    expect(c.plugins[0]).to.include({ type: 'bridge', bridge: 'kdrill-cni0', ipMasq: false });
    expect(c.plugins[0].ipam.ranges[0][0].subnet).to.equal('10.233.64.0/18');
    expect('10-calico.conflist' < '10-kindnet.conflist', 'the leftover sorts first: containerd loads it').to.equal(true);
  });

  it('objects are compared by what they are, not by what the server adds', () => {
    const a = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', resourceVersion: '1', uid: 'u1', managedFields: [{}], annotations: { a: '1' } }, data: { k: 'v' } };
    const b = { kind: 'ConfigMap', apiVersion: 'v1', data: { k: 'v' }, metadata: { annotations: { a: '1' }, name: 'x', resourceVersion: '9', uid: 'u1', creationTimestamp: 'now' }, status: {} };
    expect(sameObject(a, b)).to.equal(true);
    expect(sameObject(a, { ...b, data: { k: 'w' } })).to.equal(false);
    expect(sameObject(a, { ...b, metadata: { ...b.metadata, annotations: { a: '2' } } })).to.equal(false);
    expect(canonicalObject(a)).to.not.have.nested.property('metadata.resourceVersion');
  });
});
