import type { Condition } from './signal.js';
import { memberUnhealthy } from './etcd-conditions.js';
import { apiUnavailable, processDown, type Component } from './kube-conditions.js';
import { multipleCniConfigs } from './net-conditions.js';
import { nodeNotReady } from './memory-conditions.js';

/**
 * Steady states drills share: what "healthy" means before the fault and
 * after the revert. Each is a list of conditions that must not fire.
 */
export const steadyState = {
  /** every etcd member answers /metrics and has a leader */
  etcd: (): Condition[] => [memberUnhealthy()],
  /** etcd as above, the API server takes writes, and the named control-plane processes run */
  controlPlane: (...running: Component[]): Condition[] => [memberUnhealthy(), apiUnavailable(), ...running.map((c) => processDown(c))],
  /** the control plane as above, and one CNI config per node */
  network: (): Condition[] => [memberUnhealthy(), apiUnavailable(), multipleCniConfigs()],
  /** the control plane as above, and every node Ready */
  nodes: (): Condition[] => [memberUnhealthy(), apiUnavailable(), nodeNotReady({ on: 'any' })],
};
