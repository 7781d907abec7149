import { expect } from 'chai';
import * as k8s from '@kubernetes/client-node';
import { clusterFilesLeft, clusterUp, deleteCluster, type KindCluster } from '../../src/cluster/cluster.js';
import { listKdrillClusters } from '../../src/cluster/kind.js';
import { smokeCheck } from '../../src/cluster/smoke.js';
import { isNodeReady } from '../../src/cluster/wait.js';
import { KUBERNETES_VERSION } from '../../src/image/versions.js';
import { resolveNodeImage, type NodeImageChoice, type PullPolicy } from '../../src/image/index.js';
import { execa } from 'execa';
import { createInterface } from 'node:readline';
import { Journal } from '../../src/journal.js';
import { containersWithLabel, OWNER_LABEL } from '../../src/util/container.js';

/**
 * Real kind clusters from the node image kdrill builds here (nothing pulled).
 * KDRILL_E2E_PULL=auto lets a machine with a registry use upstream kindest/node.
 */
const pull = (process.env.KDRILL_E2E_PULL ?? 'never') as PullPolicy;

describe('e2e: real kind clusters', function () {
  let image: NodeImageChoice;

  // Ctrl-C in the middle of the node image build (its last step: assembling the image in a build container, the
  // only step with something to leave behind): the container and its journal go with it
  it('Ctrl-C during the node image build removes its build container, and leaves no journal', async function () {
    if (pull !== 'never') this.skip();
    const first = await resolveNodeImage('never');
    await execa('docker', ['rmi', first.ref]); // its inputs stay cached: only the assembly runs again
    const p = execa('node', ['dist/src/cli.js', 'image', 'build', '--pull', 'never'], { env: { CI: '1' }, reject: false, all: true });
    const label = `${OWNER_LABEL}=kdrill-image-build`;
    await new Promise<void>((resolve) => {
      createInterface({ input: p.stderr! }).on('line', async (l) => {
        if (!/node image kdrill\.local\/node:\S+ \.\.\./.test(l)) return;
        // the build container exists (journaled first): now interrupt it
        while ((await containersWithLabel(label)).length === 0) await new Promise((r) => setTimeout(r, 100));
        resolve();
      });
    });
    try {
      const t0 = Date.now();
      p.kill('SIGINT');
      const r = await p;
      const took = Date.now() - t0;
      console.log(`      Ctrl-C during the image assembly: exit ${r.exitCode} after ${took} ms; ${r.all.split('\n').pop()}`);
      expect(r.exitCode).to.equal(2);
      expect(await containersWithLabel(label)).to.deep.equal([]);
      expect(Journal.list().journals.filter((j) => j.file.runId.startsWith('image-build-')).map((j) => j.path)).to.deep.equal([]);
      expect(took).to.be.below(60_000);
    } finally {
      image = await resolveNodeImage(pull); // assembled again for the tests below, whatever this one found
    }
  });

  before(async function () {
    image = await resolveNodeImage(pull);
    if (pull === 'never') expect(image.source).to.equal('local');
  });

  describe('1 control plane + 1 worker', function () {
    let cluster: KindCluster | undefined;
    after(async () => {
      if (cluster) await deleteCluster(cluster.name);
    });

    it('comes up Ready and serves an echo Deployment through a Service to a client pod, DNS included', async function () {
      const up = await clusterUp({ name: 'e2e-1cp1w', controlPlanes: 1, workers: 1, image });
      cluster = up.cluster;
      const nodes = (await cluster.clients.core.listNode()).items;
      expect(nodes).to.have.length(2);
      expect(nodes.every(isNodeReady)).to.equal(true);
      if (image.source === 'local') {
        expect(nodes.map((n) => n.status?.nodeInfo?.kubeletVersion)).to.deep.equal([KUBERNETES_VERSION, KUBERNETES_VERSION]);
      }
      const r = await smokeCheck(cluster);
      console.log(r.lines.map((l) => `      ${l}`).join('\n'));
      expect(r.ok, r.lines.join('\n')).to.equal(true);
      // the replicas were spread over both nodes, so the answers crossed nodes
      expect(r.lines[0]).to.match(/@kdrill-e2e-1cp1w-control-plane/).and.to.match(/@kdrill-e2e-1cp1w-worker/);
    });

    it('refuses to reuse the name for a different shape', async function () {
      expect(cluster, 'the previous test created the cluster').to.not.equal(undefined);
      let err: Error | undefined;
      try {
        await clusterUp({ name: 'e2e-1cp1w', controlPlanes: 3, workers: 1, image });
      } catch (e) {
        err = e as Error;
      }
      expect(err?.message).to.match(/exists with 1 control plane\(s\) and 1 worker\(s\), not 3\+1/);
    });
  });

  describe('3 control planes + 1 worker (the raft drills need it)', function () {
    let cluster: KindCluster | undefined;
    after(async () => {
      if (cluster) await deleteCluster(cluster.name);
    });

    it('reaches Ready with a 3-member etcd behind kind\'s load balancer', async function () {
      const up = await clusterUp({ name: 'e2e-3cp1w', controlPlanes: 3, workers: 1, image });
      cluster = up.cluster;
      const nodes = (await cluster.clients.core.listNode()).items;
      expect(nodes).to.have.length(4);
      expect(nodes.every(isNodeReady)).to.equal(true);
      const etcd = await cluster.clients.core.listNamespacedPod({ namespace: 'kube-system', labelSelector: 'component=etcd' });
      expect(etcd.items).to.have.length(3);
      const roles = (await cluster.nodes()).map((n) => n.role).sort();
      expect(roles).to.deep.equal(['control-plane', 'control-plane', 'control-plane', 'external-load-balancer', 'worker']);
      // the API answers through the load balancer: a write and a read
      const cm: k8s.V1ConfigMap = { metadata: { name: 'kdrill-e2e', namespace: 'default' }, data: { at: new Date().toISOString() } };
      await cluster.clients.core.createNamespacedConfigMap({ namespace: 'default', body: cm });
      const back = await cluster.clients.core.readNamespacedConfigMap({ name: 'kdrill-e2e', namespace: 'default' });
      expect(back.data?.at).to.equal(cm.data!.at);
    });
  });

  after(async function () {
    const left = (await listKdrillClusters()).filter((c) => c.startsWith('kdrill-e2e-'));
    expect(left, 'e2e clusters left behind').to.deep.equal([]);
    // and nothing of them on disk: kubeconfigs, kind configs, loop disks
    expect(['e2e-1cp1w', 'e2e-3cp1w'].flatMap(clusterFilesLeft), 'files of deleted e2e clusters').to.deep.equal([]);
  });
});
