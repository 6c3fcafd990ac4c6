// Preference labeler: renders the host's snapshots of the document and turns keys into edit requests.
// Nothing is stored here except where the cursor is; the TextDocument in the host is the model.
import './labeler.css';
import { h, clear } from '../shared/dom';
import { onHostMessage, postToHost, vscodeApi } from '../shared/vscodeApi';
import { LabelerHostMessage, type LabelerWebviewMessage, type RecordView } from '../../src/core/protocol/labeler';
import { candidateForSide } from '../../src/core/labels/displayOrder';
import { turnsText, type Label, type Turns } from '../../src/core/labels/prefsRecord';
import { wordDiff, type DiffPart } from '../../src/core/labels/wordDiff';

type Pair = Extract<RecordView, { kind: 'pair' }>;

interface UiState {
  line: number;
  unlabeledOnly: boolean;
  diff: boolean;
}

const saved = (vscodeApi().getState() ?? {}) as Partial<UiState>;
const state = {
  fileName: '',
  annotator: '',
  records: [] as RecordView[],
  line: saved.line ?? -1,
  unlabeledOnly: saved.unlabeledOnly ?? false,
  diff: saved.diff ?? false,
  editingRationale: false,
  /** The record a decision just labeled (the cursor has moved on): `r` right after a label annotates it. */
  justLabeled: undefined as number | undefined,
  /** The record whose rationale is being edited. */
  rationaleFor: undefined as number | undefined,
  notice: '',
};

const app = document.getElementById('app')!;
const send = (m: LabelerWebviewMessage) => postToHost(m);

function persist(): void {
  vscodeApi().setState({ line: state.line, unlabeledOnly: state.unlabeledOnly, diff: state.diff } satisfies UiState);
}

const isLabeled = (r: RecordView) => r.kind === 'pair' && r.label !== undefined;
/** Malformed lines stay visible under the filter: they need attention too. */
const visible = () => (state.unlabeledOnly ? state.records.filter((r) => !isLabeled(r)) : state.records);

function currentIndex(): number {
  const list = visible();
  if (list.length === 0) return -1;
  const exact = list.findIndex((r) => r.line === state.line);
  if (exact >= 0) return exact;
  const after = list.findIndex((r) => r.line > state.line);
  return after >= 0 ? after : list.length - 1;
}

function current(): RecordView | undefined {
  const i = currentIndex();
  return i >= 0 ? visible()[i] : undefined;
}

function move(delta: number): void {
  const list = visible();
  const i = currentIndex();
  if (i < 0) return;
  const j = Math.max(0, Math.min(list.length - 1, i + delta));
  state.line = list[j].line;
  state.notice = '';
  persist();
  render();
}

/** After a decision the cursor goes to the next record, as seen before the decision changes the filter. */
function advanceFrom(line: number): void {
  const list = visible();
  const next = list.find((r) => r.line > line && !(state.unlabeledOnly && isLabeled(r)));
  if (next) state.line = next.line;
  persist();
}

function decide(choice: 1 | 2 | 'tie' | 'both_bad' | null): void {
  const rec = current();
  if (!rec) return;
  if (rec.kind !== 'pair') {
    state.notice = `Line ${rec.line + 1} is not a valid preference record; it is left untouched (t opens it as text).`;
    render();
    return;
  }
  const label: Label | null = choice === 1 || choice === 2 ? candidateForSide(rec.order, choice) : choice;
  send({ type: 'label', line: rec.line, expect: rec.hash, label });
  if (label !== null) {
    state.justLabeled = rec.line;
    advanceFrom(rec.line);
  }
  render();
}

function onKey(e: KeyboardEvent): void {
  if (state.editingRationale || e.ctrlKey || e.metaKey || e.altKey) return;
  const actions: Record<string, () => void> = {
    '1': () => decide(1),
    '2': () => decide(2),
    '3': () => decide('tie'),
    '0': () => decide('both_bad'),
    Backspace: () => decide(null),
    Delete: () => decide(null),
    j: () => move(1),
    ArrowDown: () => move(1),
    ArrowRight: () => move(1),
    k: () => move(-1),
    ArrowUp: () => move(-1),
    ArrowLeft: () => move(-1),
    Home: () => move(-Infinity),
    End: () => move(Infinity),
    u: () => send({ type: 'undo' }),
    U: () => send({ type: 'redo' }),
    r: () => openRationale(),
    f: () => toggleFilter(),
    d: () => toggleDiff(),
    t: () => {
      const rec = current();
      if (rec) send({ type: 'showText', line: rec.line });
    },
  };
  const action = actions[e.key];
  if (!action) return;
  e.preventDefault();
  if (e.key !== 'r') state.justLabeled = undefined;
  action();
}

function toggleFilter(): void {
  state.unlabeledOnly = !state.unlabeledOnly;
  persist();
  render();
}

function toggleDiff(): void {
  state.diff = !state.diff;
  persist();
  render();
}

function openRationale(): void {
  const target = state.justLabeled ?? current()?.line;
  const rec = state.records.find((r) => r.line === target);
  if (!rec || rec.kind !== 'pair') return;
  state.rationaleFor = rec.line;
  state.editingRationale = true;
  render();
  const box = document.getElementById('rationale-input') as HTMLTextAreaElement | null;
  box?.focus();
  box?.setSelectionRange(box.value.length, box.value.length);
}

function closeRationale(save: boolean): void {
  const rec = state.records.find((r) => r.line === state.rationaleFor);
  const box = document.getElementById('rationale-input') as HTMLTextAreaElement | null;
  if (save && rec?.kind === 'pair' && box && box.value !== (rec.rationale ?? '')) {
    send({ type: 'rationale', line: rec.line, expect: rec.hash, text: box.value });
  }
  state.editingRationale = false;
  state.rationaleFor = undefined;
  state.justLabeled = undefined;
  render();
  app.focus();
}

function turnsView(t: Turns, cls: string): HTMLElement {
  if (typeof t === 'string') return h('div', { class: `turns ${cls}` }, h('pre', { class: 'text' }, t));
  return h(
    'div',
    { class: `turns ${cls}` },
    ...t.map((m) => h('div', { class: `turn role-${m.role.replace(/[^a-z]/gi, '')}` }, h('div', { class: 'role' }, m.role), h('pre', { class: 'text' }, m.content))),
  );
}

function diffView(parts: DiffPart[]): HTMLElement {
  return h('div', { class: 'turns' }, h('pre', { class: 'text' }, ...parts.map((p) => (p.kind === 'same' ? p.text : h('mark', { class: 'only' }, p.text)))));
}

/** "30 Nov 2026, 18:42" in the user's locale; the ISO time stays in the tooltip and the file. */
function readableTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

const labelText: Record<Label, string> = { A: '', B: '', tie: 'Tie', both_bad: 'Both bad' };

function pairView(rec: Pair): HTMLElement {
  const left = rec.order === 'AB' ? rec.a : rec.b;
  const right = rec.order === 'AB' ? rec.b : rec.a;
  const preferredSide = rec.label === 'A' || rec.label === 'B' ? (candidateForSide(rec.order, 1) === rec.label ? 1 : 2) : 0;
  const diff = state.diff ? wordDiff(turnsText(left), turnsText(right)) : undefined;
  const pane = (side: 1 | 2, t: Turns) =>
    h(
      'section',
      { class: `pane ${side === 1 ? 'left' : 'right'}${preferredSide === side ? ' preferred' : ''}${rec.label === 'both_bad' ? ' bad' : ''}`, attrs: { 'aria-label': `Response ${side}` } },
      h('h3', {}, `Response ${side}`, h('span', { class: 'key' }, `${side}`), preferredSide === side ? h('span', { class: 'badge' }, 'preferred') : null),
      diff ? diffView(side === 1 ? diff.left : diff.right) : turnsView(t, 'response'),
    );
  const status =
    rec.label === undefined
      ? h('span', { class: 'muted' }, 'Unlabeled')
      : h(
          'span',
          { class: 'label-status' },
          rec.label === 'A' || rec.label === 'B' ? `Response ${preferredSide} better` : labelText[rec.label],
          rec.annotator ? h('span', { class: 'muted', attrs: rec.time ? { title: rec.time } : {} }, ` — ${rec.annotator}${rec.time ? `, ${readableTime(rec.time)}` : ''}`) : null,
        );
  return h(
    'article',
    { class: 'record pair', attrs: { 'data-line': String(rec.line), 'data-label': rec.label ?? '' } },
    h('div', { class: 'record-head' }, h('span', { class: 'record-id' }, rec.id ? `id ${rec.id}` : `line ${rec.line + 1}`), status),
    rec.prompt !== undefined ? h('section', { class: 'prompt', attrs: { 'aria-label': 'Prompt' } }, h('h3', {}, 'Prompt'), turnsView(rec.prompt, 'prompt')) : h('p', { class: 'muted' }, 'No prompt (implicit in the responses).'),
    h('div', { class: 'panes' }, pane(1, left), pane(2, right)),
    rationaleView(rec),
  );
}

function rationaleView(rec: Pair): HTMLElement {
  if (state.editingRationale) {
    const box = h('textarea', { attrs: { id: 'rationale-input', rows: '3', maxlength: '20000', 'aria-label': 'Rationale' } });
    box.value = rec.rationale ?? '';
    box.addEventListener('keydown', (e) => {
      const k = e as KeyboardEvent;
      if (k.key === 'Escape') {
        k.preventDefault();
        closeRationale(false);
      } else if (k.key === 'Enter' && !k.shiftKey) {
        k.preventDefault();
        closeRationale(true);
      }
    });
    return h('div', { class: 'rationale editing' }, h('label', { attrs: { for: 'rationale-input' } }, 'Rationale (Enter saves, Shift+Enter new line, Esc cancels)'), box);
  }
  return h('div', { class: 'rationale' }, h('span', { class: 'muted' }, 'Rationale: '), rec.rationale ? rec.rationale : h('span', { class: 'muted' }, '— (r to add)'));
}

function malformedView(rec: Extract<RecordView, { kind: 'malformed' }>): HTMLElement {
  return h(
    'article',
    { class: 'record malformed', attrs: { 'data-line': String(rec.line) } },
    h('div', { class: 'record-head' }, h('span', { class: 'record-id' }, `line ${rec.line + 1}`), h('span', { class: 'error' }, `Not a valid preference record: ${rec.error}`)),
    h('pre', { class: 'raw' }, rec.text),
    h('p', { class: 'muted' }, 'Left untouched. Press t to fix it in the text editor.'),
  );
}

function button(text: string, title: string, onClick: () => void): HTMLButtonElement {
  return h('button', { class: 'secondary', title, attrs: { type: 'button', tabindex: '-1' }, on: { click: onClick } }, text);
}

function render(): void {
  clear(app);
  const pairs = state.records.filter((r) => r.kind === 'pair');
  const labeled = pairs.filter(isLabeled).length;
  const list = visible();
  const i = currentIndex();
  const rec = i >= 0 ? list[i] : undefined;
  if (rec) state.line = rec.line;
  const pct = pairs.length ? Math.round((labeled / pairs.length) * 100) : 0;
  app.append(
    h(
      'header',
      { class: 'toolbar' },
      h('strong', {}, state.fileName),
      h('span', { attrs: { id: 'position' } }, rec ? `Record ${i + 1} of ${list.length}${state.unlabeledOnly ? ' unlabeled' : ''}` : 'No records'),
      h('span', { attrs: { id: 'progress' } }, `${labeled} / ${pairs.length} labeled`),
      h('progress', { attrs: { max: String(Math.max(1, pairs.length)), value: String(labeled), 'aria-label': `${pct}% labeled` } }),
      h('span', { class: 'muted', attrs: { id: 'annotator' } }, `annotator ${state.annotator}`),
      button(state.unlabeledOnly ? 'Show all (f)' : 'Unlabeled only (f)', 'Filter to unlabeled records', toggleFilter),
      button(state.diff ? 'Hide diff (d)' : 'Diff (d)', 'Highlight the words that differ', toggleDiff),
    ),
  );
  if (state.notice) app.append(h('div', { class: 'notice', attrs: { role: 'status' } }, state.notice));
  if (!rec) {
    app.append(h('p', { class: 'muted empty' }, state.unlabeledOnly && pairs.length ? 'Every record is labeled. Press f to show all.' : 'This file has no records yet.'));
  } else {
    // Editing the rationale of the record just labeled shows that record, not the one the cursor moved on to.
    const editing = state.editingRationale ? state.records.find((r) => r.line === state.rationaleFor) : undefined;
    const shown = editing ?? rec;
    if (shown !== rec) app.append(h('div', { class: 'notice', attrs: { role: 'status' } }, `Rationale for the record you just labeled (line ${shown.line + 1}); Enter saves and returns to record ${i + 1}.`));
    app.append(shown.kind === 'pair' ? pairView(shown) : malformedView(shown));
  }
  app.append(
    h(
      'footer',
      { class: 'keys muted' },
      '1 response 1 better · 2 response 2 better · 3 tie · 0 both bad · r rationale · j/k or arrows move · u undo · U redo · f unlabeled only · d diff · t text · Backspace clear',
    ),
  );
}

onHostMessage(LabelerHostMessage, (msg) => {
  switch (msg.type) {
    case 'snapshot':
      state.fileName = msg.fileName;
      state.annotator = msg.annotator;
      state.records = msg.records;
      if (msg.reveal !== undefined) state.line = msg.reveal;
      break;
    case 'update':
      for (const r of msg.records) {
        const k = state.records.findIndex((x) => x.line === r.line);
        if (k >= 0) state.records[k] = r;
      }
      break;
    case 'reveal':
      state.line = msg.line;
      if (state.unlabeledOnly && state.records.some((r) => r.line === msg.line && isLabeled(r))) state.unlabeledOnly = false;
      break;
    case 'notice':
      state.notice = msg.message;
      break;
  }
  persist();
  // Re-rendering would drop what the user is typing; the rationale box re-renders when it closes.
  if (!state.editingRationale) render();
});

app.tabIndex = -1;
window.addEventListener('keydown', onKey);
render();
app.focus();
send({ type: 'ready' });
