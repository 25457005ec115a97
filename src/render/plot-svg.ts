/**
 * A timeline as an SVG plot: throughput and failures above, latency below, the run's
 * events as vertical marks. Pure: timeline in, SVG text out; no fonts to fetch (the
 * viewer's own sans-serif), no script, the same input gives the same bytes.
 */
import type { Timeline } from './timeline';

const W = 900;
const PANEL_H = 200;
const M = { left: 64, right: 20, top: 58, gap: 50, bottom: 40 } as const;
const H = M.top + PANEL_H * 2 + M.gap + M.bottom;
const COLORS = { ok: '#1f77b4', failed: '#d62728', p50: '#2ca02c', max: '#ff7f0e', mark: '#555555', grid: '#dddddd' } as const;

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const f = (v: number): string => (Math.round(v * 10) / 10).toString();

/** A round upper bound for an axis (1, 2, 5 × 10^k). */
export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const k of [1, 2, 5, 10]) if (v <= k * p) return k * p;
  return 10 * p;
}

interface Panel {
  readonly top: number;
  readonly yMax: number;
  readonly unit: string;
}

export function renderPlotSvg(t: Timeline, title: string): string {
  const endS = Math.max(t.bucketS, t.buckets.length * t.bucketS);
  const plotW = W - M.left - M.right;
  const x = (s: number) => M.left + (s / endS) * plotW;
  const rate = niceMax(Math.max(...t.buckets.map((b) => Math.max(b.okPerS, b.failedPerS))));
  const lat = niceMax(Math.max(0, ...t.buckets.map((b) => b.maxMs ?? 0)));
  const top: Panel = { top: M.top, yMax: rate, unit: 'requests/s' };
  const bottom: Panel = { top: M.top + PANEL_H + M.gap, yMax: lat, unit: 'latency ms' };
  const y = (p: Panel, v: number) => p.top + PANEL_H - (Math.min(v, p.yMax) / p.yMax) * PANEL_H;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${M.left}" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`,
  ];
  for (const p of [top, bottom]) {
    for (let k = 0; k <= 4; k++) {
      const v = (p.yMax * k) / 4;
      const yy = f(y(p, v));
      out.push(`<line x1="${M.left}" y1="${yy}" x2="${W - M.right}" y2="${yy}" stroke="${COLORS.grid}"/>`, `<text x="${M.left - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle">${f(v)}</text>`);
    }
    out.push(
      `<text transform="translate(16 ${f(p.top + PANEL_H / 2)}) rotate(-90)" text-anchor="middle">${p.unit}</text>`,
      `<rect x="${M.left}" y="${p.top}" width="${plotW}" height="${PANEL_H}" fill="none" stroke="#888888"/>`,
    );
  }
  // Time axis under each panel: a tick every "nice" number of seconds.
  const step = niceMax(endS / 10);
  for (const p of [top, bottom])
    for (let s = 0; s <= endS + 1e-9; s += step) out.push(`<text x="${f(x(s))}" y="${p.top + PANEL_H + 16}" text-anchor="middle">${f(s)} s</text>`);
  const line = (p: Panel, pick: (b: Timeline['buckets'][number]) => number | null, color: string) => {
    const pts = t.buckets.flatMap((b) => {
      const v = pick(b);
      return v === null ? [] : [`${f(x(b.t + t.bucketS / 2))},${f(y(p, v))}`];
    });
    if (pts.length) out.push(`<polyline fill="none" stroke="${color}" stroke-width="1.8" points="${pts.join(' ')}"/>`);
  };
  // Failures as bars (a failure is an event to see, not a trend), answers and latency as lines.
  const bw = Math.max(1, (t.bucketS / endS) * plotW - 1);
  for (const b of t.buckets)
    if (b.failedPerS > 0) out.push(`<rect x="${f(x(b.t))}" y="${f(y(top, b.failedPerS))}" width="${f(bw)}" height="${f(top.top + PANEL_H - y(top, b.failedPerS))}" fill="${COLORS.failed}" opacity="0.8"/>`);
  line(top, (b) => b.okPerS, COLORS.ok);
  line(bottom, (b) => b.p50Ms, COLORS.p50);
  line(bottom, (b) => b.maxMs, COLORS.max);
  t.marks.forEach((m, i) => {
    const xx = f(x(m.t));
    out.push(
      `<line x1="${xx}" y1="${M.top}" x2="${xx}" y2="${bottom.top + PANEL_H}" stroke="${COLORS.mark}" stroke-dasharray="4 3"/>`,
      `<text x="${f(x(m.t) + 4)}" y="${M.top + 14 + 14 * (i % 3)}" fill="${COLORS.mark}">${esc(m.label)}</text>`,
    );
  });
  const legend: [string, string][] = [
    ['answered/s', COLORS.ok],
    ['failed/s', COLORS.failed],
    ['median latency', COLORS.p50],
    ['max latency', COLORS.max],
  ];
  legend.forEach(([label, color], i) => {
    const lx = M.left + i * 140;
    out.push(`<rect x="${lx}" y="34" width="14" height="10" fill="${color}"/>`, `<text x="${lx + 18}" y="43">${label}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
