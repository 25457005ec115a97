/**
 * The cdktf app (cdktf.json "app"): `cdktf synth` / `cdktf deploy` run this.
 * Config file: $MSM_KIT_CONFIG or lab.config.json.
 */
import { ConfigError, DEFAULT_CONFIG_FILE, loadConfig } from '../src/config/load';
import { synthLab } from '../src/synth/synth';

async function main(): Promise<void> {
  const file = process.env.MSM_KIT_CONFIG ?? DEFAULT_CONFIG_FILE;
  try {
    const config = loadConfig(file);
    await synthLab(config, { outDir: process.env.MSM_KIT_OUT ?? 'out', cdktfOutDir: process.env.CDKTF_OUTDIR ?? 'cdktf.out', fetch: { log: (l) => console.error(l) } });
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    console.error(`msm-kit: ${(e as Error).message}`);
    process.exit(1);
  }
}

void main();
