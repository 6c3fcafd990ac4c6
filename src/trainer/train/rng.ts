/**
 * A small deterministic PRNG (mulberry32) whose whole state is one uint32, so a checkpoint can store
 * it and --resume continues the exact same stream.
 */
export class Rng {
  constructor(private s: number) {
    this.s = s >>> 0;
  }

  static fromSeed(...parts: number[]): Rng {
    let h = 0x9e3779b9;
    for (const p of parts) h = Math.imul(h ^ (p >>> 0), 0x85ebca6b) ^ (h >>> 13);
    return new Rng(h >>> 0);
  }

  get state(): number {
    return this.s;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}
