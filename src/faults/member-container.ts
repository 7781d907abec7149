import type { EtcdMember } from '../targets/etcd-target.js';

/** The container of a member in a container kdrill made (the catalog checked etcd.containers). */
export function containerOf(m: EtcdMember): NonNullable<EtcdMember['container']> {
  if (!m.container) throw new Error(`etcd member ${m.name} is not in a container of its own: this fault needs etcd.containers`);
  return m.container;
}
