// A position-aware JSON parser for one line. JSON.parse is the fast path; this one runs only on lines that need
// positions (a syntax error's column, a schema error's field, a PHI span inside an escaped string).

export type JsonNode =
  | { kind: 'object'; start: number; end: number; members: { key: string; keyStart: number; keyEnd: number; value: JsonNode }[] }
  | { kind: 'array'; start: number; end: number; items: JsonNode[] }
  | { kind: 'string'; start: number; end: number }
  | { kind: 'scalar'; start: number; end: number };

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    /** 0-based UTF-16 offset into the line. */
    readonly offset: number,
  ) {
    super(message);
  }
}

const MAX_DEPTH = 512;

/** Parses `text` into a position tree; throws JsonSyntaxError at the first offending character. */
export function parseWithPositions(text: string): JsonNode {
  let i = 0;
  const n = text.length;
  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const describe = (at: number) => (at >= n ? 'end of line' : `'${text[at]}'`);
  const fail = (msg: string, at = i): never => {
    throw new JsonSyntaxError(msg, Math.min(at, n));
  };

  const str = (): { start: number; end: number } => {
    const start = i;
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return { start, end: i };
      }
      if (c === 92) {
        const e = text[i + 1];
        if (e === undefined) fail('unterminated string', start);
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('invalid \\u escape: expected 4 hex digits', i);
          i += 6;
        } else if ('"\\/bfnrt'.includes(e)) i += 2;
        else fail(`invalid escape '\\${e}' in string`, i);
      } else if (c < 32) {
        fail('control character in string (escape it, e.g. \\n or \\t)', i);
      } else i++;
    }
    return fail('unterminated string: missing closing quote', start);
  };

  const value = (depth: number): JsonNode => {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH} levels`);
    ws();
    const start = i;
    const c = text[i];
    if (c === '{') {
      i++;
      const members: { key: string; keyStart: number; keyEnd: number; value: JsonNode }[] = [];
      ws();
      if (text[i] === '}') return { kind: 'object', start, end: ++i, members };
      for (;;) {
        ws();
        if (text[i] !== '"') fail(text[i] === '}' ? "trailing comma before '}'" : `expected a quoted property name, found ${describe(i)}`);
        const k = str();
        const key = JSON.parse(text.slice(k.start, k.end)) as string;
        ws();
        if (text[i] !== ':') fail(`expected ':' after property name, found ${describe(i)}`);
        i++;
        members.push({ key, keyStart: k.start, keyEnd: k.end, value: value(depth + 1) });
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') return { kind: 'object', start, end: ++i, members };
        fail(`expected ',' or '}' after property value, found ${describe(i)}`);
      }
    }
    if (c === '[') {
      i++;
      const items: JsonNode[] = [];
      ws();
      if (text[i] === ']') return { kind: 'array', start, end: ++i, items };
      for (;;) {
        ws();
        if (text[i] === ']') fail("trailing comma before ']'");
        items.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') return { kind: 'array', start, end: ++i, items };
        fail(`expected ',' or ']' after array element, found ${describe(i)}`);
      }
    }
    if (c === '"') return { kind: 'string', ...str() };
    const lit = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 400));
    if (lit && lit[0].length > 0) {
      i += lit[0].length;
      return { kind: 'scalar', start, end: i };
    }
    if (c === "'") return fail('strings must use double quotes');
    if (i >= n) return fail('unexpected end of line: the JSON value is incomplete');
    return fail(`unexpected ${describe(i)}: expected a JSON value`);
  };

  ws();
  if (i >= n) fail('empty JSON value');
  const root = value(0);
  ws();
  if (i < n) fail(`unexpected ${describe(i)} after the end of the JSON value (one record per line)`);
  return root;
}

export type PathSegment = string | number;

/** The node at `path` (and its key's span when the last segment is a property), or the deepest existing ancestor. */
export function locate(root: JsonNode, path: readonly PathSegment[]): { node: JsonNode; keyStart?: number; keyEnd?: number; exact: boolean } {
  let node = root;
  let keyStart: number | undefined;
  let keyEnd: number | undefined;
  for (const seg of path) {
    if (node.kind === 'object' && typeof seg === 'string') {
      // JSON.parse keeps the last duplicate key, so do we.
      const m = [...node.members].reverse().find((x) => x.key === seg);
      if (!m) return { node, exact: false };
      node = m.value;
      keyStart = m.keyStart;
      keyEnd = m.keyEnd;
    } else if (node.kind === 'array' && typeof seg === 'number' && node.items[seg]) {
      node = node.items[seg];
      keyStart = keyEnd = undefined;
    } else return { node, exact: false };
  }
  return { node, keyStart, keyEnd, exact: true };
}

/**
 * Maps an offset in the decoded value of the string token starting at `tokenStart` (its opening quote) to the
 * offset in the raw line, stepping over escapes so spans point at the characters the user sees in the file.
 */
export function rawOffsetInString(text: string, tokenStart: number, decodedOffset: number): number {
  let raw = tokenStart + 1;
  let decoded = 0;
  while (decoded < decodedOffset && raw < text.length) {
    if (text.charCodeAt(raw) === 92) raw += text[raw + 1] === 'u' ? 6 : 2;
    else raw++;
    decoded++;
  }
  return raw;
}

export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}
