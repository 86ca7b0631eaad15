/** A small seeded generator (xorshift32), so random and PCT runs replay from their seed. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = (Math.imul(seed ^ 0x9e3779b9, 2654435761) >>> 0) || 1;
  }

  next(): number {
    let s = this.state;
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    this.state = s >>> 0;
    return this.state;
  }

  /**
   * The generator of run `run` of a search seeded `seed`: the pair is mixed
   * (splitmix32's finaliser), so two seeds share no runs, unlike `seed + run`.
   */
  static forRun(seed: number, run: number): Rng {
    let h = Math.imul(seed ^ 0x85ebca6b, 0x9e3779b1) ^ Math.imul(run + 1, 0xc2b2ae35);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return new Rng((h ^ (h >>> 16)) >>> 0);
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    return this.next() % n;
  }
}
