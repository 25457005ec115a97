/**
 * Requests over time: what a drill or the load benchmark saw, in fixed buckets
 * (throughput, failures, latency), for the plots (render/plot-svg.ts) and --json.
 */

/** One request as a timeline needs it: sent and answered (ms into the run), and whether it succeeded. */
export interface TimedRequest {
  readonly t0: number;
  readonly t1: number;
  readonly ok: boolean;
}

export interface TimelineBucket {
  /** Start of the bucket, in seconds into the run. */
  readonly t: number;
  /** Successful answers per second in the bucket (by answer time). */
  readonly okPerS: number;
  /** Failed answers per second in the bucket. */
  readonly failedPerS: number;
  /** Median and highest latency of the answers in the bucket, in ms; null when none answered. */
  readonly p50Ms: number | null;
  readonly maxMs: number | null;
}

/** Something that happened during the run (a node stopped, a change applied). */
export interface TimelineMark {
  readonly t: number;
  readonly label: string;
}

export interface Timeline {
  readonly bucketS: number;
  readonly buckets: readonly TimelineBucket[];
  readonly marks: readonly TimelineMark[];
}

/** The median of a sorted array. */
const median = (sorted: readonly number[]): number => {
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
};

const round = (v: number, digits = 1): number => Number(v.toFixed(digits));

/** Buckets the requests by answer time (bucketS seconds each, 0.5 s unless given) from 0 to the last answer. */
export function timeline(requests: readonly TimedRequest[], marks: readonly TimelineMark[] = [], bucketS = 0.5): Timeline {
  const endMs = Math.max(0, ...requests.map((r) => r.t1));
  const bucketMs = bucketS * 1000;
  // A last bucket under half a bucket wide (the stragglers after the load stopped) joins the one before.
  let n = Math.max(1, Math.ceil(endMs / bucketMs));
  if (n > 1 && endMs - (n - 1) * bucketMs < bucketMs / 2) n--;
  const by: { ok: number; failed: number; lat: number[] }[] = Array.from({ length: n }, () => ({ ok: 0, failed: 0, lat: [] }));
  for (const r of requests) {
    const b = by[Math.min(n - 1, Math.floor(r.t1 / bucketMs))];
    if (r.ok) b.ok++;
    else b.failed++;
    b.lat.push(r.t1 - r.t0);
  }
  return {
    bucketS,
    buckets: by.map((b, i) => {
      const lat = [...b.lat].sort((x, y) => x - y);
      // The last bucket ends with the last answer: its rate is over the time it covers.
      const width = i === n - 1 ? Math.max(endMs / 1000 - i * bucketS, bucketS / 10) : bucketS;
      return { t: round(i * bucketS, 2), okPerS: round(b.ok / width), failedPerS: round(b.failed / width), p50Ms: lat.length ? round(median(lat)) : null, maxMs: lat.length ? round(lat[lat.length - 1]) : null };
    }),
    marks: marks.map((m) => ({ t: round(m.t, 2), label: m.label })),
  };
}
