// First line seen for each id or content hash. Files have millions of records: a Map of 48-bit number keys costs
// ~50 bytes per entry on the garbage-collected heap (a boxed number plus the table), this open-addressing table
// 12 bytes per slot outside it. String keys (no native hash available) still go to a Map.

const EMPTY = 0;

export class LineIndex {
  /** key + 1 per slot, so 0 marks an empty slot (hash keys of up to 53 bits stay exact in a double). */
  private keys = new Float64Array(1024);
  private lines = new Uint32Array(1024);
  private size = 0;
  private others: Map<string | number, number> | undefined;

  /** The line recorded for `key`, or undefined after recording `line` for it (one probe for both). */
  firstLine(key: string | number, line: number): number | undefined {
    if (typeof key === 'string' || !isSlotKey(key)) {
      const others = (this.others ??= new Map());
      const seen = others.get(key);
      if (seen === undefined) others.set(key, line);
      return seen;
    }
    if ((this.size + 1) * 4 > this.keys.length * 3) this.grow();
    const k = key + 1;
    const mask = this.keys.length - 1;
    let i = slot(key, mask);
    for (let at = this.keys[i]; at !== EMPTY; at = this.keys[i]) {
      if (at === k) return this.lines[i];
      i = (i + 1) & mask;
    }
    this.keys[i] = k;
    this.lines[i] = line;
    this.size++;
    return undefined;
  }

  private insert(key: number, line: number): void {
    const mask = this.keys.length - 1;
    let i = slot(key, mask);
    while (this.keys[i] !== EMPTY) i = (i + 1) & mask;
    this.keys[i] = key + 1;
    this.lines[i] = line;
  }

  private grow(): void {
    const keys = this.keys;
    const lines = this.lines;
    this.keys = new Float64Array(keys.length * 2);
    this.lines = new Uint32Array(keys.length * 2);
    for (let i = 0; i < keys.length; i++) if (keys[i] !== EMPTY) this.insert(keys[i] - 1, lines[i]);
  }
}

/** Non-negative safe integers fit the table (key + 1 ≤ 2^53 stays exact); anything else goes to the Map. */
function isSlotKey(key: number): boolean {
  return Number.isSafeInteger(key) && key >= 0;
}

/** Low 32 bits of the key (hash keys are uniformly distributed there), masked to the table size. */
function slot(key: number, mask: number): number {
  return (key >>> 0) & mask;
}
