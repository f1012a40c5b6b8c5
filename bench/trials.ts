/**
 * Repeated trials of one measurement. On a shared machine one trial can land on a busy
 * moment, so each throughput, latency and expiry figure that a target judges is measured
 * several times in the same run, taking turns with the others. The report gives the trial
 * with the median figure, and every trial's figure.
 */

export interface Trials<T> {
  /** The trial whose figure is the median. With an even count, it is the lower of the two middle ones. */
  readonly median: T;
  /** Every trial's figure, in the order the trials ran. */
  readonly figures: readonly number[];
}

/** Returns the trial of `results` whose `figure` is the median, and every trial's figure. */
export function medianTrial<T>(results: readonly T[], figure: (result: T) => number): Trials<T> {
  if (results.length === 0) throw new Error('no trial to take the median of');
  const figures = results.map(figure);
  // NaN (a trial that measured nothing) sorts last, so it is the median only when most trials are NaN.
  const order = results.map((_, index) => index).sort((a, b) => compareFigures(figures[a]!, figures[b]!));
  return { median: results[order[(results.length - 1) >> 1]!]!, figures };
}

function compareFigures(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a - b;
}

/** Returns the suffix of a progress label that names the trial, or an empty string when there is one trial. */
export function trialLabel(sizes: { readonly trials: number }, trial: number): string {
  return sizes.trials > 1 ? `, trial ${trial} of ${sizes.trials}` : '';
}
