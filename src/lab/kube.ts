/**
 * What a Kubernetes lab needs at deploy time and after, through kubectl with the lab's
 * kubeconfig: the cluster answers, every placement names a Ready node, the Terraform
 * provider is at hand, the Tomcat image is built and every image is on the nodes (imported
 * into the test cluster's, or pushed to the registry); then the pods, and commands inside them.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ResolvedKubernetes } from '../config/kubernetes';
import { KUBE_CLUSTER_SCRIPT, KUBE_LAB_LABEL, KUBE_TEST_CLUSTER } from '../config/layout';
import type { ResolvedLab } from '../config/resolve';
import { StepError, UsageError } from '../errors';
import { defaultCacheRoot } from '../jars/fetch';
import { PACKAGE_ROOT } from '../paths';
import { KUBE_NODE_NAME_LABEL } from '../constructs/kube-node';

const exec = promisify(execFile);

function kubeOf(lab: ResolvedLab): ResolvedKubernetes {
  if (!lab.kubernetes) throw new UsageError(`lab ${lab.name} is not a Kubernetes lab. Fix: set engine.kind to "kubernetes" in its config`);
  return lab.kubernetes;
}

/** kubectl: $MSM_KIT_KUBECTL, else the test cluster's (its version matches the cluster's), else the one on PATH. */
export function kubectlPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MSM_KIT_KUBECTL) return env.MSM_KIT_KUBECTL;
  const built = join(defaultCacheRoot(), 'kubernetes', KUBE_TEST_CLUSTER.version, 'bin', 'kubectl');
  return existsSync(built) ? built : 'kubectl';
}

/** `kubectl --kubeconfig <lab's> ...`; a StepError with kubectl's last lines when it fails. */
export async function kubectl(lab: ResolvedLab, args: string[], timeoutMs = 120_000): Promise<string> {
  const kube = kubeOf(lab);
  const bin = kubectlPath();
  try {
    const { stdout } = await exec(bin, ['--kubeconfig', kube.kubeconfig, ...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    return stdout.trim();
  } catch (e) {
    const err = e as { code?: string; stderr?: string; message: string };
    if (err.code === 'ENOENT') throw new StepError('kubernetes', `kubectl is not on PATH (looked for ${bin}). Fix: install kubectl, set MSM_KIT_KUBECTL, or build the test cluster (bash ${KUBE_CLUSTER_SCRIPT} build)`);
    throw new StepError('kubernetes', `kubectl ${args.join(' ')} failed: ${(err.stderr || err.message).trim().split('\n').slice(-3).join(' ')}`);
  }
}

/** The test cluster's script (import, stop-node, start-node). */
export async function kubeCluster(...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await exec('bash', [join(PACKAGE_ROOT, KUBE_CLUSTER_SCRIPT), ...args], { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 });
    return `${stdout}${stderr}`.trim();
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new StepError('kubernetes', `${KUBE_CLUSTER_SCRIPT} ${args.join(' ')} failed: ${(err.stderr || err.message).trim().split('\n').slice(-3).join(' ')}`);
  }
}

export interface KubeNodeStatus {
  readonly name: string;
  readonly ready: boolean;
  readonly address: string;
}

/** The cluster's nodes; a clear error when no cluster answers on the lab's kubeconfig. */
export async function clusterNodes(lab: ResolvedLab): Promise<KubeNodeStatus[]> {
  const kube = kubeOf(lab);
  if (!existsSync(kube.kubeconfig))
    throw new StepError('kubernetes', `no kubeconfig at engine.kubeconfig ${kube.kubeconfig}. Fix: ${kube.testCluster ? `start the test cluster (bash ${KUBE_CLUSTER_SCRIPT} up)` : 'point engine.kubeconfig at your cluster\'s kubeconfig'}`);
  let out: string;
  try {
    out = await kubectl(lab, ['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Ready")].status} {.status.addresses[?(@.type=="InternalIP")].address}{"\\n"}{end}'], 20_000);
  } catch (e) {
    throw new StepError('kubernetes', `no cluster answers with engine.kubeconfig ${kube.kubeconfig} (${(e as Error).message}). Fix: ${kube.testCluster ? `start the test cluster (bash ${KUBE_CLUSTER_SCRIPT} up)` : 'check the kubeconfig and that its cluster runs'}`);
  }
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [name, ready, address] = l.split(' ');
      return { name, ready: ready === 'True', address: address ?? '' };
    });
}

/** Refuses a placement on a node the cluster does not have, or one that is not Ready (before anything is deployed). */
export function checkKubePlacements(lab: ResolvedLab, nodes: readonly KubeNodeStatus[]): void {
  const kube = kubeOf(lab);
  const problems = Object.entries(kube.placement).flatMap(([name, node]) => {
    const n = nodes.find((x) => x.name === node);
    if (!n) return [`engine.nodes / engine.placement: the cluster has no node "${node}" (where ${name} is placed)`];
    if (!n.ready) return [`engine.nodes / engine.placement: node "${node}" (where ${name} is placed) is not Ready`];
    return [];
  });
  if (problems.length)
    throw new UsageError(`${problems.join('\n')}\nFix: use nodes of the cluster (${nodes.map((n) => `${n.name}${n.ready ? '' : ' (not Ready)'}`).join(', ') || 'none'}) in engine.nodes / engine.placement, or bring the node back`);
}

/** The hashicorp/kubernetes provider, when the kit's offline Terraform config is in use: built into its mirror. */
export function checkKubeProvider(env: NodeJS.ProcessEnv = process.env): void {
  const rc = env.TF_CLI_CONFIG_FILE ?? '';
  if (!rc.endsWith(join('.msm-kit', 'terraformrc'))) return;
  const dir = join(defaultCacheRoot(), 'terraform-mirror', 'registry.terraform.io', 'hashicorp', 'kubernetes');
  if (!existsSync(dir))
    throw new StepError('kubernetes', `Terraform's provider hashicorp/kubernetes is not in the kit's mirror (${dir}), and TF_CLI_CONFIG_FILE (${rc}) installs it from there only. Fix: bash scripts/setup/provider-kubernetes.sh (builds it from the Go module proxy, ~3 min)`);
}

/** Builds the Tomcat image on this machine's engine and puts every image of the lab on the nodes. */
export async function shipImages(lab: ResolvedLab, contextDir: string, tomcatTag: string, log: (l: string) => void): Promise<void> {
  const kube = kubeOf(lab);
  const t0 = Date.now();
  const docker = (args: string[]) => exec('docker', ['-H', lab.dockerHost, ...args], { timeout: 900_000, maxBuffer: 64 * 1024 * 1024 }).catch((e: { stderr?: string; message: string }) => {
    throw new StepError('docker', `docker ${args.join(' ')} failed: ${(e.stderr || e.message).trim().split('\n').slice(-3).join(' ')}`);
  });
  await docker(['build', '-q', '-t', tomcatTag, contextDir]);
  log(`[kubernetes] built ${tomcatTag} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  const local = { memcached: lab.images.memcached!, nginx: lab.images.nginx };
  const t1 = Date.now();
  if (kube.registry) {
    for (const [local_, remote] of [[local.memcached, kube.images.memcached], [local.nginx, kube.images.nginx]]) await docker(['tag', local_, remote]);
    for (const img of [tomcatTag, kube.images.memcached, kube.images.nginx]) await docker(['push', '-q', img]);
    log(`[kubernetes] pushed the images to ${kube.registry} (${((Date.now() - t1) / 1000).toFixed(1)} s)`);
    return;
  }
  if (!kube.testCluster)
    throw new UsageError(`engine.registry is not set, and the cluster of ${kube.kubeconfig} is not the test cluster: its nodes cannot get the lab's images. Fix: set engine.registry to a registry every node pulls from`);
  const out = await kubeCluster('import', tomcatTag, local.memcached, local.nginx);
  for (const l of out.split('\n').filter((x) => /imported|already/.test(x))) log(`[kubernetes] ${l.replace(/^\[[^\]]*\] /, '')}`);
  log(`[kubernetes] images on the nodes in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
}

/** Before apply: the cluster answers, placements name Ready nodes, the provider and the images are there. */
export async function prepareKube(lab: ResolvedLab, contextDir: string, tomcatTag: string, log: (l: string) => void): Promise<void> {
  const nodes = await clusterNodes(lab);
  checkKubePlacements(lab, nodes);
  checkKubeProvider();
  log(`[kubernetes] ${nodes.length} nodes: ${nodes.map((n) => `${n.name} (${n.address}${n.ready ? '' : ', not Ready'})`).join(', ')}; namespace ${kubeOf(lab).namespace}`);
  await shipImages(lab, contextDir, tomcatTag, log);
}

export interface KubePod {
  readonly pod: string;
  readonly node: string;
  readonly ready: boolean;
  /** Deleted, still shutting down. */
  readonly terminating: boolean;
}

/** The pods of one lab node (Deployment), newest first. */
export async function podsOf(lab: ResolvedLab, name: string): Promise<KubePod[]> {
  const kube = kubeOf(lab);
  const out = await kubectl(lab, ['-n', kube.namespace, 'get', 'pods', '-l', `${KUBE_LAB_LABEL}=${lab.name},${KUBE_NODE_NAME_LABEL}=${name}`, '--sort-by=.metadata.creationTimestamp', '-o',
    'jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName} {.status.conditions[?(@.type=="Ready")].status} {.metadata.deletionTimestamp}{"\\n"}{end}'], 20_000);
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [pod, node, ready, deleted] = l.split(' ');
      return { pod, node: node ?? '', ready: ready === 'True', terminating: Boolean(deleted) };
    })
    .reverse();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the node's Deployment has exactly one pod and it is Ready (an old one gone). */
export async function waitPodReady(lab: ResolvedLab, name: string, timeoutS = 180): Promise<KubePod> {
  const until = Date.now() + timeoutS * 1000;
  for (;;) {
    const pods = await podsOf(lab, name).catch(() => []);
    if (pods.length === 1 && pods[0].ready && !pods[0].terminating) return pods[0];
    if (Date.now() > until)
      throw new StepError('kubernetes', `${name} has no single Ready pod after ${timeoutS} s (${pods.map((p) => `${p.pod}@${p.node}${p.ready ? ' ready' : ''}${p.terminating ? ' terminating' : ''}`).join(', ') || 'none'}). Fix: kubectl --kubeconfig ${kubeOf(lab).kubeconfig} -n ${kubeOf(lab).namespace} describe pods`);
    await sleep(500);
  }
}

/** `sh -c <script>` in the node's pod (for the version check). */
export async function execInNode(lab: ResolvedLab, name: string, script: string): Promise<string> {
  return kubectl(lab, ['-n', kubeOf(lab).namespace, 'exec', `deploy/${name}`, '--', 'sh', '-c', script], 60_000);
}

/** Where each node's pod runs, by node name ('' when none is Ready). */
export async function podNodes(lab: ResolvedLab): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(kubeOf(lab).placement)) out[name] = (await podsOf(lab, name)).find((p) => p.ready)?.node ?? '';
  return out;
}
