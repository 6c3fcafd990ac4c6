// Causal-LM pretraining data: every document as <s> … </s>, concatenated and cut into fixed windows (as
// HF's run_clm "group_texts"), so no compute is spent on padding.

export function packWindows(docs: number[][], windowLength: number): Int32Array[] {
  const windows: Int32Array[] = [];
  let cur = new Int32Array(windowLength);
  let fill = 0;
  for (const doc of docs) {
    for (const id of doc) {
      cur[fill++] = id;
      if (fill === windowLength) {
        windows.push(cur);
        cur = new Int32Array(windowLength);
        fill = 0;
      }
    }
  }
  return windows;
}
