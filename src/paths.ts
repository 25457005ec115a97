import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The kit's own root (where templates/ lives), from src/ or dist/src/. */
export const PACKAGE_ROOT: string = (() => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'templates'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('msm-kit: cannot find the package root (templates/)');
    dir = up;
  }
  return dir;
})();

export const TEMPLATES_DIR = join(PACKAGE_ROOT, 'templates');
