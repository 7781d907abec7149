/**
 * The versions kdrill builds and runs. kind v0.30.0 with Kubernetes v1.34.x is
 * the newest pair that still runs on cgroup v1 hosts (Kubernetes >= 1.35
 * refuses cgroup v1 by default; kind >= 0.31 dropped it). Component tags are
 * exactly what `kubeadm config images list --kubernetes-version v1.34.4`
 * prints, because kind never sets imageRepository and nothing may be pulled.
 */
export const KIND_VERSION = 'v0.30.0';
export const KUBERNETES_VERSION = 'v1.34.4';
export const ETCD_VERSION = 'v3.6.5';
export const ETCD_IMAGE_TAG = '3.6.5-0';
export const COREDNS_VERSION = 'v1.12.1';
export const PAUSE_TAGS = ['3.10.1', '3.10'] as const; // kubeadm's, and containerd's sandbox_image in kind's base config
export const DEBIAN_SUITE = 'bookworm';

/** The upstream node image kind v0.30.0 uses by default (for hosts that can pull). */
export const UPSTREAM_NODE_IMAGE =
  'kindest/node:v1.34.0@sha256:7416a61b42b1662ca6ca89f02028ac133a309a2a30ba309614e8ec94d976dc5a';

export const REGISTRY = 'registry.k8s.io';
export const componentImageRefs = {
  kubeApiserver: `${REGISTRY}/kube-apiserver:${KUBERNETES_VERSION}`,
  kubeControllerManager: `${REGISTRY}/kube-controller-manager:${KUBERNETES_VERSION}`,
  kubeScheduler: `${REGISTRY}/kube-scheduler:${KUBERNETES_VERSION}`,
  kubeProxy: `${REGISTRY}/kube-proxy:${KUBERNETES_VERSION}`,
  etcd: `${REGISTRY}/etcd:${ETCD_IMAGE_TAG}`,
  coredns: `${REGISTRY}/coredns/coredns:${COREDNS_VERSION}`,
  pause: PAUSE_TAGS.map((t) => `${REGISTRY}/pause:${t}`),
};

/** kind's HA load balancer image (pkg/cluster/internal/loadbalancer/const.go in kind v0.30.0). */
export const KIND_HAPROXY_IMAGE = 'docker.io/kindest/haproxy:v20230606-42a2262b';
