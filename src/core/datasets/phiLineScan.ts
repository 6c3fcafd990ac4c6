// The PHI scan of a batch of JSONL lines on its own, apart from the validator: what a worker thread runs while
// the main thread checks schema, roles and duplicates. The validator asks for the findings of a field of a
// line; `phiFindingsFor` answers from a scan only when the scan parsed that line as the same format (so it
// walked the same text fields), and otherwise says it does not know, and the caller runs detectPhi itself.
import { detectPhi, type PhiFinding } from '../phi/detectors';
import { detectFormat, FORMAT_FIELDS, type RecordFormat } from './records';
import type { PathSegment } from './jsonPositions';
import { textFields } from './validator';

/** Format codes in a scan (0: the line was not scanned). */
const FORMATS = Object.keys(FORMAT_FIELDS) as RecordFormat[];
const CODE = new Map(FORMATS.map((f, i) => [f, i + 1]));

export interface PhiLineScan {
  /** Per line of the batch: 1 + the index of the format its fields were scanned as, or 0 (not scanned). */
  formats: Uint8Array<ArrayBuffer>;
  /** Only the fields with findings: [line index in the batch, field path key, findings]. */
  found: [number, string, PhiFinding[]][];
}

const pathKey = (path: readonly PathSegment[]) => path.join('\u0000');

/** Parses each line and runs detectPhi over every text field of the format the line's own fields name. */
export function scanLines(texts: readonly string[]): PhiLineScan {
  const formats = new Uint8Array(texts.length);
  const found: PhiLineScan['found'] = [];
  for (let i = 0; i < texts.length; i++) {
    let obj: unknown;
    try {
      obj = JSON.parse(texts[i]);
    } catch {
      continue;
    }
    const format = detectFormat(obj);
    if (!format) continue;
    // A record that breaks the schema is never scanned by the validator: leave it unscanned rather than
    // guess what a malformed message list holds.
    let fields: [PathSegment[], string][];
    try {
      fields = textFields(format, obj as Record<string, unknown>);
    } catch {
      continue;
    }
    if (fields.some(([, s]) => typeof s !== 'string')) continue;
    for (const [path, s] of fields) {
      const f = detectPhi(s);
      if (f.length) found.push([i, pathKey(path), f]);
    }
    formats[i] = CODE.get(format) ?? 0;
  }
  return { formats, found };
}

/** Looks findings up in a scan of one batch, line by line, in the order the validator asks for them. */
export class PhiScanLookup {
  private byLine = new Map<number, Map<string, PhiFinding[]>>();

  constructor(private readonly scan: PhiLineScan) {
    for (const [i, key, f] of scan.found) {
      let m = this.byLine.get(i);
      if (!m) this.byLine.set(i, (m = new Map()));
      m.set(key, f);
    }
  }

  /** The findings of `path` in line `index` of the batch, or undefined when the scan did not see it as `format`. */
  findings(index: number, format: RecordFormat, path: readonly PathSegment[]): PhiFinding[] | undefined {
    if (this.scan.formats[index] !== CODE.get(format)) return undefined;
    return this.byLine.get(index)?.get(pathKey(path)) ?? [];
  }
}
