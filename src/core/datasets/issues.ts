// The validator's issues and result, shared by the CLI, the editor and the trainer; the runtime schema of
// `clinical-ft validate --json` is src/core/protocol/cliOutputs.ts (ValidateOutput).
import type { RecordFormat } from './records';

export type IssueCode =
  | 'json_syntax'
  | 'json_too_deep'
  | 'invalid_utf8'
  | 'line_too_long'
  | 'torn_last_line'
  | 'not_object'
  | 'unknown_format'
  | 'wrong_kind'
  | 'mixed_format'
  | 'missing_field'
  | 'field_alias'
  | 'wrong_type'
  | 'empty_string'
  | 'empty_list'
  | 'invalid_role'
  | 'role_order'
  | 'mixed_sides'
  | 'identical_pair'
  | 'unknown_field'
  | 'duplicate_id'
  | 'duplicate_record'
  | 'empty_file'
  | 'leakage_exact'
  | 'leakage_near'
  | `phi_${string}`;

/** A certain fix: replace columns [column, endColumn) of the issue's line with `text`. */
export interface IssueFix {
  title: string;
  column: number;
  endColumn: number;
  text: string;
}

export interface DatasetIssue {
  /** 1-based line. */
  line: number;
  /** 1-based column in UTF-16 code units of the line (after a BOM), as editors count. */
  column: number;
  /** Exclusive end column of the span the issue is about, when it has one. */
  endColumn?: number;
  /** JSON path of the field (e.g. `messages[2].content`), or null for line-level issues. */
  field: string | null;
  code: IssueCode;
  message: string;
  fix?: IssueFix;
}

export interface ValidationResult {
  format: RecordFormat | null;
  records: number;
  errors: DatasetIssue[];
  warnings: DatasetIssue[];
  /** Issues beyond the reporting cap, counted but not listed. */
  omittedErrors?: number;
  omittedWarnings?: number;
}
