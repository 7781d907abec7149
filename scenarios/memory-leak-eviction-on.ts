import {
  defineScenario,
  detected,
  holds,
  kernelOomKill,
  kindCluster,
  memoryLeak,
  nodeMemoryPressure,
  nodeNotReady,
  ONE_CONTROL_PLANE_TWO_WORKERS,
  podEvicted,
  recovers,
  steadyState,
} from '../src/dsl.js';
import { AFFINITY_004 } from './memory-leak-no-limits.js';

export default defineScenario({
  id: 'memory-leak-eviction-on',
  title: 'the same leak with kubelet memory eviction on, its threshold set relative to the cap: eviction beats the kernel OOM killer',
  incident:
    "Kubernetes won't know how to efficiently use memory and CPU unless you tell it how much memory and CPU a job needs. ... " +
    'It requires configuration, fine-tuning, and programmer guidance and input to operate safely and efficiently.',
  source: AFFINITY_004,
  target: kindCluster(ONE_CONTROL_PLANE_TWO_WORKERS),
  steady: steadyState.nodes(),
  // evict when the node's working set is within 400 MiB of its cap: the kubelet looks every 10 s, the leak needs 40 s to cross
  fault: memoryLeak({ cap: '1024Mi', rate: '10Mi/s', eviction: { margin: '400Mi' } }),
  expect: [
    detected(nodeMemoryPressure()).within('2m'),
    detected(podEvicted({ app: 'leak' })).within('2m'),
    // the kubelet got there first: the kernel never had to kill the leaker
    holds(kernelOomKill({ task: 'kdrill-agent' })).throughout(),
    holds(nodeNotReady()).throughout(),
    recovers.within('3m'),
  ],
  hold: '30s',
});
