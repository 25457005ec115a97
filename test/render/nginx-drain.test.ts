/**
 * nginx.conf with drained nodes (a rolling change takes one Tomcat out of nginx
 * before it replaces it): that node is `down` in every upstream it is in, nothing
 * else changes, the real `nginx -t` accepts it, and a bad drain is refused.
 */
import { describe, expect, it } from 'vitest';
import { resolveLab } from '../../src/config/resolve';
import { renderNginxConf } from '../../src/render/nginx-conf';
import { accept, DEFAULT_CONFIG, nginxT, STICKY_CONFIG } from '../helpers';

const labs = { 'non-sticky': resolveLab(accept(DEFAULT_CONFIG)), sticky: resolveLab(accept(STICKY_CONFIG)) };


describe.each(Object.entries(labs))('nginx.conf drained (%s)', (_mode, lab) => {
  const node = lab.tomcats[0].name;
  const other = lab.tomcats[1].name;
  const plain = renderNginxConf(lab);
  const drained = renderNginxConf(lab, { drained: [node] });

  it('marks the drained node down in every upstream, and only it', () => {
    const serverLines = (conf: string, name: string) => conf.split('\n').filter((l) => /^\s*server \S+:\d+ /.test(l) && l.endsWith(`# ${name}`));
    expect(serverLines(drained, node).length).toBe(serverLines(plain, node).length);
    expect(serverLines(drained, node).length).toBeGreaterThan(0);
    for (const l of serverLines(drained, node)) expect(l).toMatch(/ down; # /);
    for (const l of serverLines(drained, other)) expect(l).not.toMatch(/ down;/);
    // Nothing else differs.
    expect(drained.replace(/ down;/g, ';')).toBe(plain);
  });

  it('passes the real nginx -t', () => {
    expect(() => nginxT(drained)).not.toThrow();
  });

  it('is the plain config when nothing is drained', () => {
    expect(renderNginxConf(lab, { drained: [] })).toBe(plain);
  });

  it('refuses an unknown node and draining every node', () => {
    expect(() => renderNginxConf(lab, { drained: ['no-such-node'] })).toThrow(/no Tomcat named no-such-node/);
    expect(() => renderNginxConf(lab, { drained: lab.tomcats.map((t) => t.name) })).toThrow(/leaves none to answer/);
  });
});
