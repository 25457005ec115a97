'use strict';
/**
 * Docker provider bindings for cdktn, generated from the provider's schema
 * (`terraform providers schema -json`) with cdktn's provider generator library
 * (no cdktn CLI, so no Node 22), then compiled to CommonJS with tsc.
 *
 * Output: tools/cdktn/.gen/docker/ (git-ignored), the same module layout as
 * @cdktf/provider-docker (`provider`, `image`, `container`, `network`, ...).
 * Cached: the directory's .stamp holds a hash of the schema, the generator and
 * compiler versions and this file; an equal stamp skips the work.
 */
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const HERE = __dirname;
const GEN_ROOT = join(HERE, '.gen');
const BINDINGS_DIR = join(GEN_ROOT, 'docker');
const STAMP = '.stamp';

/** The constraint @cdktf/provider-docker 12.0.3 was generated with (its terraformGeneratorMetadata). */
const PROVIDER = { source: 'kreuzwerker/docker', constraint: '~> 3.0', version: '3.6.2' };
const FQPN = `registry.terraform.io/${PROVIDER.source}`;

function sha256(text) {
  return createHash('sha256').update(text).digest('hex');
}

function versionOf(pkg) {
  return JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`, { paths: [HERE] }), 'utf8')).version;
}

/** What the cached bindings depend on; a change of any part regenerates them. */
function bindingsKey(schemaText) {
  return sha256(
    JSON.stringify({
      schema: sha256(schemaText),
      generator: versionOf('@cdktn/provider-generator'),
      cdktn: versionOf('cdktn'),
      typescript: versionOf('typescript'),
      provider: PROVIDER,
      script: sha256(readFileSync(__filename, 'utf8')),
    }),
  );
}

/**
 * Returns the bindings directory for the schema in schemaFile, generating and
 * compiling it unless the cached copy was made from the same inputs.
 * terraformrc: the Terraform CLI config; @cdktn/commons runs `terraform version`
 * when loaded, which warns without one.
 * @returns {{ dir: string, key: string, cached: boolean }}
 */
async function ensureBindings(schemaFile, terraformrc, log = () => {}) {
  const schemaText = readFileSync(schemaFile, 'utf8');
  const key = bindingsKey(schemaText);
  const stampFile = join(BINDINGS_DIR, STAMP);
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === key && existsSync(join(BINDINGS_DIR, 'index.js'))) {
    return { dir: BINDINGS_DIR, key, cached: true };
  }
  const schema = JSON.parse(schemaText);
  if (!schema.provider_schemas || !schema.provider_schemas[FQPN]) {
    const found = Object.keys(schema.provider_schemas || {}).join(', ') || 'none';
    throw new Error(`${schemaFile} has no schema for ${FQPN} (found: ${found}). Fix: run the check again so it re-reads the schema from scripts/setup/provider.sh's provider`);
  }
  // `terraform providers schema -json` does not say which version it read;
  // the generator records it in the bindings (and cdktn writes it into
  // required_providers), so state the version the mirror installs it as.
  schema.provider_versions = { [FQPN]: PROVIDER.version };

  // No usage report to HashiCorp's checkpoint service from the generator's commons.
  process.env.CHECKPOINT_DISABLE = '1';
  if (terraformrc) process.env.TF_CLI_CONFIG_FILE = terraformrc;
  const { CodeMaker, TerraformProviderGenerator } = require('@cdktn/provider-generator');
  const { ConstructsMakerProviderTarget, TerraformProviderConstraint, Language } = require('@cdktn/commons');

  // Under tools/cdktn, so 'cdktn' and 'constructs' resolve to tools/cdktn/node_modules.
  const work = join(GEN_ROOT, `.work-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  const src = join(work, 'src');
  const out = join(work, 'out');
  mkdirSync(src, { recursive: true });

  const code = new CodeMaker();
  const generator = new TerraformProviderGenerator(code, schema);
  const target = new ConstructsMakerProviderTarget(new TerraformProviderConstraint(`${PROVIDER.source}@${PROVIDER.constraint}`), Language.TYPESCRIPT);
  generator.generate(target);
  await generator.save(src);
  const entry = join(src, 'providers', 'docker', 'index.ts');
  if (!existsSync(entry)) {
    throw new Error(`the generator wrote no ${entry}. Fix: check @cdktn/provider-generator's output layout (tools/cdktn/bindings.js expects providers/docker/index.ts)`);
  }
  log(`generated TypeScript bindings (${PROVIDER.source} ${PROVIDER.version}, constraint "${PROVIDER.constraint}")`);

  compile(join(src, 'providers', 'docker'), out);
  writeFileSync(join(out, STAMP), `${key}\n`);
  rmSync(BINDINGS_DIR, { recursive: true, force: true });
  renameSync(out, BINDINGS_DIR);
  rmSync(work, { recursive: true, force: true });
  return { dir: BINDINGS_DIR, key, cached: false };
}

/**
 * Compiles the generated .ts files under srcDir to CommonJS in outDir with the
 * TypeScript compiler API. lazy-index.ts (an alternative entry point written
 * for jsii packaging, with bare require/exports) is left out: index.ts is the
 * entry point msm-kit loads.
 */
function compile(srcDir, outDir) {
  const ts = require('typescript');
  const files = ts.sys.readDirectory(srcDir, ['.ts'], ['**/*.d.ts', 'lazy-index.ts']).sort();
  const options = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    rootDir: srcDir,
    outDir,
    declaration: true,
    strict: false,
    skipLibCheck: true,
    esModuleInterop: true,
    newLine: ts.NewLineKind.LineFeed,
    types: [],
  };
  const program = ts.createProgram(files, options);
  const result = program.emit();
  const diagnostics = ts.getPreEmitDiagnostics(program).concat(result.diagnostics);
  if (diagnostics.length > 0) {
    const text = ts.formatDiagnostics(diagnostics.slice(0, 10), {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => HERE,
      getNewLine: () => '\n',
    });
    throw new Error(`compiling the generated docker bindings failed (${diagnostics.length} diagnostic(s)):\n${text}Fix: the schema or generator version changed in a way the bindings do not compile with; see the errors above`);
  }
}

module.exports = { ensureBindings, bindingsKey, BINDINGS_DIR, PROVIDER, FQPN };
