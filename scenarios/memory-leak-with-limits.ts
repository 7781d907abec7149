import {
  containerOomKilled,
  defineScenario,
  detected,
  holds,
  kernelOomKill,
  kindCluster,
  memoryLeak,
  nodeMemoryNearCap,
  nodeNotReady,
  ONE_CONTROL_PLANE_TWO_WORKERS,
  podsDisrupted,
  recovers,
  serviceAnswers,
  steadyState,
} from '../src/dsl.js';
import { AFFINITY_004 } from './memory-leak-no-limits.js';

export default defineScenario({
  id: 'memory-leak-with-limits',
  title: 'the same leak with memory requests and limits (the postmortem\'s fix): the container is OOMKilled, the node and its neighbours are untouched',
  incident:
    'Docker allows you set to set memory limits on a container, and it will kill the container if it tries to use more than ' +
    'that. Kubernetes exposes this through memory limits. ... Set memory request and limits on all of your controllers!',
  source: AFFINITY_004,
  target: kindCluster(ONE_CONTROL_PLANE_TWO_WORKERS),
  steady: steadyState.nodes(),
  fault: memoryLeak({ cap: '1024Mi', rate: '20Mi/s', resources: { request: '200Mi', limit: '200Mi' } }),
  expect: [
    // the kernel kills it at its own limit, inside the node, and the kubelet says why and restarts it
    detected(kernelOomKill({ task: 'kdrill-agent', limit: 'container' })).within('1m'),
    detected(containerOomKilled({ app: 'leak' })).within('1m'),
    holds(kernelOomKill({ limit: 'node' })).throughout(),
    holds(nodeMemoryNearCap({ percent: 90 })).throughout(),
    holds(nodeNotReady()).throughout(),
    holds(podsDisrupted({ app: 'echo' })).throughout(),
    holds(serviceAnswers()).throughout(),
    recovers.within('2m'),
  ],
  hold: '60s',
});
