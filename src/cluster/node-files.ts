import { execa } from 'execa';

/** Files inside a kind node container (static pod manifests, CNI configs), through docker exec. */
export async function readNodeFile(container: string, path: string): Promise<string | undefined> {
  const r = await execa('docker', ['exec', container, 'cat', path], { reject: false });
  if (r.exitCode !== 0) {
    if (/No such file/.test(r.stderr)) return undefined;
    throw new Error(`read ${container}:${path}: ${r.stderr.trim()}`);
  }
  return r.stdout + (r.stdout.endsWith('\n') ? '' : '\n');
}

/** Writes atomically (temp file in the same directory, then rename), so kubelet never reads half a manifest. */
export async function writeNodeFile(container: string, path: string, content: string): Promise<void> {
  const tmp = `${path.replace(/\/[^/]*$/, '')}/.kdrill-${process.pid}.tmp`;
  await execa('docker', ['exec', '-i', container, 'sh', '-c', 'cat > "$1" && mv -f "$1" "$2"', 'sh', tmp, path], { input: content });
}

/** Moves a file inside the node if it is there; true when something moved. */
export async function moveNodeFile(container: string, from: string, to: string): Promise<boolean> {
  const r = await execa('docker', ['exec', container, 'sh', '-c', '[ -e "$1" ] || exit 3; mkdir -p "$(dirname "$2")" && mv -f "$1" "$2"', 'sh', from, to], {
    reject: false,
  });
  if (r.exitCode === 3) return false;
  if (r.exitCode !== 0) throw new Error(`move ${container}:${from} -> ${to}: ${r.stderr.trim()}`);
  return true;
}
