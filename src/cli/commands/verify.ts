/** `verify`: N requests through nginx with one cookie jar; the session must be shared. */
import type { Command } from 'commander';
import { ConfigError, UsageError } from '../../errors';
import { dockerCli } from '../../lab/docker';
import { verifyLab } from '../../lab/verify';
import { webappServing } from '../../config/webapps';
import { usesSasl } from '../../config/secrets';
import type { ResolvedLab } from '../../config/resolve';
import { applyHttpsTrust, configOption, httpsOptions, loadLab, log, positive, type HttpsOpts } from '../options';

export function register(program: Command): void {
  httpsOptions(configOption(program.command('verify').description('prove sessions are shared: N requests through nginx with one cookie jar'), 'lab config (for the URL and the mode)')
    .option('--url <url>', 'lab URL (default: from the config)')
    .option('-n, --requests <n>', 'number of requests', positive, 10)
    .option('--path <path>', 'check this path of the lab instead of the sample app (e.g. /shop/): session identity across nodes; the counter only on the sample app')
    .option('--sticky', 'expect sticky behaviour (default: from the config)')
    .option('--failover', 'halfway through, stop the Tomcat serving the session (started again at the end)')
    .option('--attributes', 'also check which JDK attribute types survive the serializer (the sample app\'s attributes.jsp)'))
    .action(async (o: HttpsOpts & { config: string; url?: string; path?: string; requests: number; sticky?: boolean; failover?: boolean; attributes?: boolean }) => {
      // With --url the config only supplies the mode; without a config the mode is --sticky or non-sticky.
      let lab: ResolvedLab | undefined;
      try {
        lab = loadLab(o);
      } catch (e) {
        if (!(o.url && e instanceof ConfigError && e.problems[0]?.path === '(file)')) throw e;
      }
      applyHttpsTrust(o, lab);
      if (o.path !== undefined && !o.path.startsWith('/')) throw new UsageError(`--path ${JSON.stringify(o.path).slice(0, 80)}: not a path. Fix: start it with "/", e.g. --path /shop/`);
      const swarm = lab?.swarm && !o.url ? await import('../../lab/swarm') : undefined;
      // A Swarm lab's URL is on nginx's host, not the config's bind address.
      const labBase = swarm ? await swarm.swarmUrl(lab!) : lab?.url;
      const base = o.url ?? (o.path === undefined ? new URL(new URL(lab!.probeUrl).pathname, labBase).href : labBase!);
      const url = o.path === undefined ? base : new URL(o.path, base).href;
      // The sample app is the one with the counter; any other path gets the session-identity checks only.
      const sampleApp = o.path === undefined || (lab !== undefined && webappServing(o.path, lab.webapps.map((w) => w.contextPath)) === lab.sampleWebapp.contextPath);
      const sticky = o.sticky ?? lab?.sticky ?? false;
      log(`verify: ${o.requests} requests to ${url} (${sticky ? 'sticky' : 'non-sticky'})${sampleApp ? '' : '; not the sample app: checking session identity across nodes only (cookie JSESSIONID, node from nginx\'s X-Msm-Kit-Node header), no counter'}`);
      const expect = lab && !o.url && sampleApp ? { tomcat: lab.tomcatVersion, java: lab.javaVersion } : undefined;
      // On a Swarm, each line names the host too: tomcat-node1@host2.
      const hosts = swarm ? await swarm.taskHosts(lab!) : {};
      const withHost = (l: string) => (swarm ? lab!.tomcats.reduce((acc, t) => acc.replace(new RegExp(`\\b${t.name}\\b`, 'g'), `${t.name}@${hosts[t.name] || '?'}`), l) : l);
      // On Kubernetes, --failover stops a Tomcat by scaling its Deployment to 0.
      const nodeOps = lab?.kubernetes && !o.url ? (await import('../../lab/kube-drill')).kubeNodeOps(lab) : dockerCli;
      const r = await verifyLab({ url, requests: o.requests, sticky, failover: o.failover, docker: nodeOps, expect, sampleApp, sasl: lab ? usesSasl(lab.manager) : false, log: (l) => console.log(withHost(l)) });
      if (swarm) {
        // Which host served each request: the node named on the page, and the host its task runs on.
        const counts = new Map<string, number>();
        for (const v of r.views) if (v.node) counts.set(v.node, (counts.get(v.node) ?? 0) + 1);
        console.log(`served by: ${[...counts].map(([n, c]) => `${n} on ${hosts[n] || '?'} (${c})`).join(', ')}; nginx on ${hosts[lab!.loadBalancer.name] || '?'}`);
      }
      console.log(r.verdict);
      if (!r.ok) process.exitCode = 1;
      if (o.attributes) {
        const { checkCoverage } = await import('../../lab/coverage');
        log(`attributes: one session per type through ${url}${'attributes.jsp'}`);
        const results = await checkCoverage(url, (l) => console.log(l));
        const failed = results.filter((x) => !x.ok);
        console.log(failed.length ? `ATTRIBUTES FAIL: ${failed.map((x) => x.name).join(', ')} did not survive` : `ATTRIBUTES PASS: all ${results.length} types survived`);
        if (failed.length) process.exitCode = 1;
      }
    });
}
