/** The monitoring's renderers: prometheus.yml, the JMX exporter's rules, the plot. Pure, golden where the text is the contract. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { JMX_METRICS } from '../../src/config/monitoring';
import { resolveLab } from '../../src/config/resolve';
import { renderJmxExporterConfig } from '../../src/render/jmx-exporter-config';
import { renderPlotSvg, niceMax } from '../../src/render/plot-svg';
import { renderPrometheusYml } from '../../src/render/prometheus-yml';
import { timeline } from '../../src/render/timeline';
import { JMX_EXPORTER_AGENT, jarFileName } from '../../src/jars/manifest';
import { JMX_EXPORTER_AGENT_FILE } from '../../src/config/monitoring';
import { accept, DEFAULT_CONFIG, golden, patch } from '../helpers';

const lab = resolveLab(accept(DEFAULT_CONFIG));

describe('prometheus.yml', () => {
  it('matches its golden file (non-sticky default lab)', () => golden('non-sticky/prometheus.yml', renderPrometheusYml(lab)));

  it('scrapes every Tomcat, nginx and every memcached node through one exporter, each with its node label', () => {
    const y = renderPrometheusYml(lab);
    for (const t of lab.tomcats) expect(y).toContain(`- targets: ['${t.ip}:9404']\n        labels: { node: '${t.name}' }`);
    for (const m of lab.memcacheds) expect(y).toContain(`- targets: ['${m.ip}:${m.port}']\n        labels: { node: '${m.name}' }`);
    expect(y).toContain(`replacement: '${lab.monitoring!.storeExporter!.ip}:9150'`);
    expect(y).toContain('scrape_interval: 5s');
  });

  it('a Redis lab scrapes the Redis exporter; a lab without monitoring has no file to render', () => {
    const redis = resolveLab(accept(patch(DEFAULT_CONFIG, { memcached: undefined, redis: { name: 'redis-node1', port: 6379 } })));
    expect(renderPrometheusYml(redis)).toContain("- job_name: redis\n    static_configs:\n      - targets: ['172.28.57.32:9121']");
    expect(() => renderPrometheusYml(resolveLab(accept(patch(DEFAULT_CONFIG, { monitoring: { enabled: false } }))))).toThrow(/no monitoring/);
  });

  it('is the same bytes for the same config', () => {
    expect(renderPrometheusYml(resolveLab(accept(DEFAULT_CONFIG)))).toBe(renderPrometheusYml(lab));
  });
});

describe('JMX exporter rules', () => {
  it('matches its golden file', () => golden('monitoring/jmx-exporter.yaml', renderJmxExporterConfig()));

  it('a rule per metric of the table, each naming its attribute; the agent file is the pinned jar', () => {
    const y = renderJmxExporterConfig();
    for (const m of JMX_METRICS) {
      expect(y).toContain(`    name: ${m.metric}\n`);
      expect(y).toMatch(new RegExp(`<>${m.attribute}'\\n`));
    }
    expect(jarFileName(JMX_EXPORTER_AGENT)).toBe(JMX_EXPORTER_AGENT_FILE);
  });

  it("the Manager pattern reads both orders Tomcat names a Manager in (7: context first; 8.5+: host first)", () => {
    const m = JMX_METRICS.find((x) => x.attribute === 'activeSessions')!;
    const pattern = /pattern: '(.*<>activeSessions)'/.exec(renderJmxExporterConfig())![1];
    // JavaScript reads these lookaheads as java.util.regex does.
    const re = new RegExp(pattern.replace(/''/g, "'"));
    for (const bean of ['Catalina<type=Manager, host=localhost, context=/shop><>activeSessions', 'Catalina<type=Manager, context=/shop, host=localhost><>activeSessions']) {
      const hit = re.exec(bean);
      expect(hit, bean).not.toBeNull();
      expect([hit![1], hit![2]]).toEqual(['/shop', 'localhost']);
    }
    expect(m.type).toBe('GAUGE');
  });
});

describe('timeline and plot', () => {
  const requests = [
    { t0: 0, t1: 100, ok: true },
    { t0: 200, t1: 400, ok: true },
    { t0: 600, t1: 700, ok: false },
    { t0: 650, t1: 900, ok: true },
  ];

  it('buckets answers by answer time: rates per second, median and max latency', () => {
    const t = timeline(requests, [{ t: 0.55, label: 'docker stop memcached-node1' }], 0.5);
    expect(t.buckets).toEqual([
      { t: 0, okPerS: 4, failedPerS: 0, p50Ms: 150, maxMs: 200 },
      // The last bucket ends with the last answer (0.4 s wide).
      { t: 0.5, okPerS: 2.5, failedPerS: 2.5, p50Ms: 175, maxMs: 250 },
    ]);
    expect(t.marks).toEqual([{ t: 0.55, label: 'docker stop memcached-node1' }]);
  });

  it('stragglers after the load stopped (a last bucket under half a bucket) join the bucket before', () => {
    const t = timeline([...requests, { t0: 1000, t1: 1100, ok: true }], [], 0.5);
    expect(t.buckets.map((b) => b.t)).toEqual([0, 0.5]);
    // 3 answers over 0.6 s.
    expect(t.buckets[1].okPerS).toBe(3.3);
    expect(t.buckets[1].failedPerS).toBe(1.7);
  });

  it('the plot is well-formed SVG, deterministic, without fonts or scripts to fetch, and draws failures and marks', () => {
    const t = timeline(requests, [{ t: 0.55, label: 'stop <node> & "go"' }], 0.5);
    const svg = renderPlotSvg(t, 'drill <memcached-down>');
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(renderPlotSvg(t, 'drill <memcached-down>')).toBe(svg);
    expect(svg).not.toMatch(/@import|url\(|<script|href=/);
    const doc = new XMLParser({ ignoreAttributes: false }).parse(svg);
    expect(doc.svg['@_font-family']).toBe('sans-serif');
    expect(svg).toContain('fill="#d62728"'); // a failure bar
    expect(svg).toContain('stop &lt;node&gt; &amp; &quot;go&quot;');
    expect(svg).toContain('stroke-dasharray'); // the mark
  });

  it('rounds axes up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 0.3, 1, 3, 7, 42, 130, 999].map(niceMax)).toEqual([1, 0.5, 1, 5, 10, 50, 200, 1000]);
  });

  // Reported as skipped (not passed) on a machine without rsvg-convert; lab.sh deps installs it.
  const haveRsvg = (() => {
    try {
      execFileSync('rsvg-convert', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  it.skipIf(!haveRsvg)('rsvg-convert renders it (the README plot is made so)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'msm-plot-'));
    writeFileSync(join(dir, 'p.svg'), renderPlotSvg(timeline(requests), 'x'));
    execFileSync('rsvg-convert', ['-o', join(dir, 'p.png'), join(dir, 'p.svg')]);
  });
});
