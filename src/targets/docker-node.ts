import { execa, type ResultPromise } from 'execa';
import { createInterface } from 'node:readline';
import { readFile } from 'node:fs/promises';
import { processesInContainer } from '../cluster/host-procs.js';
import { containerCgroupDir, hostCgroupLayout, placeOf } from '../host/cgroups.js';
import type { NodeAccess, NodeProcess, NodeRef } from './node.js';
import { checkedResult, shellFileOps } from './shell-node.js';

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
    return checkedResult(c, argv, { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr }, opts.check);
  };
  return {
    ref,
    name: ref.node,
    exec,
    ...shellFileOps(exec, c),
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
