import { expect } from 'chai';
import { execa } from 'execa';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineScenario, type ScenarioSpec } from '../../src/scenario.js';
import { KdrillError } from '../../src/util/errors.js';
import { detected } from '../../src/expect/detected.js';
import { recovers } from '../../src/expect/recovers.js';
import type { Capability } from '../../src/targets/target.js';
import type { Condition } from '../../src/signals/signal.js';
import { record } from './fixtures/measure.js';

/**
 * The bad-input corpus: malformed CLI arguments, flag values, kind configs,
 * journal files and environment variables, each given to a real `kdrill`
 * process, and malformed scenario definitions given to defineScenario. Every
 * one must end in exit 2 (or a KdrillError of exit 2) with exactly one line
 * that names the problem, no stack trace, and nothing created: the state and
 * cache directories stay as they were and no container appears.
 */
const CLI = 'dist/src/cli.js';

interface Case {
  name: string;
  args: string[];
  /** what the one line must say */
  says: RegExp;
  env?: Record<string, string>;
  /** journal files to put in the state dir first (name -> content) */
  journals?: Record<string, string>;
}

const root = mkdtempSync(join(tmpdir(), 'kdrill-bad-input-'));
const aFile = join(root, 'a-file');
writeFileSync(aFile, 'not a directory');
const notExec = join(root, 'not-executable');
writeFileSync(notExec, '#!/bin/sh\n');
chmodSync(notExec, 0o644);
const aDir = join(root, 'a-dir');
mkdirSync(aDir);

function kindConfig(name: string, text: string): string {
  const p = join(root, `${name}.yaml`);
  writeFileSync(p, text);
  return p;
}

function journal(entries: unknown, over: Record<string, unknown> = {}): string {
  return JSON.stringify({ runId: 'bad', title: 't', host: hostname(), pid: 4_194_997, pidStart: '1', startedAt: '2026-11-30T00:00:00Z', entries, ...over });
}
const entry = (record: unknown, extra: Record<string, unknown> = {}) => [{ id: 1, at: '2026-11-30T00:00:01Z', state: 'pending', record, ...extra }];
const dockerNode = { via: 'docker', cluster: 'kdrill-x', node: 'kdrill-x-worker', container: 'kdrill-x-worker' };

const cases: Case[] = [
  // --- commands and arguments ---
  { name: 'unknown command', args: ['bogus'], says: /unknown command "bogus"/ },
  { name: 'unknown command that looks like a flag', args: ['--bogus'], says: /unknown command "--bogus"/ },
  { name: 'run without ids', args: ['run'], says: /run: no scenario given/ },
  { name: 'run an unknown drill', args: ['run', 'no-such-drill'], says: /unknown scenario "no-such-drill"/ },
  { name: 'run with an unknown option', args: ['run', 'etcd-slow-disk', '--bogus'], says: /run: unknown option '--bogus'/i },
  { name: 'run --json without a value', args: ['run', 'etcd-slow-disk', '--json'], says: /--json.*argument missing/i },
  { name: 'run --json= (empty)', args: ['run', 'etcd-slow-disk', '--json='], says: /--json needs a value/ },
  { name: 'run --json into a missing directory', args: ['run', 'etcd-slow-disk', '--json', '/nonexistent-dir/x.json'], says: /--json \/nonexistent-dir\/x\.json: directory \/nonexistent-dir does not exist/ },
  { name: 'run --json onto a directory', args: ['run', 'etcd-slow-disk', '--json', aDir], says: /is a directory/ },
  { name: 'run --json under a file', args: ['run', 'etcd-slow-disk', '--json', join(aFile, 'x.json')], says: /does not exist/ },
  { name: 'run --keep-clusters with a value', args: ['run', 'etcd-slow-disk', '--keep-clusters=yes'], says: /--keep-clusters.*does not take an argument/i },
  { name: 'run with an unknown drill among known ones', args: ['run', 'etcd-slow-disk', 'nope'], says: /unknown scenario "nope"/ },
  { name: 'run --target-context without a cluster', args: ['run', 'etcd-slow-disk', '--target-context', 'prod'], says: /--target-context confirms --kubeconfig\/--context: give the cluster first/ },
  { name: 'run --node-access with an unknown way', args: ['run', 'cni-leftover-config', '--node-access', 'ssh'], says: /--node-access ssh: expected docker or pod/ },
  { name: 'run --node-image without --node-access pod', args: ['run', 'cni-leftover-config', '--node-image', 'busybox:1.37'], says: /--node-image is the image of the node-access pods: give --node-access pod too/ },
  { name: 'run a drill that stops the API server through pods', args: ['run', 'control-plane-down-data-plane-up', '--node-access', 'pod'], says: /control-plane-down-data-plane-up needs node access that does not go through the API server \(node\.offline\)/ },
  { name: 'run --kubeconfig that does not exist', args: ['run', 'etcd-slow-disk', '--kubeconfig', '/nonexistent/kubeconfig'], says: /kubeconfig \/nonexistent\/kubeconfig does not exist/ },
  { name: 'run a scenario file that does not exist', args: ['run', './no-such-drill.ts'], says: /\.\/no-such-drill\.ts: no such scenario file/ },
  { name: 'list --dir that does not exist', args: ['list', '--dir', '/nonexistent-drills'], says: /\/nonexistent-drills: no such directory/ },
  { name: 'init-drill with a bad name', args: ['init-drill', 'Bad Name'], says: /init-drill/ },
  { name: 'list with an argument', args: ['list', 'extra'], says: /list: unexpected argument 'extra'/i },
  { name: 'list -o yaml', args: ['list', '-o', 'yaml'], says: /-o: expected json or text, got "yaml"/ },
  { name: 'list --bogus', args: ['list', '--bogus'], says: /list: unknown option '--bogus'/i },
  { name: 'list --json=1', args: ['list', '--json=1'], says: /--json.*does not take an argument/i },
  { name: 'clean with an argument', args: ['clean', 'extra'], says: /clean: unexpected argument 'extra'/i },
  { name: 'clean --bogus', args: ['clean', '--bogus'], says: /clean: unknown option '--bogus'/i },
  { name: 'clean --dry-run=1', args: ['clean', '--dry-run=1'], says: /--dry-run.*does not take an argument/i },
  { name: 'cluster without a subcommand', args: ['cluster'], says: /cluster: name a subcommand/ },
  { name: 'cluster bogus', args: ['cluster', 'bogus'], says: /unknown subcommand "bogus"/ },
  { name: 'cluster up with a stray argument', args: ['cluster', 'up', 'extra'], says: /up: unexpected argument "extra"/ },
  { name: '--control-planes 0x3', args: ['cluster', 'up', '--control-planes', '0x3'], says: /--control-planes: expected a whole number 0-9, got "0x3"/ },
  { name: '--control-planes 10', args: ['cluster', 'up', '--control-planes', '10'], says: /--control-planes: expected a whole number 0-9, got "10"/ },
  { name: '--control-planes 1.5', args: ['cluster', 'up', '--control-planes', '1.5'], says: /got "1\.5"/ },
  { name: '--control-planes " 2"', args: ['cluster', 'up', '--control-planes', ' 2'], says: /got " 2"/ },
  { name: '--control-planes 1e1', args: ['cluster', 'up', '--control-planes', '1e1'], says: /got "1e1"/ },
  { name: '--control-planes 0', args: ['cluster', 'up', '--control-planes', '0'], says: /a cluster needs at least 1/ },
  { name: '--control-planes=', args: ['cluster', 'up', '--control-planes='], says: /--control-planes needs a value/ },
  { name: '--workers abc', args: ['cluster', 'up', '--workers', 'abc'], says: /--workers: expected a whole number 0-9, got "abc"/ },
  { name: '--workers -1', args: ['cluster', 'up', '--workers=-1'], says: /--workers: expected a whole number 0-9, got "-1"/ },
  { name: '--pull sometimes', args: ['cluster', 'up', '--pull', 'sometimes'], says: /--pull: expected auto, never or always, got "sometimes"/ },
  { name: '--pull ALWAYS', args: ['cluster', 'up', '--pull', 'ALWAYS'], says: /got "ALWAYS"/ },
  { name: 'cluster name with capitals', args: ['cluster', 'up', '--name', 'Bad_Name'], says: /cluster name "Bad_Name": use lowercase letters, digits and dashes/ },
  { name: 'cluster name with a slash', args: ['cluster', 'up', '--name', 'a/b'], says: /cluster name "a\/b"/ },
  { name: 'cluster name too long', args: ['cluster', 'up', '--name', 'x'.repeat(41)], says: /is too long/ },
  { name: 'cluster name ending in a dash', args: ['cluster', 'up', '--name', 'abc-'], says: /cluster name "abc-"/ },
  { name: 'cluster up --all', args: ['cluster', 'up', '--all'], says: /up: --all does not apply/ },
  { name: 'cluster down without names', args: ['cluster', 'down'], says: /down: name a cluster or pass --all/ },
  { name: 'cluster down --all with a name', args: ['cluster', 'down', '--all', 'x'], says: /not both/ },
  { name: 'cluster down with a bad name', args: ['cluster', 'down', 'Bad_Name'], says: /cluster name "Bad_Name"/ },
  { name: 'cluster down --workers', args: ['cluster', 'down', 'x', '--workers', '2'], says: /down: --workers does not apply/ },
  { name: 'cluster list with an argument', args: ['cluster', 'list', 'extra'], says: /list: unexpected argument "extra"/ },
  { name: 'cluster list -o yaml', args: ['cluster', 'list', '-o', 'yaml'], says: /-o: expected json or text/ },
  { name: 'cluster list --pull never', args: ['cluster', 'list', '--pull', 'never'], says: /list: --pull does not apply/ },
  { name: 'image without a subcommand', args: ['image'], says: /name the subcommand: build/ },
  { name: 'image bogus', args: ['image', 'bogus'], says: /unexpected "bogus": the subcommand is build/ },
  { name: 'image build with a stray argument', args: ['image', 'build', 'extra'], says: /the subcommand is build/ },
  { name: 'image build --pull maybe', args: ['image', 'build', '--pull', 'maybe'], says: /--pull: expected auto, never or always/ },
  { name: 'image --bogus (must not create the cache dir)', args: ['image', '--bogus'], says: /image: unknown option '--bogus'/i },
  { name: 'smoke with an argument', args: ['smoke', 'extra'], says: /smoke: unexpected argument 'extra'/i },
  { name: 'smoke with a bad name', args: ['smoke', '--name', 'Bad'], says: /cluster name "Bad"/ },
  { name: 'smoke --pull x', args: ['smoke', '--pull', 'x'], says: /--pull: expected auto, never or always/ },
  { name: 'smoke --keep=1', args: ['smoke', '--keep=1'], says: /--keep.*does not take an argument/i },
  { name: 'run -o json (no such flag)', args: ['run', 'etcd-slow-disk', '-o', 'json'], says: /run: unknown option '-o'/i },

  // --- kind configs (cluster up --config) ---
  { name: 'kind config that does not exist', args: ['cluster', 'up', '--config', '/nonexistent.yaml'], says: /kind config \/nonexistent\.yaml: cannot read it \(ENOENT\)/ },
  { name: 'kind config that is a directory', args: ['cluster', 'up', '--config', aDir], says: /cannot read it \(EISDIR\)/ },
  { name: 'kind config that is not YAML', args: ['cluster', 'up', '--config', kindConfig('notyaml', 'a: [b\n')], says: /not YAML/ },
  { name: 'empty kind config', args: ['cluster', 'up', '--config', kindConfig('empty', '')], says: /field "kind" must be "Cluster"/ },
  { name: 'kind config of another kind', args: ['cluster', 'up', '--config', kindConfig('pod', 'kind: Pod\napiVersion: v1\n')], says: /field "kind" must be "Cluster"/ },
  { name: 'kind config without apiVersion', args: ['cluster', 'up', '--config', kindConfig('noapi', 'kind: Cluster\n')], says: /field "apiVersion" must be "kind\.x-k8s\.io\/v1alpha4"/ },
  { name: 'kind config of an old apiVersion', args: ['cluster', 'up', '--config', kindConfig('oldapi', 'kind: Cluster\napiVersion: kind.sigs.k8s.io/v1alpha3\n')], says: /field "apiVersion"/ },
  { name: 'kind config nodes: "abc"', args: ['cluster', 'up', '--config', kindConfig('nodes-str', 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes: abc\n')], says: /field "nodes" must be a list of nodes/ },
  { name: 'kind config nodes as a map', args: ['cluster', 'up', '--config', kindConfig('nodes-map', 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes: {a: 1}\n')], says: /field "nodes" must be a list/ },
  { name: 'kind config nodes: [1]', args: ['cluster', 'up', '--config', kindConfig('nodes-num', 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes: [1]\n')], says: /field "nodes\[0\]" must be a node/ },
  { name: 'kind config nodes: [null]', args: ['cluster', 'up', '--config', kindConfig('nodes-null', 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes: [null]\n')], says: /field "nodes\[0\]" must be a node/ },
  { name: 'kind config role: master', args: ['cluster', 'up', '--config', kindConfig('role-master', 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: master\n')], says: /field "nodes\[0\]\.role" must be control-plane or worker/ },
  { name: 'kind config node without a role', args: ['cluster', 'up', '--config', kindConfig('role-none', 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- {}\n')], says: /field "nodes\[0\]\.role"/ },
  { name: 'kind config with workers only', args: ['cluster', 'up', '--config', kindConfig('workers-only', 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: worker\n')], says: /field "nodes" has no control-plane node/ },
  { name: 'kind config that is a list', args: ['cluster', 'up', '--config', kindConfig('list', '- kind: Cluster\n')], says: /field "kind" must be "Cluster"/ },
  { name: 'kind config that is a scalar', args: ['cluster', 'up', '--config', kindConfig('scalar', 'hello\n')], says: /field "kind" must be "Cluster"/ },
  { name: 'kind config with a second node bad', args: ['cluster', 'up', '--config', kindConfig('second-bad', 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n- role: etcd\n')], says: /field "nodes\[1\]\.role"/ },
  { name: 'kind config of binary garbage', args: ['cluster', 'up', '--config', kindConfig('garbage', '\u0000\u0001\u0002: [\n')], says: /kind config .*garbage\.yaml/ },

  // --- environment variables ---
  { name: 'KDRILL_STATE is a file', args: ['clean'], env: { KDRILL_STATE: aFile }, says: /KDRILL_STATE=.*a-file is not a directory/ },
  { name: 'KDRILL_CACHE is a file', args: ['list'], env: { KDRILL_CACHE: aFile }, says: /KDRILL_CACHE=.*a-file is not a directory/ },
  { name: 'KDRILL_STATE empty', args: ['clean'], env: { KDRILL_STATE: '' }, says: /KDRILL_STATE is set but empty/ },
  { name: 'KDRILL_CACHE blank', args: ['list'], env: { KDRILL_CACHE: ' ' }, says: /KDRILL_CACHE is set but empty/ },
  { name: 'KDRILL_KIND relative', args: ['cluster', 'list'], env: { KDRILL_KIND: 'bin/kind' }, says: /KDRILL_KIND=bin\/kind is not an absolute path/ },
  { name: 'KDRILL_KIND missing', args: ['cluster', 'list'], env: { KDRILL_KIND: '/nonexistent/kind' }, says: /KDRILL_KIND=\/nonexistent\/kind is not an executable file/ },
  { name: 'KDRILL_KIND a directory', args: ['cluster', 'list'], env: { KDRILL_KIND: aDir }, says: /is not an executable file/ },
  { name: 'KDRILL_KIND not executable', args: ['cluster', 'list'], env: { KDRILL_KIND: notExec }, says: /is not an executable file/ },
  { name: 'KDRILL_NODE_IMAGE not a reference', args: ['cluster', 'list'], env: { KDRILL_NODE_IMAGE: 'bad image!' }, says: /KDRILL_NODE_IMAGE="bad image!" is not an image reference/ },
  { name: 'KDRILL_NODE_IMAGE empty', args: ['cluster', 'list'], env: { KDRILL_NODE_IMAGE: '' }, says: /KDRILL_NODE_IMAGE="" is not an image reference/ },
  { name: 'KDRILL_DEBIAN_MIRROR ftp', args: ['list'], env: { KDRILL_DEBIAN_MIRROR: 'ftp://mirror/debian' }, says: /KDRILL_DEBIAN_MIRROR="ftp:\/\/mirror\/debian" is not an http\(s\) URL/ },
  { name: 'KDRILL_DEBIAN_MIRROR not a URL', args: ['list'], env: { KDRILL_DEBIAN_MIRROR: 'debian' }, says: /is not an http\(s\) URL/ },
  { name: 'KDRILL_E2E_PULL sometimes', args: ['list'], env: { KDRILL_E2E_PULL: 'sometimes' }, says: /KDRILL_E2E_PULL="sometimes": expected auto, never or always/ },
  { name: 'DOCKER_HOST at no daemon', args: ['cluster', 'list'], env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' }, says: /no Docker daemon answers .* — hint: start one with `sudo bash scripts\/setup-host\.sh`/ },

  // --- journal files (kdrill clean) ---
  { name: 'journal that is not JSON', args: ['clean'], journals: { 'a.json': '{ not json' }, says: /skip .*a\.json: not a readable journal \(not JSON/ },
  { name: 'journal that is an array', args: ['clean'], journals: { 'a.json': '[]' }, says: /not a readable journal \(field "runId": expected a string\)/ },
  { name: 'journal without runId', args: ['clean'], journals: { 'a.json': journal([], { runId: undefined }) }, says: /field "runId": expected a string/ },
  { name: 'journal whose entries are not a list', args: ['clean'], journals: { 'a.json': journal({}) }, says: /field "entries": expected a list/ },
  { name: 'journal with a pid that is not a number', args: ['clean'], journals: { 'a.json': journal([], { pid: 'x' }) }, says: /field "pid": expected a whole number/ },
  { name: 'journal entry in a strange state', args: ['clean'], journals: { 'a.json': journal(entry({ type: 'kind-cluster', cluster: 'kdrill-x' }, { state: 'weird' })) }, says: /field "entries\[0\]": expected \{id, at, record, state: pending\|reverted\}/ },
  { name: 'journal entry without a record', args: ['clean'], journals: { 'a.json': journal([{ id: 1, at: 'x', state: 'pending' }]) }, says: /field "entries\[0\]"/ },
  { name: 'record of an unknown kind', args: ['clean'], journals: { 'a.json': journal(entry({ type: 'format-disk', device: '/dev/vda' })) }, says: /entry 1: invalid "format-disk" record, field "type": unknown change kind/ },
  { name: 'blkio record on /etc/passwd', args: ['clean'], journals: { 'a.json': journal(entry({ type: 'blkio-limit', cgroupFile: '/etc/passwd', device: '7:0', previous: 0 })) }, says: /field "cgroupFile": \/etc\/passwd is outside \/sys\/fs\/cgroup\/blkio/ },
  { name: 'blkio record climbing with ..', args: ['clean'], journals: { 'a.json': journal(entry({ type: 'blkio-limit', cgroupFile: '/sys/fs/cgroup/blkio/../../../etc/passwd', device: '7:0', previous: 0 })) }, says: /field "cgroupFile": expected an absolute normalised path/ },
  { name: 'blkio record on a non-throttle file', args: ['clean'], journals: { 'a.json': journal(entry({ type: 'blkio-limit', cgroupFile: '/sys/fs/cgroup/blkio/x/cgroup.procs', device: '7:0', previous: 0 })) }, says: /not a blkio\.throttle\.\*_device file/ },
  { name: 'blkio record with a bad device', args: ['clean'], journals: { 'a.json': journal(entry({ type: 'blkio-limit', cgroupFile: '/sys/fs/cgroup/blkio/x/blkio.throttle.write_iops_device', device: 'sda', previous: 0 })) }, says: /field "device"/ },
  { name: 'node-file record with a relative path', args: ['clean'], journals: { 'a.json': journal(entry({ type: 'node-file', node: dockerNode, path: 'etc/x' })) }, says: /field "path": expected an absolute normalised path/ },
  { name: 'node-file record on a container that is not kdrill\'s', args: ['clean'], journals: { 'a.json': journal(entry({ type: 'node-file', node: { ...dockerNode, container: 'postgres' }, path: '/etc/x' })) }, says: /field "node\.container"/ },
  { name: 'node-file record with a bad mode', args: ['clean'], journals: { 'a.json': journal(entry({ type: 'node-file', node: dockerNode, path: '/etc/x', prior: { b64: '', mode: 99999, uid: 0, gid: 0 } })) }, says: /field "mode"/ },
  { name: 'node-file record reached some other way', args: ['clean'], journals: { 'a.json': journal(entry({ type: 'node-file', node: { via: 'ssh' }, path: '/etc/x' })) }, says: /field "node\.via"/ },
  { name: 'loop-disk record outside the disks dir', args: ['clean'], journals: { 'a.json': journal(entry({ type: 'loop-disk', cluster: 'kdrill-x', file: '/var/lib/important.img', mountpoint: '/var/lib/important' })) }, says: /field "file": \/var\/lib\/important\.img is outside/ },
  { name: 'kind-cluster record for a cluster kdrill does not name', args: ['clean'], journals: { 'a.json': journal(entry({ type: 'kind-cluster', cluster: 'prod' })) }, says: /field "cluster": "prod" does not match/ },
  { name: 'docker-container record for someone else\'s container', args: ['clean'], journals: { 'a.json': journal(entry({ type: 'docker-container', container: 'postgres' })) }, says: /field "container": "postgres" does not match/ },
  { name: 'docker-network record for the bridge', args: ['clean'], journals: { 'a.json': journal(entry({ type: 'docker-network', network: 'bridge' })) }, says: /field "network": "bridge" does not match/ },
  { name: 'kube-object record with a relative kubeconfig', args: ['clean'], journals: { 'a.json': journal(entry({ type: 'kube-object', kube: { via: 'kubeconfig', kubeconfig: 'kc', context: 'prod' }, id: { apiVersion: 'v1', kind: 'ConfigMap', name: 'x' }, prior: null })) }, says: /field "kubeconfig"/ },
  { name: 'kube-object record whose prior is another object', args: ['clean'], journals: { 'a.json': journal(entry({ type: 'kube-object', kube: { via: 'kind', cluster: 'kdrill-x' }, id: { apiVersion: 'v1', kind: 'ConfigMap', name: 'x' }, prior: { kind: 'Secret', metadata: { name: 'y' } } })) }, says: /field "prior": is not ConfigMap x/ },
  { name: 'kube-object record of a lower-case kind', args: ['clean'], journals: { 'a.json': journal(entry({ type: 'kube-object', kube: { via: 'kind', cluster: 'kdrill-x' }, id: { apiVersion: 'v1', kind: 'configmap', name: 'x' }, prior: null })) }, says: /field "id\.kind"/ },
  { name: 'docker-disconnect record with bad aliases', args: ['clean'], journals: { 'a.json': journal(entry({ type: 'docker-disconnect', container: 'kdrill-etcd-m1', network: 'n', aliases: 'm1' })) }, says: /field "aliases": expected a list of names/ },
];

/** Malformed scenario definitions, given to defineScenario (what a user's drill file does when it loads). */
const source = (key: string, needs: Capability[]) => ({ key, needs, start: async () => ({ stop: async () => undefined }) });
const cond: Condition = { name: 'c', kind: 'level', sources: [source('s', ['etcd'])], test: () => undefined };
const provides = new Set<Capability>(['etcd']);
const good: ScenarioSpec = {
  id: 'a-drill',
  title: 't',
  incident: 'i',
  target: { name: 'an etcd-only target', provides, provision: async () => ({ kind: 'x', provides, describe: () => 'x', teardown: async () => undefined }) },
  fault: { name: 'f', needs: ['etcd'], describe: () => 'f', inject: async () => ({}) as never },
  expect: [detected(cond).within('10s'), recovers.within('1m')],
};
const scenarioCases: { name: string; patch: Record<string, unknown>; says: RegExp }[] = [
  { name: 'id with spaces', patch: { id: 'a drill' }, says: /field "id": expected a kebab-case string/ },
  { name: 'id in capitals', patch: { id: 'ADrill' }, says: /field "id"/ },
  { name: 'id a number', patch: { id: 3 }, says: /field "id"/ },
  { name: 'id missing', patch: { id: undefined }, says: /scenario \(no id\): field "id"/ },
  { name: 'title empty', patch: { title: '  ' }, says: /field "title": expected a non-empty string/ },
  { name: 'incident missing', patch: { incident: undefined }, says: /field "incident"/ },
  { name: 'source a path', patch: { source: 'incidents/000.txt' }, says: /field "source": expected \{ title, author\?, publisher\?, url \}/ },
  { name: 'source without a URL', patch: { source: { title: 'x' } }, says: /field "source\.url": expected an http\(s\) URL/ },
  { name: 'source with a file URL', patch: { source: { title: 'x', url: 'file:///etc/passwd' } }, says: /field "source\.url"/ },
  { name: 'source without a title', patch: { source: { url: 'https://example.org' } }, says: /field "source\.title"/ },
  { name: 'source author a number', patch: { source: { title: 'x', url: 'https://example.org', author: 1 } }, says: /field "source\.author"/ },
  { name: 'target missing', patch: { target: undefined }, says: /field "target": expected a target provider/ },
  { name: 'target without provides', patch: { target: { name: 'x', provision: async () => ({}) } }, says: /field "target"/ },
  { name: 'fault missing', patch: { fault: undefined }, says: /field "fault": expected a fault/ },
  { name: 'fault without needs', patch: { fault: { name: 'f', describe: () => 'f', inject: async () => ({}) } }, says: /field "fault"/ },
  { name: 'fault the target cannot serve', patch: { fault: { ...good.fault, name: 'delayFsync', needs: ['etcd.slowfs'] } }, says: /field "fault": delayFsync needs etcd data dirs behind kdrill-slowfs \(etcd\.slowfs\), which an etcd-only target does not provide/ },
  { name: 'expect empty', patch: { expect: [] }, says: /field "expect": expected a non-empty list/ },
  { name: 'expect not a list', patch: { expect: 'detected' }, says: /field "expect"/ },
  { name: 'expect with a bare object', patch: { expect: [{ kind: 'maybe' }] }, says: /field "expect\[0\]"/ },
  { name: 'two recovers', patch: { expect: [recovers.within('1s'), recovers.within('2s')] }, says: /field "expect": at most one recovers/ },
  { name: 'expectation the target cannot serve', patch: { expect: [detected({ ...cond, name: 'kubelet log', sources: [source('k', ['node.fs'])] }).within('1s')] }, says: /field "expect\[0\]": kubelet log needs the nodes' file systems/ },
  { name: 'steady not a list', patch: { steady: 'calm' }, says: /field "steady": expected a list of conditions/ },
  { name: 'steady with a non-condition', patch: { steady: [{}] }, says: /field "steady\[0\]"/ },
  { name: 'hold not a duration', patch: { hold: '10 parsecs' }, says: /field "hold": cannot read "10 parsecs"/ },
  { name: 'baseline negative', patch: { baseline: -5 }, says: /field "baseline"/ },
  { name: 'baseline deadline shorter than the baseline', patch: { baseline: '1m', baselineDeadline: '10s' }, says: /field "baselineDeadline": must be at least the baseline/ },
  { name: 'spec not an object', patch: { __replace: 42 }, says: /field "\(scenario\)"|field "id"/ },
];

describe('bad input: every malformed input is one line, exit 2, and nothing created', function () {
  const state = join(root, 'state'); // never created: each case checks it stays so
  const cache = join(root, 'cache');
  let containersBefore: string;
  const messages = new Set<string>();

  before(async () => {
    containersBefore = (await execa('docker', ['ps', '-aq'])).stdout;
  });

  it(`${cases.length} malformed CLI arguments, flag values, kind configs, environment variables and journal files`, async () => {
    let i = 0;
    const run1 = async (c: Case): Promise<void> => {
      const caseState = c.journals ? join(root, `state-${i++}`) : state;
      const before = new Map<string, number>();
      if (c.journals) {
        mkdirSync(join(caseState, 'journal'), { recursive: true });
        for (const [n, text] of Object.entries(c.journals)) {
          writeFileSync(join(caseState, 'journal', n), text);
          before.set(n, statSync(join(caseState, 'journal', n)).mtimeMs);
        }
      }
      const r = await execa('node', [CLI, ...c.args], { env: { KDRILL_STATE: caseState, KDRILL_CACHE: cache, CI: '1', ...c.env }, reject: false, all: false, timeout: 60_000 });
      const lines = r.stderr.split('\n').filter((l) => l.trim());
      const where = `${c.name}: kdrill ${c.args.join(' ')}\n${r.stderr}`;
      expect(r.exitCode, where).to.equal(2);
      expect(lines, where).to.have.length(1);
      expect(lines[0], where).to.match(c.says);
      expect(r.stderr, where).to.not.match(/\n\s+at |Error: .*\n.*node:internal/);
      messages.add(lines[0]!.replace(/\/tmp\/kdrill-bad-input-\w+/g, '<tmp>'));
      // nothing created: no state or cache dir; a journal case's dir holds only its journal files, untouched
      if (c.journals) {
        expect(readdirSync(caseState), where).to.deep.equal(['journal']);
        expect(readdirSync(join(caseState, 'journal')).sort(), where).to.deep.equal([...before.keys()].sort());
        for (const [n, t] of before) expect(statSync(join(caseState, 'journal', n)).mtimeMs, where).to.equal(t);
      }
    };
    // four at a time: each is a node process start
    const queue = [...cases];
    await Promise.all(Array.from({ length: 4 }, async () => {
      for (let c = queue.shift(); c; c = queue.shift()) await run1(c);
    }));
    expect(existsSync(state), 'state dir created').to.equal(false);
    expect(existsSync(cache), 'cache dir created').to.equal(false);
    expect((await execa('docker', ['ps', '-aq'])).stdout, 'containers created').to.equal(containersBefore);
  });

  it(`${scenarioCases.length} malformed scenario definitions`, () => {
    for (const c of scenarioCases) {
      const spec = '__replace' in c.patch ? c.patch.__replace : { ...good, ...c.patch };
      let err: unknown;
      try {
        defineScenario(spec as ScenarioSpec);
      } catch (e) {
        err = e;
      }
      expect(err, c.name).to.be.instanceOf(KdrillError);
      expect((err as KdrillError).exitCode, c.name).to.equal(2);
      expect((err as Error).message, c.name).to.match(c.says);
      expect((err as Error).message.split('\n'), c.name).to.have.length(1);
      messages.add((err as Error).message);
    }
  });

  after(() => {
    const total = cases.length + scenarioCases.length;
    record('bad input', `${total} malformed inputs (${cases.length} to the CLI, ${scenarioCases.length} scenario definitions), ${messages.size} distinct messages`);
    rmSync(root, { recursive: true, force: true });
  });
});
