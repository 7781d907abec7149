/** IPv4 (and the v4 half of dual-stack) CIDR arithmetic, enough for "is this pod IP in that range?". */
function v4(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip.trim());
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

/** Whether `ip` is inside `cidr` ("10.244.1.0/24"); false for malformed input or another address family. */
export function ipInCidr(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split('/');
  const a = v4(ip);
  const n = v4(net ?? '');
  const b = Number(bits);
  if (a === undefined || n === undefined || !Number.isInteger(b) || b < 0 || b > 32) return false;
  const mask = b === 0 ? 0 : (0xffffffff << (32 - b)) >>> 0;
  return (a & mask) === (n & mask);
}

export function isCidr(s: string): boolean {
  const [net, bits] = s.split('/');
  return v4(net ?? '') !== undefined && /^\d{1,2}$/.test(bits ?? '') && Number(bits) <= 32;
}

/** Whether range `inner` lies inside range `outer` (a node's podCIDR inside the cluster's). */
export function cidrWithin(inner: string, outer: string): boolean {
  const [net, bits] = inner.split('/');
  const [, obits] = outer.split('/');
  return isCidr(inner) && isCidr(outer) && Number(bits) >= Number(obits) && ipInCidr(net!, outer);
}
