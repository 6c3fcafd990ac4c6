// The fact sheet as a document: sections of blocks assembled from the run's artifacts (FactSheetInputs) and
// the person-written answers. Markdown, HTML and the webview each render these same blocks, so the panel
// and every export say the same thing.
import { z } from 'zod';
import { ANSWER_FIELDS, answerOf, type AnswerKey, type Answers } from './answers';
import { cellText, evaluationTable, subgroupTable, baseName } from './evaluationTable';
import { chartGeometry, type ChartGeometry } from './lossChart';
import type { DataFileFacts, FactSheetInputs, TrainingFacts } from './inputs';
import { PHI_LABELS, type PhiCategory } from '../phi/detectors';

const ChartGeometrySchema = z.strictObject({
  title: z.string(),
  width: z.number(),
  height: z.number(),
  plot: z.strictObject({ left: z.number(), top: z.number(), right: z.number(), bottom: z.number() }),
  lines: z.array(z.strictObject({ name: z.string(), color: z.string(), path: z.string(), dashed: z.boolean() })),
  xTicks: z.array(z.strictObject({ x: z.number(), label: z.string() })),
  yTicks: z.array(z.strictObject({ y: z.number(), label: z.string() })),
  xLabel: z.string(),
});

export const Block = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('paragraph'), text: z.string() }),
  z.strictObject({ kind: z.literal('facts'), rows: z.array(z.tuple([z.string(), z.string()])) }),
  z.strictObject({ kind: z.literal('table'), header: z.array(z.string()), rows: z.array(z.array(z.string())) }),
  /** `file`: the SVG's name beside a Markdown export. */
  z.strictObject({ kind: z.literal('chart'), file: z.string(), chart: ChartGeometrySchema }),
  z.strictObject({ kind: z.literal('answer'), key: z.string(), label: z.string(), hint: z.string(), value: z.string().nullable() }),
]);
export type Block = z.infer<typeof Block>;

export const Section = z.strictObject({ id: z.string(), title: z.string(), blocks: z.array(Block) });
export type Section = z.infer<typeof Section>;

export const FactSheetDoc = z.strictObject({ title: z.string(), subtitle: z.string(), sections: z.array(Section) });
export type FactSheetDoc = z.infer<typeof FactSheetDoc>;

const METHOD_NAMES: Record<string, string> = { sft: 'SFT', dpo: 'DPO', kto: 'KTO', orpo: 'ORPO', simpo: 'SimPO' };
export const methodName = (m: string): string => METHOD_NAMES[m] ?? m.toUpperCase();

const fmt = (x: number | undefined | null, d = 4) => (x === undefined || x === null ? '—' : x.toFixed(d));
const last = (points: [number, number][]) => points.at(-1);
const shortHash = (h: string) => h;

export function modelTitle(i: FactSheetInputs): string {
  return `${i.baseModel.name} + LoRA (${methodName(i.run.method)}) — run ${i.run.id}`;
}

function phiText(phi: Record<string, number>): string {
  const entries = Object.entries(phi).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return 'none found';
  return entries.map(([k, n]) => `${PHI_LABELS[k as PhiCategory] ?? k}: ${n}`).join(', ');
}

function dataTable(data: DataFileFacts[]): Block {
  return {
    kind: 'table',
    header: ['Role', 'File', 'SHA-256', 'Records', 'Format', 'Errors', 'Duplicates', 'PHI findings by kind', 'Train/eval leakage'],
    rows: data.map((d) => [
      d.role === 'start-train' ? 'train (starting adapter)' : d.role,
      baseName(d.path),
      shortHash(d.sha256),
      String(d.records),
      d.format ?? '—',
      String(d.errors),
      String(d.duplicates),
      phiText(d.phiByKind),
      d.leakage?.length ? d.leakage.map((l) => `${l.exact} exact, ${l.near} near-duplicate prompts of ${baseName(l.against)}`).join('; ') : d.role === 'eval' ? 'not checked (no train file)' : '—',
    ]),
  };
}

function trainingBlocks(t: TrainingFacts, method: string, maxLength: unknown): Block[] {
  const blocks: Block[] = [];
  const loss = chartGeometry('Loss', [
    { name: 'train loss', points: t.loss },
    { name: 'eval loss', points: t.evalLoss },
  ]);
  if (loss) blocks.push({ kind: 'chart', file: 'factsheet-loss.svg', chart: loss });
  const rewards = chartGeometry('DPO reward accuracy', [
    { name: 'train rewards/accuracies', points: t.rewardAccuracy },
    { name: 'eval rewards/accuracies', points: t.evalRewardAccuracy },
  ]);
  if (rewards) blocks.push({ kind: 'chart', file: 'factsheet-rewards.svg', chart: rewards as ChartGeometry });
  const rows: [string, string][] = [
    ['Steps logged', String(last(t.loss)?.[0] ?? 0)],
    ['Final train loss', fmt(last(t.loss)?.[1])],
    ['Final eval loss', t.evalLoss.length ? fmt(last(t.evalLoss)?.[1]) : 'no eval set during training'],
  ];
  if (t.rewardAccuracy.length || method === 'dpo') {
    rows.push(['Final DPO reward accuracy (train batch)', fmt(last(t.rewardAccuracy)?.[1], 3)]);
    if (t.rewardAccuracy.length) {
      const tail = t.rewardAccuracy.slice(-Math.min(10, t.rewardAccuracy.length));
      rows.push([`DPO reward accuracy, mean of the last ${tail.length} steps`, fmt(tail.reduce((a, p) => a + p[1], 0) / tail.length, 3)]);
    }
    if (t.evalRewardAccuracy.length) rows.push(['Final DPO reward accuracy (eval)', fmt(last(t.evalRewardAccuracy)?.[1], 3)]);
  }
  rows.push([`Examples longer than --max-length ${String(maxLength ?? '')} (cut, kept)`.replace('  ', ' '), `train ${t.truncated.train}, eval ${t.truncated.eval}`]);
  if (t.untrained) rows.push(['Examples with every answer token cut off (train nothing)', `train ${t.untrained.train}, eval ${t.untrained.eval}`]);
  if (t.badMetricLines) rows.push(['Unreadable metrics.jsonl lines (skipped)', String(t.badMetricLines)]);
  blocks.push({ kind: 'facts', rows });
  return blocks;
}

function evaluationBlocks(i: FactSheetInputs): Block[] {
  if (i.evaluations.length === 0) {
    return [{ kind: 'paragraph', text: 'No evaluation results were found for the selected runs (run `clinical-ft eval`, Compare runs, or the demo to produce them).' }];
  }
  const table = evaluationTable(i.evaluations);
  const blocks: Block[] = [
    {
      kind: 'table',
      header: ['Model', ...table.columns.map((c) => `${c.label} (${c.dataset})`)],
      rows: table.rows.map((r) => [r.model, ...r.cells.map(cellText)]),
    },
    { kind: 'paragraph', text: 'Cells are mean ± sample standard deviation over the selected runs (n = runs, e.g. seeds); a single run shows its value.' },
    { kind: 'facts', rows: i.evaluations.map((e) => [`${e.row}: ${baseName(e.source)}`, `${baseName(e.dataset)}, ${e.examples.length} examples`]) },
  ];
  const sub = subgroupTable(i.evaluations);
  blocks.push({ kind: 'paragraph', text: 'Per-subgroup results (meta.subgroup of the eval records):' });
  if (sub) {
    blocks.push({
      kind: 'table',
      header: ['Model', ...sub.subgroups],
      rows: sub.rows.map((r) => [r.model, ...r.cells.map((c) => (c.summary ? `${cellText(c)} [${c.examples} ex.]` : '—'))]),
    });
    blocks.push({ kind: 'paragraph', text: 'A subgroup cell is the mean per-example score (1/0 correct, or ROUGE-L F) within the subgroup, mean ± sd over runs; [ex.] counts the examples.' });
  } else {
    blocks.push({ kind: 'paragraph', text: 'Not available: no evaluated record carries meta.subgroup.' });
  }
  return blocks;
}

function answerBlock(answers: Answers, key: AnswerKey): Block {
  const f = ANSWER_FIELDS.find((x) => x.key === key)!;
  return { kind: 'answer', key, label: f.label, hint: f.hint, value: answerOf(answers, key) ?? null };
}

function configRows(config: Record<string, unknown>): [string, string][] {
  return Object.entries(config).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
}

export function buildFactSheet(i: FactSheetInputs, answers: Answers): FactSheetDoc {
  const env = i.environment;
  const sections: Section[] = [
    {
      id: 'purpose',
      title: 'Intended use and risks (written by a person)',
      blocks: ANSWER_FIELDS.map((f) => answerBlock(answers, f.key)),
    },
    {
      id: 'model',
      title: 'Model',
      blocks: [
        {
          kind: 'facts',
          rows: [
            ['Base model', i.baseModel.name],
            ['Base model folder', i.baseModel.dir],
            ['Architecture', i.baseModel.architecture ?? '—'],
            ['Method', `LoRA ${methodName(i.run.method)}`],
            ['Starting adapter', i.run.startingAdapter ?? 'none (from the base model)'],
            ['Run', `${i.run.id} (${i.run.status}; ${i.run.startedAt ?? '?'} → ${i.run.endedAt ?? '?'})`],
          ],
        },
        { kind: 'table', header: ['Base weight file', 'Bytes', 'SHA-256'], rows: i.baseModel.weights.map((w) => [baseName(w.path), String(w.bytes), w.sha256]) },
        ...(i.adapterWeights.length ? [{ kind: 'table' as const, header: ['Adapter file', 'Bytes', 'SHA-256'], rows: i.adapterWeights.map((w) => [baseName(w.path), String(w.bytes), w.sha256]) }] : []),
      ],
    },
    {
      id: 'config',
      title: 'Method and resolved configuration',
      blocks: [{ kind: 'facts', rows: configRows(i.run.config) }],
    },
    {
      id: 'engine',
      title: 'Engine and backend',
      blocks: [
        {
          kind: 'facts',
          rows: [
            ['Engine', i.run.engine],
            ['Backend used', i.run.backend ?? '—'],
            ['Threads', i.run.threads === null ? '—' : String(i.run.threads)],
            ...Object.entries(i.run.versions).map(([k, v]): [string, string] => [`${k} version`, v]),
          ],
        },
      ],
    },
    {
      id: 'data',
      title: 'Data',
      blocks: i.data.length ? [dataTable(i.data)] : [{ kind: 'paragraph', text: 'No data file of the run could be read.' }],
    },
    { id: 'training', title: 'Training summary', blocks: trainingBlocks(i.training, i.run.method, i.run.config.maxLength) },
    { id: 'evaluation', title: 'Evaluation', blocks: evaluationBlocks(i) },
    {
      id: 'agreement',
      title: 'Annotator agreement (preference data)',
      blocks: i.agreement
        ? [
            {
              kind: 'facts',
              rows: [
                ['Label files', i.agreement.files.map((f) => `${baseName(f.path)} (sha256 ${f.sha256})`).join(' vs ')],
                ['Annotators', i.agreement.annotators.join(' vs ')],
                ['Pairs labeled by both', String(i.agreement.shared)],
                ["Cohen's kappa", i.agreement.kappa === null ? 'undefined (one label throughout)' : i.agreement.kappa.toFixed(3)],
                ['Observed agreement', `${(i.agreement.observed * 100).toFixed(1)}%`],
                ['Disagreements', String(i.agreement.disagreements)],
              ],
            },
          ]
        : [{ kind: 'paragraph', text: `Not available: ${i.agreementNote}` }],
    },
    {
      id: 'environment',
      title: 'Environment',
      blocks: env
        ? [
            {
              kind: 'facts',
              rows: [
                ['Fact sheet created', i.createdAt],
                ['Node.js', `${env.node} (${env.platform}-${env.arch})`],
                ['CPU', `${env.cpus} × ${env.cpuModel}`],
                ['Memory', `${env.totalMemoryMB} MB`],
                ['TensorFlow.js', env.tfjsVersion],
                ['Backends available', env.backends.filter((b) => b.available).map((b) => b.name).join(', ') || 'none'],
                ['Backend this machine selects', env.selected],
              ],
            },
            { kind: 'paragraph', text: 'The environment is the machine that built this fact sheet; the engine and backend section above is what the run itself recorded.' },
          ]
        : [{ kind: 'paragraph', text: 'Not available: the environment could not be probed.' }],
    },
  ];
  return { title: `Model fact sheet: ${modelTitle(i)}`, subtitle: `Built by clinical-ft from the run's artifacts on ${i.createdAt}. Fields marked as not answered must be written by a person.`, sections };
}
