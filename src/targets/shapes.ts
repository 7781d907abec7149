import type { ClusterShape } from './kind-pool.js';

/**
 * The cluster shapes kind drills share (one cluster per shape per run):
 * the single-master kubeadm cluster of incidents 000 and 001, and the three
 * control planes raft needs for 002. Each control plane's /var/lib/etcd is a
 * disk of its own, as /var/lib/etcd on a USB stick was in 000; the three
 * control planes see theirs through kdrill-slowfs, for 002's exact 800 ms fsync.
 * The liveness drills of 001 need an exact, steady fsync too (a probe that
 * passes once resets the kubelet's count): a single master behind the layer.
 */
export const SINGLE_CONTROL_PLANE: ClusterShape = { name: 'drill-1cp', controlPlanes: 1, workers: 1, etcdOwnDisk: true };
export const THREE_CONTROL_PLANES: ClusterShape = { name: 'drill-3cp', controlPlanes: 3, workers: 1, etcdOwnDisk: true, etcdSlowFs: true };
export const SINGLE_CONTROL_PLANE_SLOWFS: ClusterShape = {
  name: 'drill-1cp-slowfs',
  controlPlanes: 1,
  workers: 1,
  etcdOwnDisk: true,
  etcdSlowFs: true,
  // the kill's reason from the kubelet's own journal: its Events need the API server the drill takes away
  kubeletVerbosity: 2,
};

/**
 * Incident 003's cluster: one control plane and two workers, so that a pod on
 * one worker has a peer on the other (cross-node pod traffic is what a wrong
 * CIDR breaks) and "every node but one" leaves more than one node fixed.
 */
export const ONE_CONTROL_PLANE_TWO_WORKERS: ClusterShape = { name: 'drill-1cp2w', controlPlanes: 1, workers: 2 };

/** Every shape above: what a suite that ran them all must have cleaned up. */
export const DRILL_SHAPES: readonly ClusterShape[] = [SINGLE_CONTROL_PLANE, THREE_CONTROL_PLANES, SINGLE_CONTROL_PLANE_SLOWFS, ONE_CONTROL_PLANE_TWO_WORKERS];
