import { Rng } from './rng';
import type { TokenizedExample } from '../prompt/renderRecord';

/**
 * Batches of example indices for one epoch: shuffled by (seed, epoch), then grouped by length inside
 * windows of 16 batches so padding stays small, then the batch order shuffled again. Depending only on
 * (seed, epoch) lets a checkpoint store just the position (epoch, batch).
 */
export function epochBatches(lengths: number[], batchSize: number, seed: number, epoch: number): number[][] {
  const rng = Rng.fromSeed(seed, epoch, 0x5eed);
  const order = rng.shuffle(lengths.map((_, i) => i));
  const window = batchSize * 16;
  const batches: number[][] = [];
  for (let w = 0; w < order.length; w += window) {
    const group = order.slice(w, w + window).sort((a, b) => lengths[b] - lengths[a] || a - b);
    for (let b = 0; b < group.length; b += batchSize) batches.push(group.slice(b, b + batchSize));
  }
  return rng.shuffle(batches);
}

export interface DataPosition {
  epoch: number;
  batch: number;
}

/** Walks micro-batches across epochs; its position is what a checkpoint records. */
export class BatchCursor {
  private cache?: { epoch: number; batches: number[][] };

  constructor(
    private readonly lengths: number[],
    private readonly batchSize: number,
    private readonly seed: number,
    public position: DataPosition = { epoch: 0, batch: 0 },
  ) {}

  get batchesPerEpoch(): number {
    return Math.ceil(this.lengths.length / this.batchSize);
  }

  /** Fractional epochs consumed so far (TRL's "epoch" metric). */
  get epochProgress(): number {
    return this.position.epoch + this.position.batch / this.batchesPerEpoch;
  }

  next(): number[] {
    if (this.position.batch >= this.batchesPerEpoch) this.position = { epoch: this.position.epoch + 1, batch: 0 };
    if (this.cache?.epoch !== this.position.epoch) {
      this.cache = { epoch: this.position.epoch, batches: epochBatches(this.lengths, this.batchSize, this.seed, this.position.epoch) };
    }
    const batch = this.cache.batches[this.position.batch];
    this.position = { epoch: this.position.epoch, batch: this.position.batch + 1 };
    return batch;
  }
}

export interface PaddedBatch {
  ids: Int32Array;
  attention: Float32Array;
  lossMask: Float32Array;
  rows: number;
  cols: number;
  /** Real (non-pad) tokens in the batch. */
  numTokens: number;
}

/** Right-pads a batch to its own longest sequence. */
export function padBatch(examples: TokenizedExample[], padId: number): PaddedBatch {
  const rows = examples.length;
  const cols = Math.max(1, ...examples.map((e) => e.ids.length));
  const ids = new Int32Array(rows * cols).fill(padId);
  const attention = new Float32Array(rows * cols);
  const lossMask = new Float32Array(rows * cols);
  let numTokens = 0;
  examples.forEach((e, r) => {
    for (let t = 0; t < e.ids.length; t++) {
      ids[r * cols + t] = e.ids[t];
      attention[r * cols + t] = 1;
      lossMask[r * cols + t] = e.lossMask[t];
    }
    numTokens += e.ids.length;
  });
  return { ids, attention, lossMask, rows, cols, numTokens };
}
