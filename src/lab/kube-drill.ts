/**
 * Drills on a Kubernetes lab, through the same runDrill (same traffic, same loss accounting)
 * with Kubernetes failures injected:
 * - memcached-down, tomcat-down: the node's pod is killed (deleted: SIGTERM, the grace period,
 *   gone) and its Deployment starts a new one at once, as it would after a crash; the drill
 *   waits for it to be Ready after the run. A memcached node comes back empty; its Service
 *   keeps its address throughout;
 * - restart: the cluster node the Tomcat's pod runs on is lost (its kubelet, containerd and
 *   every container on it killed: scripts/setup/kube-cluster.sh stop-node), and comes back
 *   during the run; every pod on that node dies with it (a memcached node too, when it
 *   runs there). Test cluster only.
 * verify --failover stops a Tomcat by scaling its Deployment to 0, and starts it by scaling it
 * back to 1 (kubeNodeOps): the Tomcat stays away until the verify brings it back.
 */
import type { ResolvedLab } from '../config/resolve';
import { StepError, UsageError } from '../errors';
import { everyTomcatAnswers } from './settle';
import type { DrillChaos, Scenario } from './drill';
import { kubeCluster, kubectl, podNodes, podsOf, waitPodReady } from './kube';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Scales a lab node's Deployment; with 0, waits until its pod is gone and returns that instant. */
async function scale(lab: ResolvedLab, name: string, replicas: 0 | 1): Promise<number> {
  await kubectl(lab, ['-n', lab.kubernetes!.namespace, 'scale', `deploy/${name}`, `--replicas=${replicas}`]);
  if (replicas === 1) {
    await waitPodReady(lab, name);
    return Date.now();
  }
  const until = Date.now() + 60_000;
  while ((await podsOf(lab, name)).length > 0) {
    if (Date.now() > until) throw new StepError('kubernetes', `${name}'s pod is still there 60 s after scaling it to 0`);
    await sleep(100);
  }
  return Date.now();
}

/** Kills the node's pod (its Deployment starts another at once); returns the instant the old pod was gone. */
export async function killPod(lab: ResolvedLab, name: string): Promise<number> {
  const old = (await podsOf(lab, name)).find((p) => !p.terminating);
  if (!old) throw new StepError('kubernetes', `${name} has no pod to kill`);
  await kubectl(lab, ['-n', lab.kubernetes!.namespace, 'delete', 'pod', old.pod, '--wait=false']);
  const until = Date.now() + 60_000;
  while ((await podsOf(lab, name)).some((p) => p.pod === old.pod)) {
    if (Date.now() > until) throw new StepError('kubernetes', `${name}'s pod ${old.pod} is still there 60 s after it was deleted`);
    await sleep(100);
  }
  return Date.now();
}

/** Stop and start for verify --failover: the Tomcat's Deployment scaled to 0, then back to 1. */
export function kubeNodeOps(lab: ResolvedLab): { stop(name: string): Promise<void>; start(name: string): Promise<void> } {
  return {
    stop: async (name) => void (await scale(lab, name, 0)),
    start: async (name) => void (await scale(lab, name, 1)),
  };
}

/** The test cluster's node number of a node name ("node2" → "2"). */
function nodeNumber(node: string): string {
  const m = /^node([1-9])$/.exec(node);
  if (!m) throw new UsageError(`drill restart on Kubernetes loses a cluster node through scripts/setup/kube-cluster.sh; only its nodes (node1, node2) are known (got "${node}"). Fix: run it on the test cluster`);
  return m[1];
}

/** The cluster nodes the drill stopped, by lab node, so start and restore find them. */
const lostNodes = new Map<string, string>();

export function kubeChaos(lab: ResolvedLab, scenario: Scenario): DrillChaos {
  const kube = lab.kubernetes;
  if (!kube) throw new UsageError(`lab ${lab.name} is not a Kubernetes lab`);
  const nodeLoss = scenario === 'restart';
  if (nodeLoss && !kube.testCluster) throw new UsageError('drill restart on Kubernetes loses a node of the test cluster (scripts/setup/kube-cluster.sh stop-node); this lab is on another cluster. Fix: run memcached-down or tomcat-down there');
  const waitAll = async () => {
    for (const n of Object.keys(kube.placement)) await waitPodReady(lab, n);
  };
  return {
    stopVerb: nodeLoss ? 'lost the cluster node (kube-cluster.sh stop-node) of' : 'killed the pod of',
    startVerb: nodeLoss ? 'brought back the cluster node of' : 'waited for the new pod of',
    async stop(name) {
      if (!nodeLoss) return killPod(lab, name);
      const node = (await podsOf(lab, name)).find((p) => p.ready)?.node;
      if (!node) throw new StepError('kubernetes', `${name} has no Ready pod to lose the node of`);
      // nginx is the lab's one entry point: losing its node fails every request, whatever msm does.
      const lb = lab.loadBalancer.name;
      if ((await podsOf(lab, lb)).some((p) => p.node === node)) {
        const other = lab.tomcats.find((t) => kube.placement[t.name] !== kube.placement[lb]);
        throw new UsageError(`drill restart would lose cluster node ${node}, where ${name} runs beside nginx (${lb}), the lab's only entry point: every request would fail. Fix: ${other ? `--node ${other.name}` : 'place a Tomcat on a node without nginx (engine.placement)'}`);
      }
      lostNodes.set(name, node);
      await kubeCluster('stop-node', nodeNumber(node));
      return Date.now();
    },
    async start(name) {
      const node = lostNodes.get(name);
      if (!node) return void (await waitPodReady(lab, name));
      await kubeCluster('start-node', nodeNumber(node));
      lostNodes.delete(name);
      await waitAll();
    },
    async restore(name, log) {
      if (lostNodes.has(name)) log(`  restoring cluster node ${lostNodes.get(name)} (of ${name})`);
      else if ((await podsOf(lab, name)).some((p) => p.ready && !p.terminating)) return;
      else log(`  waiting for ${name}'s new pod to be Ready`);
      await this.start(name);
    },
    async settle(log) {
      await waitAll();
      // Every Tomcat answers through nginx (fresh sessions; nginx may still hold a node as failed: its fail_timeout).
      await everyTomcatAnswers(lab, lab.probeUrl, 'kubernetes');
      const where = await podNodes(lab);
      log(`settled: ${Object.entries(where).map(([n, h]) => `${n}@${h}`).join(', ')}`);
    },
  };
}
