import { expect } from 'chai';
import type * as k8s from '@kubernetes/client-node';
import { ClusterWatch } from '../../src/watch/cluster-watch.js';

const T0 = Date.parse('2026-11-30T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString() as unknown as Date;

function node(name: string, ready: 'True' | 'False' | 'Unknown', at: number, reason = ready === 'True' ? 'KubeletReady' : 'NodeStatusUnknown'): k8s.V1Node {
  return { metadata: { name }, status: { conditions: [{ type: 'Ready', status: ready, reason, lastTransitionTime: iso(at), message: ready === 'Unknown' ? 'Kubelet stopped posting node status.' : '' }] } };
}

function pod(ns: string, name: string, nodeName: string, o: { ready?: boolean; readyAt?: number; restarts?: number; terminated?: { reason: string; exitCode: number; at: number }; evicted?: string } = {}): k8s.V1Pod {
  return {
    metadata: { namespace: ns, name },
    spec: { nodeName, containers: [] },
    status: {
      phase: o.evicted ? 'Failed' : 'Running',
      ...(o.evicted ? { reason: 'Evicted', message: o.evicted } : {}),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: iso(o.readyAt ?? T0) }],
      containerStatuses: [
        {
          name: 'c',
          image: 'x',
          imageID: 'x',
          ready: o.ready !== false,
          restartCount: o.restarts ?? 0,
          ...(o.terminated ? { lastState: { terminated: { reason: o.terminated.reason, exitCode: o.terminated.exitCode, finishedAt: iso(o.terminated.at) } } } : {}),
        },
      ],
    },
  };
}

describe('kdrill watch: the postmortem health check as a model', () => {
  it('a node going NotReady is one line naming it and the pods on it, dated by its condition', () => {
    const w = new ClusterWatch();
    w.pod(pod('shop', 'web-1', 'n1'), T0, { initial: true });
    w.pod(pod('shop', 'jvm-1', 'n1'), T0, { initial: true });
    w.pod(pod('shop', 'web-2', 'n2'), T0, { initial: true });
    expect(w.node(node('n1', 'True', T0 - 60_000), T0, { initial: true })).to.deep.equal([]);
    const [l, ...rest] = w.node(node('n1', 'Unknown', T0 + 40_000), T0 + 41_000);
    expect(rest).to.deep.equal([]);
    expect(l).to.deep.include({ kind: 'node.notready', at: T0 + 40_000, seen: T0 + 41_000, node: 'n1', pods: ['shop/jvm-1', 'shop/web-1'], reason: 'NodeStatusUnknown' });
    expect(l!.message).to.equal('node n1 NotReady (Ready=Unknown) NodeStatusUnknown: Kubelet stopped posting node status. — 2 pod(s) on it: shop/jvm-1, shop/web-1');
    expect(w.node(node('n1', 'Unknown', T0 + 40_000), T0 + 50_000), 'the same state again says nothing').to.deep.equal([]);
    expect(w.node(node('n1', 'True', T0 + 90_000), T0 + 91_000)[0]).to.deep.include({ kind: 'node.ready', node: 'n1' });
  });

  it('a node NotReady when watching starts is said once; a Ready one is not', () => {
    const w = new ClusterWatch();
    expect(w.node(node('n1', 'True', T0), T0, { initial: true })).to.deep.equal([]);
    expect(w.node(node('n2', 'False', T0 - 5000, 'KubeletNotReady'), T0, { initial: true })[0]).to.deep.include({ kind: 'node.notready', node: 'n2', at: T0 - 5000 });
  });

  it("pods lose Ready on a NotReady node, and the line says what kubectl shows (phase Running, not the old Unknown)", () => {
    const w = new ClusterWatch();
    w.pod(pod('shop', 'web-1', 'n1'), T0, { initial: true });
    w.node(node('n1', 'True', T0), T0, { initial: true });
    w.node(node('n1', 'Unknown', T0 + 40_000), T0 + 40_000);
    const [l] = w.pod(pod('shop', 'web-1', 'n1', { ready: false, readyAt: T0 + 41_000 }), T0 + 41_500);
    expect(l).to.deep.include({ kind: 'pod.notready', pod: 'shop/web-1', node: 'n1', at: T0 + 41_000 });
    expect(l!.message).to.match(/its node is NotReady.*phase Running$/);
  });

  it('a restart says the reason and exit code, dated when the container finished; an OOM kill reads OOMKilled', () => {
    const w = new ClusterWatch();
    w.pod(pod('shop', 'jvm-1', 'n1'), T0, { initial: true });
    const [l] = w.pod(pod('shop', 'jvm-1', 'n1', { restarts: 1, terminated: { reason: 'OOMKilled', exitCode: 137, at: T0 + 7000 } }), T0 + 8000);
    expect(l).to.deep.include({ kind: 'pod.restart', at: T0 + 7000, pod: 'shop/jvm-1', reason: 'OOMKilled' });
    expect(l!.message).to.equal('pod shop/jvm-1 on n1: container c restarted (#1): OOMKilled, exit 137');
  });

  it('restarts already counted when watching starts are not news', () => {
    const w = new ClusterWatch();
    expect(w.pod(pod('shop', 'jvm-1', 'n1', { restarts: 12 }), T0, { initial: true })).to.deep.equal([]);
  });

  it('an eviction is one line with the kubelet message', () => {
    const w = new ClusterWatch();
    w.pod(pod('shop', 'jvm-1', 'n1'), T0, { initial: true });
    const lines = w.pod(pod('shop', 'jvm-1', 'n1', { ready: false, evicted: 'The node was low on resource: memory.' }), T0 + 1000);
    expect(lines.map((l) => l.kind)).to.deep.equal(['pod.notready', 'pod.evicted']);
    expect(lines[1]!.message).to.equal('pod shop/jvm-1 on n1 evicted: The node was low on resource: memory.');
    expect(w.pod(pod('shop', 'jvm-1', 'n1', { ready: false, evicted: 'The node was low on resource: memory.' }), T0 + 2000), 'said once').to.deep.equal([]);
  });

  it('five kube-system restarts within five minutes is a restart storm, said once per window', () => {
    const w = new ClusterWatch({ restarts: 5, windowMs: 300_000 });
    const names = ['etcd-cp', 'kube-apiserver-cp', 'kube-scheduler-cp', 'kube-controller-manager-cp', 'coredns-1'];
    for (const n of names) w.pod(pod('kube-system', n, 'cp'), T0, { initial: true });
    const lines = names.flatMap((n, i) => w.pod(pod('kube-system', n, 'cp', { restarts: 1, terminated: { reason: 'Error', exitCode: 1, at: T0 + i * 30_000 } }), T0 + i * 30_000 + 500));
    const storms = lines.filter((l) => l.kind === 'restart-storm');
    expect(storms).to.have.length(1);
    expect(storms[0]!.message).to.match(/^restart storm in kube-system: 5 container restarts within 300 s/);
    const again = w.pod(pod('kube-system', 'etcd-cp', 'cp', { restarts: 2, terminated: { reason: 'Error', exitCode: 1, at: T0 + 150_000 } }), T0 + 150_500);
    expect(again.filter((l) => l.kind === 'restart-storm')).to.deep.equal([]);
  });
});
