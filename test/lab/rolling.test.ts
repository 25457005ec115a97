/**
 * Rolling `up`: Terraform's JSON plan read into changes, and the changes ordered
 * into steps (images first, stores one at a time, new Tomcats, each changed Tomcat
 * drained and replaced, the rest last), with what cannot roll said.
 */
import { describe, expect, it } from 'vitest';
import { resolveLab } from '../../src/config/resolve';
import { changeKind, parsePlan, rollingSteps, type PlanChange } from '../../src/lab/rolling';
import { accept, DEFAULT_CONFIG, patch } from '../helpers';

const lab = resolveLab(accept(DEFAULT_CONFIG));
const [t1, t2] = lab.tomcats.map((t) => t.name);
const [m1, m2] = lab.memcacheds.map((m) => m.name);

const container = (id: string, name: string, actions: string[]): PlanChange => ({ address: `docker_container.${id}`, type: 'docker_container', actions, name });
const REPLACE = ['delete', 'create'];

describe('parsePlan', () => {
  it('keeps the resources that change, with their container names, and drops no-ops and reads', () => {
    const json = JSON.stringify({
      format_version: '1.2',
      resource_changes: [
        { address: 'docker_image.TomcatImage_X', type: 'docker_image', change: { actions: ['delete', 'create'], before: { name: 'msm-kit/a:1' }, after: { name: 'msm-kit/a:1' } } },
        { address: 'docker_container.Tomcat-a_1', type: 'docker_container', change: { actions: ['create', 'delete'], before: { name: t1 }, after: { name: t1 } } },
        { address: 'docker_container.Memcached-m_2', type: 'docker_container', change: { actions: ['no-op'], before: { name: m1 }, after: { name: m1 } } },
        { address: 'docker_container.Gone_3', type: 'docker_container', change: { actions: ['delete'], before: { name: 'old-node' }, after: null } },
        { address: 'data.x.y', type: 'x', change: { actions: ['read'] } },
      ],
    });
    expect(parsePlan(json)).toEqual([
      { address: 'docker_image.TomcatImage_X', type: 'docker_image', actions: ['delete', 'create'], name: 'msm-kit/a:1' },
      { address: 'docker_container.Tomcat-a_1', type: 'docker_container', actions: ['create', 'delete'], name: t1 },
      { address: 'docker_container.Gone_3', type: 'docker_container', actions: ['delete'], name: 'old-node' },
    ]);
    expect(parsePlan('{"format_version":"1.2"}')).toEqual([]);
  });

  it('names each kind of change', () => {
    expect(changeKind(['delete', 'create'])).toBe('replace');
    expect(changeKind(['create', 'delete'])).toBe('replace');
    expect(changeKind(['create'])).toBe('create');
    expect(changeKind(['delete'])).toBe('delete');
    expect(changeKind(['update'])).toBe('update');
    expect(changeKind(['no-op'])).toBeUndefined();
  });
});

describe('rollingSteps', () => {
  it('builds the image first, then one Tomcat at a time, then the rest', () => {
    const plan = rollingSteps(lab, [
      { address: 'docker_image.TomcatImage_X', type: 'docker_image', actions: REPLACE },
      container('Tomcat-1', t1, REPLACE),
      container('Tomcat-2', t2, REPLACE),
    ]);
    expect(plan.allAtOnce).toBeUndefined();
    expect(plan.steps.map((s) => `${s.kind}${'node' in s ? ':' + s.node : ''}`)).toEqual(['prepare', `tomcat:${t1}`, `tomcat:${t2}`, 'rest']);
    expect(plan.steps[0]).toEqual({ kind: 'prepare', targets: ['docker_image.TomcatImage_X'] });
    expect(plan.warnings).toEqual([]);
  });

  it('rolls the store nodes one at a time before the Tomcats', () => {
    const plan = rollingSteps(lab, [container('Tomcat-1', t1, REPLACE), container('Memcached-2', m2, REPLACE), container('Memcached-1', m1, REPLACE)]);
    expect(plan.steps.map((s) => s.kind)).toEqual(['store', 'store', 'tomcat', 'rest']);
  });

  it('creates new Tomcats before it rolls the changed ones, and leaves removed nodes and nginx to the last apply, saying nginx is replaced', () => {
    const plan = rollingSteps(lab, [
      container('Tomcat-2', t2, REPLACE),
      container('Tomcat-new', t1, ['create']),
      container('Old', 'tomcat-old', ['delete']),
      container('LoadBalancer', lab.loadBalancer.name, REPLACE),
    ]);
    expect(plan.steps.map((s) => s.kind)).toEqual(['tomcat-create', 'tomcat', 'rest']);
    expect(plan.steps.at(-1)).toEqual({ kind: 'rest', what: ['tomcat-old', lab.loadBalancer.name] });
    expect(plan.warnings.join('\n')).toMatch(/nginx .* is replaced/);
  });

  it("reloads nginx's new configuration in the last apply, after the nodes it names run, and warns of nothing", () => {
    const plan = rollingSteps(lab, [
      { address: 'terraform_data.LoadBalancer_Config_1A2B3C4D', type: 'terraform_data', actions: REPLACE },
      { address: 'docker_image.TomcatImage_X', type: 'docker_image', actions: REPLACE },
      container('Tomcat-new', t1, ['create']),
    ]);
    expect(plan.steps.map((s) => s.kind)).toEqual(['prepare', 'tomcat-create', 'rest']);
    expect(plan.steps[0]).toEqual({ kind: 'prepare', targets: ['docker_image.TomcatImage_X'] });
    expect(plan.steps.at(-1)).toEqual({ kind: 'rest', what: [`${lab.loadBalancer.name}'s configuration (reloaded)`] });
    expect(plan.warnings).toEqual([]);
  });

  it('applies at once when the network changes, and says why', () => {
    const plan = rollingSteps(lab, [{ address: 'docker_network.Network', type: 'docker_network', actions: REPLACE }, container('Tomcat-1', t1, REPLACE)]);
    expect(plan.allAtOnce).toMatch(/network .* every container goes with it/);
    expect(plan.steps).toEqual([]);
  });

  it('has nothing to do for an empty plan', () => {
    expect(rollingSteps(lab, [])).toEqual({ steps: [], warnings: [] });
  });

  it('warns that a one-Tomcat lab cannot be drained', () => {
    const one = resolveLab(accept(patch(DEFAULT_CONFIG, { tomcat: { nodes: [DEFAULT_CONFIG.tomcat.nodes[0]] } })));
    const plan = rollingSteps(one, [container('Tomcat-1', one.tomcats[0].name, REPLACE)]);
    expect(plan.warnings.join('\n')).toMatch(/one Tomcat: it cannot be drained/);
  });
});
