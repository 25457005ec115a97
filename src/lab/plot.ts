/** Writing a timeline's plot (render/plot-svg.ts) to a file; the one place that touches the disk for plots. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { renderPlotSvg } from '../render/plot-svg';
import { StepError } from '../errors';
import type { Timeline } from '../render/timeline';

export function writePlot(file: string, t: Timeline, title: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, renderPlotSvg(t, title));
  } catch (e) {
    throw new StepError('plot', `cannot write ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)}). Fix: pass --plot a writable path, or --no-plot`);
  }
}
