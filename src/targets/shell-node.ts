import type { ExecResult, NodeAccess, NodeFile } from './node.js';

type FileOps = Pick<NodeAccess, 'readFile' | 'writeFile' | 'remove' | 'move' | 'list' | 'archiveDir' | 'restoreDir'>;

/**
 * A node's file operations built on nothing but running `sh` there with a
 * stdin: the same scripts whichever way the node is reached (docker exec into a
 * kind node, a privileged pod on any cluster). Bytes travel as base64 through
 * text pipes; mode and owner are kept; writes are atomic (a dot-file beside the
 * target, then rename).
 */
export function shellFileOps(exec: NodeAccess['exec'], where: string): FileOps {
  const sh = (script: string, args: string[], input?: string | Buffer) => exec(['sh', '-c', script, 'sh', ...args], { input });
  return {
    async readFile(path) {
      // stat first (mode, owner), then the bytes as base64: binary-safe through a text pipe
      const r = await sh('[ -e "$1" ] || exit 3; stat -c "%a %u %g" "$1" && base64 -w0 "$1"', [path]);
      if (r.exitCode === 3) return undefined;
      if (r.exitCode !== 0) throw new Error(`read ${where}:${path}: ${r.stderr.trim()}`);
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
      if (r.exitCode !== 0) throw new Error(`write ${where}:${path}: ${r.stderr.trim()}`);
    },
    async remove(path) {
      const r = await sh('[ -e "$1" ] || [ -L "$1" ] || exit 3; rm -f "$1"', [path]);
      if (r.exitCode === 3) return false;
      if (r.exitCode !== 0) throw new Error(`remove ${where}:${path}: ${r.stderr.trim()}`);
      return true;
    },
    async move(from, to) {
      const r = await sh('[ -e "$1" ] || exit 3; mkdir -p "$(dirname "$2")" && mv -f "$1" "$2"', [from, to]);
      if (r.exitCode === 3) return false;
      if (r.exitCode !== 0) throw new Error(`move ${where}:${from} -> ${to}: ${r.stderr.trim()}`);
      return true;
    },
    async list(dir) {
      const r = await sh('[ -d "$1" ] || exit 0; ls -1A "$1"', [dir]);
      if (r.exitCode !== 0) throw new Error(`list ${where}:${dir}: ${r.stderr.trim()}`);
      return r.stdout.split('\n').filter(Boolean).sort();
    },
    async archiveDir(dir) {
      const r = await sh('[ -d "$1" ] || exit 3; tar -C "$1" --numeric-owner -cf - . | base64 -w0', [dir]);
      if (r.exitCode === 3) return undefined;
      if (r.exitCode !== 0) throw new Error(`archive ${where}:${dir}: ${r.stderr.trim()}`);
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
      if (r.exitCode !== 0) throw new Error(`restore ${where}:${dir}: ${r.stderr.trim()}`);
    },
  };
}

/** An exec's result, or (with `check`) its failure as an error naming the node and the command. */
export function checkedResult(where: string, argv: string[], res: ExecResult, check: boolean | undefined): ExecResult {
  if (check && res.exitCode !== 0) throw new Error(`${where}: ${argv.join(' ')}: ${res.stderr.trim() || `exit ${res.exitCode}`}`);
  return res;
}
