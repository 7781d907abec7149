import {
  containerOomKilled,
  defineScenario,
  detected,
  holds,
  kernelOomKill,
  kindCluster,
  majorFaultSpike,
  memoryLeak,
  nodeMemoryNearCap,
  nodeNotReady,
  ONE_CONTROL_PLANE_TWO_WORKERS,
  recovers,
  steadyState,
} from '../src/dsl.js';

export const AFFINITY_004 = {
  title: 'Early Experiences with Kubernetes: Debugging Unresponsive Nodes',
  author: 'Paul Martinez',
  publisher: 'Affinity (build.affinity.co, on Medium)',
  url: 'https://build.affinity.co/early-experiences-with-kubernetes-debugging-unresponsive-nodes-ac68bf1734dc',
};

export default defineScenario({
  id: 'memory-leak-no-limits',
  title: 'a memory-leaking pod with no requests or limits on a node of its own: what the node really does',
  incident:
    'We checked to make sure that all of our jobs were running and found that we had a lot of pods in an Unknown state, and ' +
    'multiple nodes were reporting as NotReady. ... the unanswered emails container, using up well more than its fair share, ' +
    'and constantly increasing! ... the unanswered emails job would use up all the memory and cause our instance to start ' +
    'thrashing memory. ... Heapster also collects the rate of major page faults, which spikes at the exact time our ' +
    'K8s-health-check reported an issue!',
  source: AFFINITY_004,
  target: kindCluster(ONE_CONTROL_PLANE_TWO_WORKERS),
  steady: steadyState.nodes(),
  // the worker's container capped so that the host never feels it; the leak pinned to that worker, like the JVM job
  fault: memoryLeak({ cap: '1024Mi', rate: '20Mi/s' }),
  expect: [
    detected(nodeMemoryNearCap({ percent: 90 })).within('2m'),
    // the thrashing signal: page cache (code included) squeezed out and read back just before the kill
    detected(majorFaultSpike({ perSecond: 20 })).within('2m'),
    // no swap, no eviction threshold: the kernel decides, and it picks the BestEffort leaker (oom_score_adj 1000)
    detected(kernelOomKill({ task: 'kdrill-agent', limit: 'node' })).within('2m'),
    detected(containerOomKilled({ app: 'leak' })).within('2m'),
    // measured here: the node stays Ready — the kernel's OOM killer ends the thrash before the kubelet misses a heartbeat
    holds(nodeNotReady()).throughout(),
    recovers.within('2m'),
  ],
  hold: '90s',
});
