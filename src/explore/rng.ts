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

  /** Uniform integer in [0, n). */
  below(n: number): number {
    return this.next() % n;
  }
}
