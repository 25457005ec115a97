/**
 * The cdktf app (cdktf.json "app"): `cdktf synth` / `cdktf deploy` run this.
 * Config file: $MSM_KIT_CONFIG or lab.config.json; artifacts in $MSM_KIT_OUT
 * (default out/); MSM_KIT_STAND_INS=1 deploys the kit's offline stand-in images.
 */
import { DEFAULT_OUT_DIR } from '../src/config/layout';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../src/config/load';
import { describeError } from '../src/errors';
import { synthLab } from '../src/synth/synth';

async function main(): Promise<void> {
  const file = process.env.MSM_KIT_CONFIG ?? DEFAULT_CONFIG_FILE;
  const log = (l: string) => console.error(l);
  try {
    await synthLab(loadConfig(file), {
      outDir: process.env.MSM_KIT_OUT ?? DEFAULT_OUT_DIR,
      cdktfOutDir: process.env.CDKTF_OUTDIR ?? 'cdktf.out',
      standIns: process.env.MSM_KIT_STAND_INS === '1',
      fetch: { log },
      log,
    });
  } catch (e) {
    console.error(describeError(e));
    process.exit(1);
  }
}

void main();
