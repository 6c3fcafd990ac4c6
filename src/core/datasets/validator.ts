// Validates a dataset line by line (pure: no fs). The CLI, the editor and the trainer all feed lines through
// this one class, so they report the same line, column and code for every defect.
import { z } from 'zod';
import type { DatasetIssue, IssueCode, IssueFix, ValidationResult } from './issues';
import {
  type DatasetRecord,
  type ChatMessage,
  type RecordFormat,
  FORMAT_FIELDS,
  FORMAT_LABELS,
  FORMAT_SCHEMAS,
  ChatMessage as MessageSchema,
  detectFormat,
  kindOf,
  normalizeRecord,
  splitImplicitPrompt,
} from './records';
import { type JsonNode, type PathSegment, JsonSyntaxError, formatPath, locate, parseWithPositions, rawOffsetInString } from './jsonPositions';
import { FIELD_ALIASES, ROLE_ALIASES } from './aliases';
import { checkRoleOrder, type RoleOrderMode } from './roleOrder';
import { detectPhi, PHI_LABELS, type PhiFinding } from '../phi/detectors';
import { contentParts, hash64 } from './contentHash';
import { LineIndex } from './lineIndex';

export interface ValidatorOptions {
  /** Restrict to SFT, DPO or KTO formats (KTO also takes pairs, which it unpairs); auto accepts any (but one format per file). */
  format?: 'auto' | 'sft' | 'dpo' | 'kto';
  /** Scan text for Safe Harbor identifiers (default true). */
  phi?: boolean;
  /** Report PHI findings as errors instead of warnings (blocks training). */
  phiAsErrors?: boolean;
  /** Findings the workspace allow-list marks as false positives (kind, matched text): not reported. */
  phiAllowed?: (kind: string, text: string) => boolean;
  /** Cap of listed errors and of listed warnings (default 1000 each); the rest are counted. */
  maxIssues?: number;
  /** Content hash for duplicate detection (pieces hash as their concatenation); Node callers pass hash53 (faster than the default). */
  hash?: (text: string | readonly string[]) => string | number;
  /**
   * The PHI findings of one text field (default: detectPhi in this thread). validateFile passes the results of
   * worker threads that scanned the same lines; it must return exactly what detectPhi(text) returns.
   */
  detectPhi?: (text: string, line: number, format: RecordFormat, path: readonly PathSegment[]) => PhiFinding[];
}

const REQUIRED: Record<RecordFormat, readonly string[]> = {
  prompt_completion: ['prompt', 'completion'],
  messages: ['messages'],
  text: ['text'],
  alpaca: ['instruction', 'output'],
  preference: ['prompt', 'chosen', 'rejected'],
  implicit_preference: ['chosen', 'rejected'],
  unpaired_preference: ['prompt', 'completion', 'label'],
};

type Severity = 'error' | 'warning';

interface Pending {
  severity: Severity;
  code: IssueCode;
  path: PathSegment[];
  message: string;
  /** Point at the key rather than the value (unknown fields, aliases). */
  atKey?: boolean;
  /** The field does not exist: point at the record. */
  missing?: boolean;
  /** Decoded character span inside a string value (PHI). */
  span?: [number, number];
  fixText?: (keyOrValue: string) => IssueFix | undefined;
}

export class DatasetValidator {
  private fileFormat: RecordFormat | undefined;
  private fileFormatLine = 0;
  private records = 0;
  private readonly errors: DatasetIssue[] = [];
  private readonly warnings: DatasetIssue[] = [];
  private omittedErrors = 0;
  private omittedWarnings = 0;
  private readonly ids = new LineIndex();
  private readonly contents = new LineIndex();
  private readonly max: number;

  constructor(private readonly opts: ValidatorOptions = {}) {
    this.max = opts.maxIssues ?? 1000;
  }

  /** Errors found so far, listed or not. */
  get errorCount(): number {
    return this.errors.length + this.omittedErrors;
  }

  /** The listed error at `index` (0-based, in the order found). */
  errorAt(index: number): DatasetIssue | undefined {
    return this.errors[index];
  }

  /** The file's format so far (from --format's first matching record). */
  get format(): RecordFormat | undefined {
    return this.fileFormat;
  }

  /**
   * Checks one line (without its terminator). Returns the normalized record when the line holds a valid one.
   * `unterminatedLast`: this is the file's final line and had no newline — if it does not parse, the writer was
   * cut off mid-line, which is tolerated with a warning.
   */
  line(lineNo: number, text: string, unterminatedLast = false): DatasetRecord | undefined {
    if (isBlank(text)) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      if (unterminatedLast) {
        this.add('warning', {
          line: lineNo,
          column: 1,
          field: null,
          code: 'torn_last_line',
          message: 'the last line is incomplete (no newline and not valid JSON): the file was probably cut off while being written; this record is ignored',
        });
      } else this.add('error', syntaxIssue(lineNo, text, e));
      return undefined;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.add('error', { line: lineNo, column: firstNonBlank(text) + 1, field: null, code: 'not_object', message: `each line must be a JSON object, found ${typeName(value)}` });
      return undefined;
    }
    const counted = this.records;
    try {
      return this.record(lineNo, text, value as Record<string, unknown>);
    } catch (e) {
      // JSON.parse accepts any depth; locating a field in a line nested beyond the position parser's limit
      // cannot. That is this line's problem, not the file's.
      if (!(e instanceof JsonSyntaxError)) throw e;
      this.records = counted;
      this.add('error', { line: lineNo, column: e.offset + 1, field: null, code: 'json_too_deep', message: `cannot check this record: ${e.message}` });
      return undefined;
    }
  }

  /** Reported by the byte-level reader: bytes that are not UTF-8 at 1-based `column`. */
  invalidUtf8(lineNo: number, column: number): void {
    this.add('error', { line: lineNo, column, field: null, code: 'invalid_utf8', message: 'invalid UTF-8 byte sequence: save the file as UTF-8' });
  }

  lineTooLong(lineNo: number, bytes: number, limit: number): void {
    this.add('error', {
      line: lineNo,
      column: 1,
      field: null,
      code: 'line_too_long',
      message: `line is ${(bytes / 1e6).toFixed(0)} MB, over the ${(limit / 1e6).toFixed(0)} MB limit per record; it was skipped`,
    });
  }

  result(): ValidationResult {
    const r: ValidationResult = { format: this.fileFormat ?? null, records: this.records, errors: this.errors, warnings: this.warnings };
    if (this.records === 0 && this.errors.length === 0 && this.omittedErrors === 0) {
      r.errors = [{ line: 1, column: 1, field: null, code: 'empty_file', message: 'the file holds no records' }];
    }
    if (this.omittedErrors) r.omittedErrors = this.omittedErrors;
    if (this.omittedWarnings) r.omittedWarnings = this.omittedWarnings;
    return r;
  }

  private add(severity: Severity, issue: DatasetIssue): void {
    const list = severity === 'error' ? this.errors : this.warnings;
    if (list.length < this.max) list.push(issue);
    else if (severity === 'error') this.omittedErrors++;
    else this.omittedWarnings++;
  }

  private record(lineNo: number, text: string, obj: Record<string, unknown>): DatasetRecord | undefined {
    let format = detectFormat(obj);
    if (!format && this.fileFormat && FIELD_ALIASES[this.fileFormat].some(([alias]) => alias in obj)) format = this.fileFormat;
    if (!format) {
      const keys = Object.keys(obj);
      this.add('error', {
        line: lineNo,
        column: firstNonBlank(text) + 1,
        field: null,
        code: 'unknown_format',
        message: `record matches no dataset format (found ${keys.length ? keys.map((k) => `"${k}"`).join(', ') : 'no fields'}); expected prompt+completion, messages, text, instruction+output (SFT), prompt+chosen+rejected (DPO) or prompt+completion+label (KTO)`,
      });
      return undefined;
    }
    const wanted = this.opts.format ?? 'auto';
    if (wanted !== 'auto' && kindOf(format) !== wanted && !(wanted === 'kto' && kindOf(format) === 'dpo')) {
      this.add('error', {
        line: lineNo,
        column: firstNonBlank(text) + 1,
        field: null,
        code: 'wrong_kind',
        message: `record is ${FORMAT_LABELS[format]}, but --format ${wanted} expects ${wanted === 'sft' ? 'an SFT' : wanted === 'dpo' ? 'a DPO' : 'a KTO (or DPO pair)'} format`,
      });
      return undefined;
    }
    if (!this.fileFormat) {
      this.fileFormat = format;
      this.fileFormatLine = lineNo;
    } else if (format !== this.fileFormat) {
      this.add('error', {
        line: lineNo,
        column: firstNonBlank(text) + 1,
        field: null,
        code: 'mixed_format',
        message: `record is ${FORMAT_LABELS[format]}, but this file is ${FORMAT_LABELS[this.fileFormat]} (line ${this.fileFormatLine}); use one format per file`,
      });
      return undefined;
    }

    const pending = checkFields(format, obj);
    const hasError = pending.some((p) => p.severity === 'error');
    let tree: JsonNode | undefined;
    const pos = () => (tree ??= parseWithPositions(text));

    let normalized: DatasetRecord | undefined;
    if (!hasError) {
      normalized = normalizeRecord(format, obj);
      this.records++;
      if (obj.id !== undefined) {
        // With a native hash the map holds 8-byte numbers instead of id strings (millions of records).
        const id = this.opts.hash ? this.opts.hash(`id\u0000${String(obj.id)}`) : String(obj.id);
        const seen = this.ids.firstLine(id, lineNo);
        if (seen !== undefined) pending.push({ severity: 'error', code: 'duplicate_id', path: ['id'], message: `id ${JSON.stringify(obj.id)} is already used on line ${seen}` });
      }
      const key = (this.opts.hash ?? hash64)(contentParts(normalized));
      const dup = this.contents.firstLine(key, lineNo);
      if (dup !== undefined) pending.push({ severity: 'warning', code: 'duplicate_record', path: [], message: `same content as line ${dup}`, missing: true });
      if (this.opts.phi !== false) {
        const detect = this.opts.detectPhi ?? detectPhi;
        for (const [path, s] of textFields(format, obj)) {
          for (const f of detect(s, lineNo, format, path)) {
            if (this.opts.phiAllowed?.(f.category, f.text)) continue;
            pending.push({
              severity: this.opts.phiAsErrors ? 'error' : 'warning',
              code: `phi_${f.category}`,
              path,
              span: [f.start, f.end],
              // Kind and length, never the matched text: messages end up in logs, run.json and output channels.
              message: `possible PHI (${PHI_LABELS[f.category]}, ${f.end - f.start} character${f.end - f.start === 1 ? '' : 's'}) — remove or replace it before training on this file`,
            });
          }
        }
      }
    }
    for (const p of pending) this.add(p.severity, place(lineNo, text, pos, p));
    return pending.some((p) => p.severity === 'error') ? undefined : normalized;
  }
}

/** Field-level problems of a record whose format is known (no positions yet). */
function checkFields(format: RecordFormat, obj: Record<string, unknown>): Pending[] {
  const out: Pending[] = [];
  const known = new Set(FORMAT_FIELDS[format]);
  const aliased = new Set<string>();
  for (const [alias, target] of FIELD_ALIASES[format]) {
    if (alias in obj && !(target in obj) && !aliased.has(target)) {
      aliased.add(target);
      known.add(alias);
      out.push({
        severity: 'error',
        code: 'field_alias',
        path: [alias],
        atKey: true,
        message: `"${alias}" should be "${target}" in ${FORMAT_LABELS[format]} records`,
        fixText: () => ({ title: `Rename "${alias}" to "${target}"`, column: 0, endColumn: 0, text: JSON.stringify(target) }),
      });
    }
  }
  for (const k of Object.keys(obj)) {
    if (!known.has(k)) out.push({ severity: 'warning', code: 'unknown_field', path: [k], atKey: true, message: `unknown field "${k}" is ignored by ${FORMAT_LABELS[format]}` });
  }
  // Fast path: most records are valid, and one parse of the whole record is cheaper than one per field.
  if (aliased.size === 0 && FORMAT_SCHEMAS[format].safeParse(obj).success) {
    out.push(...structureChecks(format, obj));
    return out;
  }
  const shape = FORMAT_SCHEMAS[format].shape as Record<string, z.ZodType>;
  for (const field of FORMAT_FIELDS[format]) {
    const v = obj[field];
    if (v === undefined) {
      if (REQUIRED[format].includes(field) && !aliased.has(field)) {
        out.push({ severity: 'error', code: 'missing_field', path: [field], missing: true, message: `missing required field "${field}" (${FORMAT_LABELS[format]})` });
      }
      continue;
    }
    if (TURN_FIELDS.has(field) && (kindOf(format) !== 'sft' || format === 'prompt_completion')) {
      if (typeof v === 'string') out.push(...zodIssues(shapeText, v, [field]));
      else if (Array.isArray(v)) out.push(...zodIssues(messageList, v, [field]));
      else out.push({ severity: 'error', code: 'wrong_type', path: [field], message: `"${field}" must be a string or a list of {role, content} messages, got ${typeName(v)}` });
    } else out.push(...zodIssues(shape[field], v, [field]));
  }
  if (out.some((p) => p.severity === 'error')) return out;
  out.push(...structureChecks(format, obj));
  return out;
}

/** Fields that hold a string or a message list (TRL's standard and conversational forms). */
const TURN_FIELDS = new Set(['prompt', 'completion', 'chosen', 'rejected']);
const shapeText = z.string().min(1, 'must not be empty');
const messageList = z.array(MessageSchema).min(1, 'must have at least one message');

function zodIssues(schema: z.ZodType, value: unknown, base: PathSegment[]): Pending[] {
  const r = schema.safeParse(value);
  if (r.success) return [];
  return r.error.issues.map((issue): Pending => {
    const path = [...base, ...(issue.path as PathSegment[])];
    const field = formatPath(path);
    const actual = valueAt(value, issue.path as PathSegment[]);
    if (issue.code === 'invalid_type') {
      if (actual === undefined) return { severity: 'error', code: 'missing_field', path, missing: true, message: `missing required field "${field}"` };
      return { severity: 'error', code: 'wrong_type', path, message: `"${field}" must be ${article(issue.expected)}, got ${typeName(actual)}` };
    }
    if (issue.code === 'too_small') {
      const list = Array.isArray(actual);
      return { severity: 'error', code: list ? 'empty_list' : 'empty_string', path, message: `"${field}" ${list ? 'must have at least one element' : 'must not be an empty string'}` };
    }
    if (issue.code === 'invalid_value' && path[path.length - 1] === 'role') {
      const fixed = typeof actual === 'string' ? ROLE_ALIASES[actual] : undefined;
      return {
        severity: 'error',
        code: 'invalid_role',
        path,
        message: `"${field}" is ${JSON.stringify(actual)}; roles are "system", "user", "assistant" and "tool"${fixed ? ` (did you mean "${fixed}"?)` : ''}`,
        fixText: fixed ? () => ({ title: `Change role to "${fixed}"`, column: 0, endColumn: 0, text: JSON.stringify(fixed) }) : undefined,
      };
    }
    return { severity: 'error', code: 'wrong_type', path, message: `"${field}": ${issue.message}` };
  });
}

function structureChecks(format: RecordFormat, obj: Record<string, unknown>): Pending[] {
  const order = (list: ChatMessage[], base: PathSegment[], mode: RoleOrderMode): Pending[] =>
    checkRoleOrder(list, mode).map((v) => ({ severity: 'error', code: 'role_order', path: [...base, v.index, 'role'], message: v.message }));
  if (format === 'messages') return order(obj.messages as ChatMessage[], ['messages'], 'conversation');
  if (format === 'prompt_completion' || format === 'unpaired_preference') {
    // Conversational prompt-completion: a prompt ending in a user turn, an answer starting with the assistant.
    return [
      ...(Array.isArray(obj.prompt) ? order(obj.prompt as ChatMessage[], ['prompt'], 'prompt') : []),
      ...(Array.isArray(obj.completion) ? order(obj.completion as ChatMessage[], ['completion'], 'answer') : []),
    ];
  }
  if (kindOf(format) !== 'dpo') return [];
  const sides = (format === 'preference' ? ['prompt', 'chosen', 'rejected'] : ['chosen', 'rejected']).map((f) => [f, obj[f]] as const);
  const lists = sides.filter(([, v]) => Array.isArray(v)).length;
  if (lists !== 0 && lists !== sides.length) {
    return [
      {
        severity: 'error',
        code: 'mixed_sides',
        path: [sides.find(([, v]) => Array.isArray(v) !== Array.isArray(sides[0][1]))?.[0] ?? sides[0][0]],
        message: `${sides.map(([f]) => `"${f}"`).join(', ')} must all be strings or all be message lists`,
      },
    ];
  }
  const out: Pending[] = [];
  if (lists) {
    if (format === 'preference') {
      out.push(...order(obj.prompt as ChatMessage[], ['prompt'], 'prompt'));
      out.push(...order(obj.chosen as ChatMessage[], ['chosen'], 'answer'));
      out.push(...order(obj.rejected as ChatMessage[], ['rejected'], 'answer'));
    } else {
      out.push(...order(obj.chosen as ChatMessage[], ['chosen'], 'conversation'));
      out.push(...order(obj.rejected as ChatMessage[], ['rejected'], 'conversation'));
      if (out.length === 0) {
        const split = splitImplicitPrompt(obj.chosen as ChatMessage[], obj.rejected as ChatMessage[]);
        const prompt = split.prompt as ChatMessage[];
        if (prompt.length === 0 || prompt[prompt.length - 1].role !== 'user' || (split.chosen as ChatMessage[]).length === 0 || (split.rejected as ChatMessage[]).length === 0) {
          out.push({
            severity: 'error',
            code: 'role_order',
            path: ['rejected'],
            message: 'with an implicit prompt, chosen and rejected must share the same turns up to a user message and then differ in the assistant reply',
          });
        }
      }
    }
  }
  if (JSON.stringify(obj.chosen) === JSON.stringify(obj.rejected)) {
    out.push({ severity: 'warning', code: 'identical_pair', path: ['rejected'], message: 'chosen and rejected are identical: this pair carries no preference signal' });
  }
  return out;
}

/** Every string that ends up in the model's input, with its JSON path (PHI scanning). */
export function textFields(format: RecordFormat, obj: Record<string, unknown>): [PathSegment[], string][] {
  const out: [PathSegment[], string][] = [];
  for (const f of FORMAT_FIELDS[format]) {
    if (f === 'id' || f === 'meta') continue;
    const v = obj[f];
    if (typeof v === 'string') out.push([[f], v]);
    else if (Array.isArray(v)) (v as ChatMessage[]).forEach((m, i) => m.content !== undefined && out.push([[f, i, 'content'], m.content]));
  }
  return out;
}

/** Attaches line/column (and the fix's columns) to a pending issue using the line's position tree. */
function place(lineNo: number, text: string, pos: () => JsonNode, p: Pending): DatasetIssue {
  const issue: DatasetIssue = { line: lineNo, column: 1, field: p.path.length ? formatPath(p.path) : null, code: p.code, message: p.message };
  const root = pos();
  if (p.missing) {
    const at = locate(root, p.path.slice(0, -1));
    issue.column = at.node.start + 1;
    return issue;
  }
  const at = locate(root, p.path);
  if (!at.exact) {
    issue.column = at.node.start + 1;
    return issue;
  }
  if (p.atKey && at.keyStart !== undefined && at.keyEnd !== undefined) {
    issue.column = at.keyStart + 1;
    issue.endColumn = at.keyEnd + 1;
  } else if (p.span && at.node.kind === 'string') {
    issue.column = rawOffsetInString(text, at.node.start, p.span[0]) + 1;
    issue.endColumn = rawOffsetInString(text, at.node.start, p.span[1]) + 1;
  } else {
    issue.column = at.node.start + 1;
    issue.endColumn = at.node.end + 1;
  }
  const fix = p.fixText?.('');
  if (fix) issue.fix = { ...fix, column: issue.column, endColumn: issue.endColumn ?? issue.column };
  return issue;
}

function syntaxIssue(lineNo: number, text: string, e: unknown): DatasetIssue {
  try {
    parseWithPositions(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) return { line: lineNo, column: err.offset + 1, field: null, code: 'json_syntax', message: `invalid JSON: ${err.message}` };
  }
  // Our parser accepted what JSON.parse rejected (should not happen): keep JSON.parse's own words.
  return { line: lineNo, column: 1, field: null, code: 'json_syntax', message: `invalid JSON: ${e instanceof Error ? e.message : String(e)}` };
}

function isBlank(text: string): boolean {
  return text.length === 0 || /^\s*$/.test(text);
}

function firstNonBlank(text: string): number {
  const m = /\S/.exec(text);
  return m ? m.index : 0;
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'number') return 'a number';
  if (typeof v === 'boolean') return 'a boolean';
  return typeof v;
}

function article(expected: string): string {
  return expected === 'array' || expected === 'object' ? `an ${expected}` : `a ${expected}`;
}
