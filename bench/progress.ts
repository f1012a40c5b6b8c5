/**
 * A one-line progress bar on stderr for the long phases. On a terminal it redraws in place;
 * into a file or a pipe it writes a new line every 25%, so logs stay readable.
 */

const barWidth = 30;

export class ProgressBar {
  private readonly total: number;
  private readonly label: string;
  private readonly interactive = process.stderr.isTTY === true;
  private lastDrawnAt = 0;
  private lastStep = -1;

  constructor(label: string, total: number) {
    this.label = label;
    this.total = Math.max(1, total);
    this.update(0);
  }

  update(done: number): void {
    const fraction = Math.min(1, done / this.total);

    if (this.interactive) {
      // Redrawing costs a write on the event loop that is being measured, so at most ten a second.
      const now = performance.now();
      if (fraction < 1 && now - this.lastDrawnAt < 100) return;
      this.lastDrawnAt = now;
      process.stderr.write(`\r${this.render(fraction)}`);
      return;
    }

    const step = Math.floor(fraction * 4);
    if (step === this.lastStep) return;
    this.lastStep = step;
    process.stderr.write(`${this.render(fraction)}\n`);
  }

  finish(): void {
    this.lastDrawnAt = 0;
    this.update(this.total);
    if (this.interactive) process.stderr.write('\n');
  }

  private render(fraction: number): string {
    const filled = Math.round(fraction * barWidth);
    return `  [${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${this.label}`;
  }
}
