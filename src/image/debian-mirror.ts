import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KdrillError } from '../util/errors.js';

/**
 * The Debian archive this host's apt uses (the main archive, not -security or
 * -updates): debootstrap builds the node image's rootfs from the same place
 * the host installs its packages from. KDRILL_DEBIAN_MIRROR overrides it.
 * Reads one-line `deb URI suite ...` entries and deb822 `.sources` stanzas.
 */
export function debianMirrorFrom(files: { name: string; text: string }[], suite: string): string | undefined {
  const candidates: { uri: string; suites: string[] }[] = [];
  for (const f of files) {
    if (f.name.endsWith('.sources')) {
      for (const stanza of f.text.split(/\n\s*\n/)) {
        const field = (k: string) => new RegExp(`^${k}:\\s*(.+)$`, 'mi').exec(stanza)?.[1]?.trim() ?? '';
        if (!/(^|\s)deb(\s|$)/.test(field('Types'))) continue;
        if (/^enabled:\s*no/im.test(stanza)) continue;
        for (const uri of field('URIs').split(/\s+/).filter(Boolean)) candidates.push({ uri, suites: field('Suites').split(/\s+/) });
      }
    } else {
      for (const line of f.text.split('\n')) {
        const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
        if (m) candidates.push({ uri: m[1]!, suites: [m[2]!] });
      }
    }
  }
  return candidates.find((c) => /^https?:\/\//.test(c.uri) && c.suites.includes(suite))?.uri.replace(/\/+$/, '');
}

export function debianMirror(suite: string): string {
  if (process.env.KDRILL_DEBIAN_MIRROR) return process.env.KDRILL_DEBIAN_MIRROR.replace(/\/+$/, '');
  const files: { name: string; text: string }[] = [];
  const read = (p: string) => {
    try {
      files.push({ name: p, text: readFileSync(p, 'utf8') });
    } catch {
      /* absent */
    }
  };
  read('/etc/apt/sources.list');
  if (existsSync('/etc/apt/sources.list.d')) for (const n of readdirSync('/etc/apt/sources.list.d').sort()) if (/\.(list|sources)$/.test(n)) read(join('/etc/apt/sources.list.d', n));
  const m = debianMirrorFrom(files, suite);
  if (!m) {
    throw new KdrillError(`no Debian ${suite} archive in this host's apt sources to debootstrap the node image from`, {
      hint: 'set KDRILL_DEBIAN_MIRROR to a Debian mirror URL (e.g. the one your apt uses)',
    });
  }
  return m;
}
