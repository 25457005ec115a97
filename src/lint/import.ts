/**
 * `msm-kit import`: an existing msm <Manager> (and optionally an nginx.conf
 * upstream) turned into a lab config, so a team can move its setup into the kit.
 * What the config cannot express is refused, by name, never silently dropped.
 */
import { parseConfig } from '../config/load';
import type { LabConfigInput } from '../config/schema';
import { ConfigError, type ConfigProblem } from '../errors';
import { readManagers, type LintOptions } from './lint';

export interface ImportOptions extends LintOptions {
  /** Lab name. @default "msm-lab" */
  readonly name?: string;
  /** An nginx.conf whose first upstream lists the Tomcats. */
  readonly nginx?: { readonly file: string; readonly text: string };
}

export interface Imported {
  readonly config: LabConfigInput;
  /** What was read or dropped, for the user (never a refusal). */
  readonly notes: readonly string[];
}

interface Upstream {
  readonly name: string;
  readonly servers: readonly string[];
  readonly ipHash: boolean;
}

/** The upstream blocks of an nginx.conf (comments stripped). */
export function nginxUpstreams(text: string): { upstreams: Upstream[]; listen?: number } {
  const src = text.replace(/#[^\n]*/g, '');
  const upstreams: Upstream[] = [];
  for (const m of src.matchAll(/upstream\s+([\w.-]+)\s*\{([^}]*)\}/g)) {
    const body = m[2];
    const servers = [...body.matchAll(/(?<![\w-])server\s+([^\s;]+)([^;]*);/g)].filter((s) => !/\bbackup\b/.test(s[2])).map((s) => s[1]);
    upstreams.push({ name: m[1], servers, ipHash: /(?<![\w-])ip_hash\s*;/.test(body) });
  }
  const listen = /(?<![\w-])listen\s+(?:[\d.]+:)?(\d+)[^;]*;/.exec(src);
  return { upstreams, listen: listen ? Number(listen[1]) : undefined };
}

export function importManager(file: string, text: string, opts: ImportOptions = {}): Imported {
  const refuse = (problems: ConfigProblem[]): never => {
    throw new ConfigError(file, problems);
  };
  const { findings, managers, engine } = readManagers(file, text, opts);
  const notes: string[] = [];
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length) refuse(errors.map((f) => ({ path: `${f.line}: ${f.attribute}`, message: f.message })));
  if (managers.length === 0) refuse([{ path: '(file)', message: 'holds no msm <Manager>. Fix: pass the context.xml (or server.xml) that configures msm' }]);
  if (managers.length > 1)
    refuse([{ path: '(file)', message: `holds ${managers.length} msm <Manager> elements (lines ${managers.map((m) => m.element.line).join(', ')}); a lab has one. Fix: pass a file with the one to import` }]);
  const r = managers[0];
  const problems: ConfigProblem[] = [];
  for (const f of findings) {
    if (f.severity === 'unchecked') problems.push({ path: `${f.line}: ${f.attribute}`, message: `its value is not known here (${f.rule === 'template' ? 'template syntax' : 'a ${…} placeholder'}), and a lab config holds values. Fix: import the rendered file, or write the value in` });
    else if (f.rule === 'unknown-attribute') notes.push(`${file}:${f.line}: ${f.attribute}: dropped (Tomcat drops it too: no setter)`);
    else notes.push(`${file}:${f.line}: warning: ${f.attribute}: ${f.message}`);
  }
  for (const [attr, why] of r.unmapped) {
    const a = r.attributes.get(attr);
    problems.push({ path: `${a?.line ?? r.element.line}: ${attr}`, message: `the lab config cannot express ${why}. Fix: remove it from the Manager before importing, or keep this Tomcat outside the kit` });
  }
  if (problems.length) refuse(problems);

  const config = structuredClone(r.config) as LabConfigInput & { _serializerUnknown?: boolean };
  delete config._serializerUnknown;
  const manager = config.manager as Record<string, unknown>;
  manager.serializer ??= 'java';
  const sticky = r.sticky;
  let count = 2;
  if (opts.nginx) {
    const { upstreams, listen } = nginxUpstreams(opts.nginx.text);
    const up = upstreams.find((u) => u.servers.length > 0);
    if (!up) refuse([{ path: `${opts.nginx.file}`, message: 'has no upstream with servers. Fix: pass the nginx.conf that balances the Tomcats' }]);
    count = up!.servers.length;
    notes.push(`${opts.nginx.file}: upstream ${up!.name}: ${count} Tomcat(s) (${up!.servers.join(', ')}) become tomcat-node1..${count}`);
    if (up!.ipHash) notes.push(`${opts.nginx.file}: ip_hash is replaced: the kit balances ${sticky ? 'by the jvmRoute suffix of the session id' : 'round-robin'}`);
    if (listen !== undefined) (config as { loadBalancer?: { port: number } }).loadBalancer = { port: listen };
  }
  const route = engine?.attributes.find((a) => a.name === 'jvmRoute')?.value;
  (config.tomcat as Record<string, unknown>).nodes = Array.from({ length: count }, (_, i) => ({
    name: `tomcat-node${i + 1}`,
    ...(sticky ? { jvmRoute: i === 0 && route && /^[A-Za-z0-9_-]+$/.test(route) ? route : `tomcat${i + 1}` } : {}),
  }));
  if (sticky && r.attributes.has('failoverNodes'))
    notes.push(`failoverNodes is per Tomcat in msm (each names its co-located memcached); the lab config has one value for all nodes: ${JSON.stringify(manager.failoverNodes)}`);
  const out: LabConfigInput = { $schema: './lab.config.schema.json', name: opts.name ?? 'msm-lab', ...config };
  parseConfig(out, `${file} (imported)`); // what the kit would refuse, it refuses now
  return { config: out, notes };
}
