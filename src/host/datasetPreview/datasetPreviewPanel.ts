import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { webviewHtml, webviewOptions } from '../webviewHtml';
import { DatasetPreviewHostMessage, DatasetPreviewWebviewMessage, type FilterMode, type PreviewRow, type PreviewStats } from '../../core/protocol/datasetPreview';
import { indexDataset, readLineAt, readLinesAt, type DatasetIndex } from '../../core/node/datasetIndex';
import { readLineBatches } from '../../core/node/jsonlReader';
import { detectFormat, normalizeRecord } from '../../core/datasets/records';
import { recordPreview, recordText } from '../../core/datasets/recordSummary';
import { applyTokenCount, computeStats, oneLine } from '../../core/node/previewStats';
import { countTokensInChild } from './tokenCounter';
import type { TrainerChildren } from '../trainerChildren';
import { SHOW_TRAINING_TOKENS, type ShowTokensRequest } from '../inspector/registerInspector';

/** Files up to this size are tokenized (in a child) for the length histogram; bigger ones are measured in characters. */
const TOKENIZE_LIMIT = 16 * 1024 * 1024;
const MAX_ROWS_PER_REQUEST = 400;
const PREVIEW_CHARS = 240;

const open = new Map<string, DatasetPreview>();

/** "Clinical FT: Open dataset preview" for the explorer's file, the active editor's, or one picked. */
export async function openDatasetPreview(context: vscode.ExtensionContext, children: TrainerChildren, arg?: unknown): Promise<DatasetPreview | undefined> {
  let uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
  if (!uri || uri.scheme !== 'file' || !uri.fsPath.endsWith('.jsonl')) {
    uri = (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'JSON Lines': ['jsonl'] }, title: 'Open dataset preview' }))?.[0];
  }
  if (!uri) return undefined;
  const existing = open.get(uri.fsPath);
  if (existing) {
    existing.panel.reveal();
    return existing;
  }
  const preview = new DatasetPreview(context, children, uri);
  open.set(uri.fsPath, preview);
  preview.panel.onDidDispose(() => open.delete(uri.fsPath));
  return preview;
}

export class DatasetPreview {
  readonly panel: vscode.WebviewPanel;
  private index: DatasetIndex | undefined;
  private stats: PreviewStats | null = null;
  private query = '';
  private mode: FilterMode = 'all';
  private indices: number[] | null = null;
  private filterGeneration = 0;
  private buildGeneration = 0;
  private disposed = false;
  private progressRows = 0;
  private readonly file: string;
  private stopCounting: (() => void) | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly children: TrainerChildren,
    private readonly uri: vscode.Uri,
  ) {
    this.file = uri.fsPath;
    this.panel = vscode.window.createWebviewPanel('clinicalFt.datasetPreview', `Dataset: ${path.basename(this.file)}`, vscode.ViewColumn.Active, {
      ...webviewOptions(context.extensionUri),
      retainContextWhenHidden: false,
    });
    this.panel.webview.html = webviewHtml(this.panel.webview, context.extensionUri, 'datasetPreview', `Dataset preview: ${path.basename(this.file)}`);
    this.panel.webview.onDidReceiveMessage((raw) => {
      const msg = DatasetPreviewWebviewMessage.safeParse(raw);
      if (!msg.success) {
        console.warn('[clinical-ft] rejected dataset preview message', msg.error.issues[0]?.message);
        return;
      }
      void this.handle(msg.data).catch((e: unknown) => this.post({ type: 'error', message: e instanceof Error ? e.message : String(e) }));
    });
    // Rebuild when the file changes on disk (saved in the editor, appended by a labeler, regenerated).
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(this.file)), path.basename(this.file)));
    let rebuild: NodeJS.Timeout | undefined;
    const changed = () => {
      clearTimeout(rebuild);
      rebuild = setTimeout(() => void this.build(), 500);
    };
    watcher.onDidChange(changed);
    watcher.onDidCreate(changed);
    this.panel.onDidDispose(() => {
      this.disposed = true;
      this.stopCounting?.();
      clearTimeout(rebuild);
      watcher.dispose();
    });
    void this.build();
  }

  private post(msg: DatasetPreviewHostMessage): void {
    if (!this.disposed) void this.panel.webview.postMessage(DatasetPreviewHostMessage.parse(msg));
  }

  private snapshot(): void {
    this.post({
      type: 'snapshot',
      fileName: path.basename(this.file),
      total: this.index?.rows.length ?? this.progressRows,
      indexing: !this.index,
      stats: this.stats,
      query: this.query,
      mode: this.mode,
      indices: this.indices,
    });
  }

  private async build(): Promise<void> {
    const generation = ++this.buildGeneration;
    try {
      const size = (await fs.promises.stat(this.file)).size;
      this.stopCounting?.();
      // Token counting runs beside the index, in a child: the host measures characters meanwhile.
      const counting = size <= TOKENIZE_LIMIT ? countTokensInChild(this.children, this.context.extensionPath, this.file) : undefined;
      this.stopCounting = counting?.cancel;
      let lastPost = 0;
      const index = await indexDataset(this.file, {
        cancelled: () => this.disposed || generation !== this.buildGeneration,
        onProgress: (rows) => {
          this.progressRows = rows;
          if (Date.now() - lastPost > 250) {
            lastPost = Date.now();
            this.post({ type: 'progress', total: rows, indexing: true });
          }
        },
      });
      if (this.disposed || generation !== this.buildGeneration) return;
      this.index = index;
      const note = counting ? 'Counting tokens…' : size > TOKENIZE_LIMIT ? `Files over ${TOKENIZE_LIMIT / 1024 / 1024} MB are measured in characters.` : null;
      this.stats = computeStats(index, null, note);
      // Row numbers changed: a text filter would point at stale rows, so start unfiltered.
      this.query = '';
      this.mode = 'all';
      this.indices = null;
      this.snapshot();
      if (!counting) return;
      const counted = await counting.result;
      if (this.disposed || generation !== this.buildGeneration) return;
      this.stats = applyTokenCount(index, counted);
      this.snapshot();
    } catch (e) {
      this.post({ type: 'error', message: `cannot read ${path.basename(this.file)}: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  private async handle(msg: DatasetPreviewWebviewMessage): Promise<void> {
    switch (msg.type) {
      case 'ready':
        return this.snapshot();
      case 'rows':
        return this.sendRows(msg.start, Math.min(msg.end, msg.start + MAX_ROWS_PER_REQUEST));
      case 'filter':
        return this.filter(msg.query, msg.mode);
      case 'record':
        return this.sendRecord(msg.index);
      case 'reveal': {
        const doc = await vscode.workspace.openTextDocument(this.uri);
        const pos = new vscode.Position(msg.line - 1, (msg.column ?? 1) - 1);
        await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos), viewColumn: vscode.ViewColumn.Beside });
        return;
      }
      case 'showTokens':
        await vscode.commands.executeCommand(SHOW_TRAINING_TOKENS, { file: this.file, line: msg.line } satisfies ShowTokensRequest);
        return;
    }
  }

  private async sendRows(start: number, end: number): Promise<void> {
    const index = this.index;
    if (!index) return;
    const rows: PreviewRow[] = [];
    const last = Math.min(end, index.rows.length);
    if (start >= last) return;
    // Rows of a block are contiguous in the file: one read for all of them.
    const until = last < index.rows.length ? index.rows[last].offset : (await fs.promises.stat(this.file)).size;
    const texts = await readLinesAt(this.file, index.rows.slice(start, last).map((r) => r.offset), until);
    for (let i = start; i < last; i++) {
      const r = index.rows[i];
      let preview = '';
      let answer = '';
      if (!r.error) {
        const parsed = parseRecord(texts[i - start]);
        if (parsed) ({ preview, answer } = recordPreview(parsed));
      }
      rows.push({
        index: i,
        line: r.line,
        preview: clip(preview),
        answer: clip(answer),
        label: r.label === null ? null : oneLine(r.label),
        length: r.length,
        phi: index.phiByLine.get(r.line) ?? 0,
        duplicate: index.duplicateLines.has(r.line),
        error: r.error,
      });
    }
    this.post({ type: 'rows', rows });
  }

  private async sendRecord(i: number): Promise<void> {
    const r = this.index?.rows[i];
    if (!r || !this.index) return;
    const raw = await readLineAt(this.file, r.offset);
    let record: unknown = null;
    try {
      record = JSON.parse(raw);
    } catch {
      record = null;
    }
    const issues = [
      ...this.index.result.errors.filter((x) => x.line === r.line).map((x) => ({ severity: 'error' as const, ...pick(x) })),
      ...this.index.result.warnings.filter((x) => x.line === r.line).map((x) => ({ severity: 'warning' as const, ...pick(x) })),
    ];
    this.post({ type: 'record', index: i, line: r.line, record, raw: raw.length > 200_000 ? `${raw.slice(0, 200_000)}…` : raw, issues });
  }

  /** Mode filters use the index; text search streams the file once (latest query wins). */
  private async filter(query: string, mode: FilterMode): Promise<void> {
    const index = this.index;
    if (!index) return;
    const gen = ++this.filterGeneration;
    this.query = query;
    this.mode = mode;
    const byMode = (i: number) => {
      const r = index.rows[i];
      if (mode === 'phi') return index.phiByLine.has(r.line);
      if (mode === 'duplicates') return index.duplicateLines.has(r.line);
      if (mode === 'errors') return r.error !== null;
      return true;
    };
    let indices: number[] | null = null;
    const needle = query.trim().toLowerCase();
    if (needle) {
      const rowOfLine = new Map(index.rows.map((r, i) => [r.line, i]));
      indices = [];
      for await (const batch of readLineBatches(this.file)) {
        if (gen !== this.filterGeneration || this.disposed) return;
        for (const e of batch) {
          if (e.kind !== 'line') continue;
          const i = rowOfLine.get(e.line);
          if (i === undefined || !byMode(i)) continue;
          const rec = parseRecord(e.text);
          const hay = (rec ? recordText(rec) : e.text).toLowerCase();
          if (hay.includes(needle)) indices.push(i);
        }
        await new Promise((r) => setImmediate(r));
      }
    } else if (mode !== 'all') {
      indices = [];
      for (let i = 0; i < index.rows.length; i++) if (byMode(i)) indices.push(i);
    }
    if (gen !== this.filterGeneration) return;
    this.indices = indices;
    this.post({ type: 'filtered', query, mode, indices });
  }
}

function pick(i: { line: number; column: number; field: string | null; code: string; message: string }) {
  return { line: i.line, column: i.column, field: i.field, code: i.code, message: i.message };
}

function clip(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > PREVIEW_CHARS ? `${one.slice(0, PREVIEW_CHARS)}…` : one;
}

function parseRecord(text: string) {
  try {
    const obj = JSON.parse(text) as Record<string, unknown>;
    const format = detectFormat(obj);
    return format ? normalizeRecord(format, obj) : undefined;
  } catch {
    return undefined;
  }
}
