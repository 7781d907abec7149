import { expect } from 'chai';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { hostLacksSysResource } from '../../src/host/capabilities.js';
import { clusterName } from '../../src/cluster/kind.js';
import { contentHash } from '../../src/image/rootfs.js';
import { countRoles, readKindConfig, renderKindConfig, RESTRICT_OOM_SCORE_ADJ_PATCH } from '../../src/cluster/kind-config.js';

describe('unit: host capabilities', () => {
  it('reads CAP_SYS_RESOURCE (bit 24) from CapBnd', () => {
    // the value measured on these VMs: every capability but CAP_SYS_RESOURCE
    expect(hostLacksSysResource('Name:\tx\nCapBnd:\t000001fffeffffff\n')).to.equal(true);
    expect(hostLacksSysResource('CapBnd:\t000001ffffffffff\n')).to.equal(false);
    expect(hostLacksSysResource('no such line')).to.equal(false);
  });
});

describe('unit: cluster names', () => {
  it('prefixes kdrill- once and rejects what kind cannot name', () => {
    expect(clusterName('smoke')).to.equal('kdrill-smoke');
    expect(clusterName('kdrill-smoke')).to.equal('kdrill-smoke');
    expect(() => clusterName('Bad_Name')).to.throw(/lowercase/);
    expect(() => clusterName('x'.repeat(40))).to.throw(/too long/);
  });
});

describe('unit: kind config', () => {
  it('renders N control planes + M workers and the containerd patch only when the host needs it', () => {
    const { config, yaml } = renderKindConfig({ name: 'kdrill-a', controlPlanes: 3, workers: 1, restrictOomScoreAdj: true });
    expect(countRoles(config)).to.deep.equal({ controlPlanes: 3, workers: 1 });
    expect(config.containerdConfigPatches).to.deep.equal([RESTRICT_OOM_SCORE_ADJ_PATCH]);
    expect(YAML.parse(yaml).name).to.equal('kdrill-a');
    const plain = renderKindConfig({ name: 'kdrill-b', controlPlanes: 1, workers: 0, restrictOomScoreAdj: false });
    expect(plain.config).to.not.have.property('containerdConfigPatches');
  });

  it("keeps a scenario config's nodes (extraMounts) over the counts", () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdrill-unit-'));
    const f = join(dir, 'kind.yaml');
    writeFileSync(
      f,
      'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n  extraMounts:\n  - hostPath: /tmp/etcd\n    containerPath: /var/lib/etcd\n',
    );
    const { config } = renderKindConfig({ name: 'kdrill-c', controlPlanes: 3, workers: 2, base: readKindConfig(f), restrictOomScoreAdj: false });
    expect(countRoles(config)).to.deep.equal({ controlPlanes: 1, workers: 0 });
    expect(config.nodes![0]!.extraMounts![0]!.containerPath).to.equal('/var/lib/etcd');
  });

  it('names the field that is wrong in a malformed kind config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdrill-unit-'));
    const f = join(dir, 'bad.yaml');
    writeFileSync(f, 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: master\n');
    expect(() => readKindConfig(f)).to.throw(/nodes\[0\]\.role/);
    writeFileSync(f, 'kind: Pod\n');
    expect(() => readKindConfig(f)).to.throw(/field "kind"/);
  });
});

describe('unit: image cache keys', () => {
  it('hash what is copied in, not where the checkout lives (files and directory trees)', () => {
    const mk = (body: string) => {
      const d = mkdtempSync(join(tmpdir(), 'kdrill-key-'));
      mkdirSync(join(d, 'etc/sub'), { recursive: true });
      writeFileSync(join(d, 'etc/sub/a.conf'), body);
      writeFileSync(join(d, 'wrapper'), '#!/bin/sh\n');
      return d;
    };
    const [a, b, c] = [mk('x=1\n'), mk('x=1\n'), mk('x=2\n')];
    expect(contentHash(join(a, 'etc'))).to.equal(contentHash(join(b, 'etc')));
    expect(contentHash(join(a, 'wrapper'))).to.equal(contentHash(join(b, 'wrapper')));
    expect(contentHash(join(a, 'etc'))).to.not.equal(contentHash(join(c, 'etc')));
  });
});
