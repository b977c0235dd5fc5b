import { build } from 'hdr-histogram-js';

/**
 * Latency statistics from an HDR histogram (microsecond resolution, 3 significant digits): the percentiles of
 * every request, not of a sample, in constant memory.
 */
export interface LatencyStats {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

export class LatencyRecorder {
  private readonly histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });

  record(ms: number): void {
    this.histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  stats(): LatencyStats {
    const at = (percentile: number) => round(this.histogram.getValueAtPercentile(percentile) / 1000);
    const count = this.histogram.totalCount;
    return {
      count,
      p50Ms: count ? at(50) : 0,
      p90Ms: count ? at(90) : 0,
      p95Ms: count ? at(95) : 0,
      p99Ms: count ? at(99) : 0,
      maxMs: count ? round(this.histogram.maxValue / 1000) : 0,
      meanMs: count ? round(this.histogram.mean / 1000) : 0,
    };
  }
}

const round = (value: number) => Math.round(value * 100) / 100;
