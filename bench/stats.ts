/**
 * Summary statistics and number formatting shared by every measurement of the benchmark.
 */

export interface Distribution {
  readonly count: number;
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

export interface LatencyPercentiles {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** Returns the value at quantile `q` (0 to 1) of ascending `sorted`, by the nearest-rank method. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export function distributionOf(values: readonly number[]): Distribution {
  const sorted = Float64Array.from(values).sort();
  return { count: sorted.length, min: sorted[0] ?? Number.NaN, median: quantile(sorted, 0.5), max: sorted[sorted.length - 1] ?? Number.NaN };
}

export function percentilesOf(values: ArrayLike<number>): LatencyPercentiles {
  const sorted = Float64Array.from(values).sort();
  return {
    count: sorted.length,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    p999: quantile(sorted, 0.999),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/** Formats `value` with thousands separators and `digits` decimals. */
export function formatNumber(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** `value / reference` as "1.23x", or "n/a" when either is missing. */
export function formatRatio(value: number | null | undefined, reference: number | null | undefined): string {
  if (value === null || value === undefined || reference === null || reference === undefined || reference === 0) return 'n/a';
  return `${(value / reference).toFixed(2)}x`;
}

export function ratio(value: number | null | undefined, reference: number | null | undefined): number | null {
  if (value === null || value === undefined || reference === null || reference === undefined || reference === 0) return null;
  return value / reference;
}

/** Returns the smallest of `values` without spreading them into arguments, which fails past about 100,000. */
export function minimumOf(values: readonly number[]): number {
  let minimum = Number.POSITIVE_INFINITY;
  for (const value of values) if (value < minimum) minimum = value;
  return minimum;
}

export function maximumOf(values: readonly number[]): number {
  let maximum = Number.NEGATIVE_INFINITY;
  for (const value of values) if (value > maximum) maximum = value;
  return maximum;
}
