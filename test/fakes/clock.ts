/** A clock the test moves: domain modules take `now: () => number`, so time passes only when told. */
export class ManualClock {
  constructor(private at = Date.UTC(2026, 0, 1)) {}

  readonly now = (): number => this.at;

  advance(ms: number): void {
    this.at += ms;
  }
}
