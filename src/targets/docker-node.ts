import { execa, type ResultPromise } from 'execa';
import { createInterface } from 'node:readline';
import { readFile } from 'node:fs/promises';
import { processesInContainer } from '../cluster/host-procs.js';
import { containerCgroupDir, hostCgroupLayout, placeOf } from '../host/cgroups.js';
import type { ExecResult, NodeAccess, NodeFile, NodeProcess, NodeRef } from './node.js';

type DockerRef = Extract<NodeRef, { via: 'docker' }>;

/**
 * A kind node container reached with `docker exec`: no API server involved,
 * so changes made through it can be reverted while the control plane is down
 * (capability node.offline), and its processes are read from the host's /proc.
 */
export function dockerNode(ref: DockerRef): NodeAccess {
  const c = ref.container;
  let id: string | undefined;
  const exec: NodeAccess['exec'] = async (argv, opts = {}) => {
    const r = await execa('docker', ['exec', ...(opts.input !== undefined ? ['-i'] : []), c, ...argv], {
      reject: false,
      timeout: opts.timeoutMs ?? 120_000,
      ...(opts.input !== undefined ? { input: opts.input } : {}),
      encoding: 'utf8',
    });
    const res: ExecResult = { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
    if (opts.check && res.exitCode !== 0) throw new Error(`${c}: ${argv.join(' ')}: ${res.stderr.trim() || `exit ${res.exitCode}`}`);
    return res;
  };
  const sh = (script: string, args: string[], input?: string | Buffer) => exec(['sh', '-c', script, 'sh', ...args], { input });
  return {
    ref,
    name: ref.node,
    exec,
    async readFile(path) {
      // stat first (mode, owner), then the bytes as base64: binary-safe through a text pipe
      const r = await sh('[ -e "$1" ] || exit 3; stat -c "%a %u %g" "$1" && base64 -w0 "$1"', [path]);
      if (r.exitCode === 3) return undefined;
      if (r.exitCode !== 0) throw new Error(`read ${c}:${path}: ${r.stderr.trim()}`);
      const [meta, b64 = ''] = r.stdout.split('\n');
      const [mode, uid, gid] = meta!.trim().split(' ').map((x, i) => (i === 0 ? parseInt(x, 8) : Number(x)));
      return { content: Buffer.from(b64.trim(), 'base64'), mode: mode!, uid: uid!, gid: gid! } satisfies NodeFile;
    },
    async writeFile(path, f) {
      const content = Buffer.isBuffer(f.content) ? f.content : Buffer.from(f.content);
      const mode = (f.mode ?? 0o644).toString(8);
      // a dot-file beside the target: kubelet and containerd skip dot-files, so neither reads half a file
      const r = await sh(
        'set -e; d=$(dirname "$1"); mkdir -p "$d"; t="$d/.kdrill-$$.tmp"; base64 -d > "$t"; chmod "$2" "$t"; chown "$3:$4" "$t"; mv -f "$t" "$1"',
        [path, mode, String(f.uid ?? 0), String(f.gid ?? 0)],
        content.toString('base64'),
      );
      if (r.exitCode !== 0) throw new Error(`write ${c}:${path}: ${r.stderr.trim()}`);
    },
    async remove(path) {
      const r = await sh('[ -e "$1" ] || [ -L "$1" ] || exit 3; rm -f "$1"', [path]);
      if (r.exitCode === 3) return false;
      if (r.exitCode !== 0) throw new Error(`remove ${c}:${path}: ${r.stderr.trim()}`);
      return true;
    },
    async move(from, to) {
      const r = await sh('[ -e "$1" ] || exit 3; mkdir -p "$(dirname "$2")" && mv -f "$1" "$2"', [from, to]);
      if (r.exitCode === 3) return false;
      if (r.exitCode !== 0) throw new Error(`move ${c}:${from} -> ${to}: ${r.stderr.trim()}`);
      return true;
    },
    async list(dir) {
      const r = await sh('[ -d "$1" ] || exit 0; ls -1A "$1"', [dir]);
      if (r.exitCode !== 0) throw new Error(`list ${c}:${dir}: ${r.stderr.trim()}`);
      return r.stdout.split('\n').filter(Boolean).sort();
    },
    async archiveDir(dir) {
      const r = await sh('[ -d "$1" ] || exit 3; tar -C "$1" --numeric-owner -cf - . | base64 -w0', [dir]);
      if (r.exitCode === 3) return undefined;
      if (r.exitCode !== 0) throw new Error(`archive ${c}:${dir}: ${r.stderr.trim()}`);
      return Buffer.from(r.stdout.trim(), 'base64');
    },
    async restoreDir(dir, archive) {
      // in place, never by replacing the directory itself: a watcher on it (containerd watches /etc/cni/net.d with
      // inotify) loses its watch when the directory it watches is deleted, and never sees the restored one
      const r = archive
        ? await sh(
            'set -e; mkdir -p "$1"; t=$(mktemp); trap \'rm -f "$t"\' EXIT; base64 -d > "$t"; ' +
              // what is there now and not in the archive goes; then the archive's files are written over
              'keep=$(tar -tf "$t" | sed -e "s#^\\./##" -e "s#/$##" | grep -v "^\\.\\?$" || true); ' +
              'find "$1" -mindepth 1 -depth -printf "%P\\n" | while IFS= read -r p; do ' +
              'printf "%s\\n" "$keep" | grep -qxF -- "$p" || rm -rf -- "$1/$p"; done; ' +
              'tar -C "$1" --numeric-owner -xpf "$t"',
            [dir],
            archive.toString('base64'),
          )
        : await sh('rm -rf "$1"', [dir]);
      if (r.exitCode !== 0) throw new Error(`restore ${c}:${dir}: ${r.stderr.trim()}`);
    },
    async processes(command): Promise<NodeProcess[]> {
      id ??= (await execa('docker', ['inspect', '--format', '{{.Id}}', c])).stdout.trim();
      return processesInContainer(id, command);
    },
    follow(script, onLine) {
      return followDockerScript(c, script, onLine);
    },
    async hostCgroup(controller) {
      const [full, pid] = (await execa('docker', ['inspect', '--format', '{{.Id}} {{.State.Pid}}', c])).stdout.trim().split(' ');
      if (!full || !pid || pid === '0') throw new Error(`${c} is not running: no cgroup`);
      const place = placeOf(await hostCgroupLayout(), controller);
      if (!place) throw new Error(`this host's cgroups offer no ${controller} controller (neither cgroup v1 nor v2)`);
      return { dir: containerCgroupDir(await readFile(`/proc/${pid}/cgroup`, 'utf8'), full, place, controller), version: place.version };
    },
    async reachable() {
      const r = await execa('docker', ['inspect', '--format', '{{.State.Running}}', c], { reject: false });
      return r.stdout.trim() === 'true';
    },
  };
}

/**
 * Streams lines a shell script prints inside a node container. The script
 * ends when we stop: docker exec -i keeps its stdin open for as long as our
 * client lives, and a `cat` waiting on that stdin sees EOF when it goes, then
 * stops the script and its children. (Output alone would not tell it: dockerd
 * keeps the output pipe open after the client is gone.)
 */
export function followDockerScript(container: string, script: string, onLine: (line: string) => void): () => void {
  const wrapped = `( ${script} ) & c=$!; cat >/dev/null; kill -STOP $c 2>/dev/null; pkill -P $c 2>/dev/null; kill -9 $c 2>/dev/null; true`;
  let proc: ResultPromise | undefined = execa('docker', ['exec', '-i', container, 'sh', '-c', wrapped], { reject: false, buffer: false, stdin: 'pipe' });
  createInterface({ input: proc.stdout! }).on('line', onLine);
  return () => {
    proc?.stdin?.end();
    proc?.kill();
    proc = undefined;
  };
}
