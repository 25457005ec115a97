/**
 * Issue 13: a Manager-only change (e.g. manager.lockingMode) must not rebuild the
 * Tomcat image. On one engine each webapp's context.xml is uploaded to the
 * containers, so the image build context (and its hash, and the tag) stays the
 * same and only the Tomcat containers' uploads change. A Swarm lab bakes
 * context.xml into the image (services take no uploads), so there it does change.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { synthLab } from '../src/synth/synth';
import { accept, DEFAULT_CONFIG, patch, ROOT } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'msm-manager-change-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const webapps = [{ contextPath: '/', source: 'msm-kit:sample' }, { contextPath: '/shop', source: join(ROOT, 'test', 'fixtures', 'shop', 'web') }];
const SWARM_EXAMPLE = JSON.parse(readFileSync(join(ROOT, 'examples', 'swarm.json'), 'utf8'));

type Doc = { resource: { docker_image: Record<string, Record<string, any>>; docker_container: Record<string, Record<string, any>> } };
const doc = (stackDir: string): Doc => JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8'));
const tomcats = (d: Doc) => Object.entries(d.resource.docker_container).filter(([k]) => k.startsWith('Tomcat-')).map(([, v]) => v);

describe('a Manager-only change', () => {
  it('keeps the image context hash and tag, and changes only the context.xml the Tomcat containers get', async () => {
    const synth = (lockingMode: string, out: string) => synthLab(accept(patch(DEFAULT_CONFIG, { webapps, manager: { lockingMode } })), { outDir: join(dir, out), standIns: true, fetch: { offline: true } });
    const a = await synth('auto', 'a');
    const b = await synth('all', 'b');
    const [da, db] = [doc(a.stackDir), doc(b.stackDir)];
    // the same output directory too: the image context is rewritten, the hash must not move
    const b2 = await synth('all', 'a');

    expect(a.artifacts.contextXmlInImage).toBe(false);
    expect(b.artifacts.imageContextHash).toBe(a.artifacts.imageContextHash);
    expect(b2.artifacts.imageContextHash).toBe(a.artifacts.imageContextHash);
    expect(b.artifacts.tomcatImageTag).toBe(a.artifacts.tomcatImageTag);

    // per webapp, once: the sample app gets the kit's context.xml, the shop its own <Context> with the Manager
    expect(a.artifacts.webappContexts.map((c) => c.path)).toEqual(['/usr/local/tomcat/webapps/ROOT/META-INF/context.xml', '/usr/local/tomcat/webapps/shop/META-INF/context.xml']);
    expect(a.artifacts.webappContexts[0].xml).toBe(a.artifacts.contextXml);
    expect(a.artifacts.webappContexts[1].xml).toContain('<Parameter name="shop.title"');
    for (const [i, c] of a.artifacts.webappContexts.entries()) {
      expect(c.xml).toContain('lockingMode="auto"');
      expect(b.artifacts.webappContexts[i].xml).toContain('lockingMode="all"');
    }

    // no context.xml in the image context, but every webapp's META-INF/ is there for the upload
    for (const app of ['ROOT', 'shop']) {
      const metaInf = join(a.artifacts.imageContextDir, 'tomcat', 'webapps', app, 'META-INF');
      expect(existsSync(metaInf)).toBe(true);
      expect(readdirSync(metaInf)).toEqual([]);
    }

    // Terraform: the same built image; each Tomcat uploads both files, and only their content differs
    expect(db.resource.docker_image).toEqual(da.resource.docker_image);
    for (const [i, t] of tomcats(da).entries()) {
      const u = tomcats(db)[i];
      expect(t.upload.map((x: { file: string }) => x.file)).toEqual(a.artifacts.webappContexts.map((c) => c.path));
      expect(t.upload.map((x: { permissions: string }) => x.permissions)).toEqual(['0644', '0644']);
      expect(t.upload.map((x: { content: string }) => x.content)).toEqual(a.artifacts.webappContexts.map((c) => c.xml));
      expect(u.upload.map((x: { content: string }) => x.content)).toEqual(b.artifacts.webappContexts.map((c) => c.xml));
      expect({ ...u, upload: undefined }).toEqual({ ...t, upload: undefined });
    }
  });

  it('on a Swarm (no uploads) still bakes context.xml into the image, so there the image does change', async () => {
    const synth = (lockingMode: string, out: string) => synthLab(accept(patch(SWARM_EXAMPLE, { manager: { lockingMode } })), { outDir: join(dir, out), standIns: true, fetch: { offline: true } });
    const a = await synth('auto', 'swarm-a');
    const b = await synth('all', 'swarm-b');
    expect(a.artifacts.contextXmlInImage).toBe(true);
    expect(readFileSync(join(a.artifacts.imageContextDir, 'tomcat', 'webapps', 'ROOT', 'META-INF', 'context.xml'), 'utf8')).toBe(a.artifacts.webappContexts[0].xml);
    expect(b.artifacts.imageContextHash).not.toBe(a.artifacts.imageContextHash);
  });
});
