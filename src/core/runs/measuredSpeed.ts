/**
 * The median tokens/s of the training records in a metrics.jsonl excerpt (a torn first or last line is skipped),
 * for the review's time estimate; undefined when none carry it.
 */
export function measuredSpeed(jsonlText: string, key: string): number | undefined {
  const values: number[] = [];
  for (const line of jsonlText.split('\n')) {
    if (!line.trim()) continue;
    try {
      const v = (JSON.parse(line) as Record<string, unknown>)[key];
      if (typeof v === 'number' && Number.isFinite(v) && v > 0) values.push(v);
    } catch {
      // A torn line at either end of the excerpt.
    }
  }
  if (values.length === 0) return undefined;
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)];
}
