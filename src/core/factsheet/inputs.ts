// What a fact sheet is built from: facts the trainer CLI reads out of a run folder and its neighbours
// (run.json, metrics.jsonl, evaluation outputs, dataset files, labels, the environment). The CLI prints this
// with `clinical-ft factsheet --inputs-json` and the extension parses it with the same schema, so both build
// the document from one set of facts — never retyped.
import { z } from 'zod';
import { EnvironmentReport } from '../protocol/environment';

export const FileDigest = z.strictObject({
  path: z.string(),
  bytes: z.number().int().min(0),
  sha256: z.string(),
});
export type FileDigest = z.infer<typeof FileDigest>;

export const DataFileFacts = FileDigest.extend({
  /** start-train: the training file of the run whose adapter this run started from (data lineage). */
  role: z.enum(['train', 'start-train', 'eval', 'labels']),
  format: z.string().nullable(),
  records: z.number().int().min(0),
  errors: z.number().int().min(0),
  duplicates: z.number().int().min(0),
  /** PHI warnings by detector kind (phi_<kind> codes of the validator). */
  phiByKind: z.record(z.string(), z.number().int()),
  /** Eval records whose prompt repeats (exactly or nearly) a prompt of each training file (role "eval" only). */
  leakage: z.array(z.strictObject({ against: z.string(), exact: z.number().int(), near: z.number().int() })).optional(),
});
export type DataFileFacts = z.infer<typeof DataFileFacts>;

export const MetricPoint = z.tuple([z.number(), z.number()]);

export const TrainingFacts = z.strictObject({
  /** [step, value] per metrics.jsonl line that carries the metric. */
  loss: z.array(MetricPoint),
  evalLoss: z.array(MetricPoint),
  rewardAccuracy: z.array(MetricPoint),
  evalRewardAccuracy: z.array(MetricPoint),
  /** Examples longer than maxLength (cut, kept) as trainer.log reports them; untrained = every answer token cut. */
  truncated: z.strictObject({ train: z.number().int(), eval: z.number().int() }),
  untrained: z.strictObject({ train: z.number().int(), eval: z.number().int() }).optional(),
  badMetricLines: z.number().int(),
});
export type TrainingFacts = z.infer<typeof TrainingFacts>;

export const EvaluationFacts = z.strictObject({
  /** base | SFT | DPO | the method's name: the evaluated model's row in the table. */
  row: z.string(),
  /** The run (or evaluation folder) it came from. */
  source: z.string(),
  dataset: z.string(),
  metrics: z.array(z.strictObject({ key: z.string(), label: z.string(), value: z.number() })),
  /** One per example: its score (1/0 correct, or ROUGE-L F) and meta.subgroup of its eval record, if any. */
  examples: z.array(z.strictObject({ score: z.number().nullable(), subgroup: z.string().nullable() })),
});
export type EvaluationFacts = z.infer<typeof EvaluationFacts>;

export const AgreementFacts = z.strictObject({
  /** Two label files, or one file whose records carry two annotators (meta.annotator). */
  files: z.array(FileDigest).min(1),
  annotators: z.tuple([z.string(), z.string()]),
  shared: z.number().int(),
  kappa: z.number().nullable(),
  observed: z.number(),
  disagreements: z.number().int(),
});
export type AgreementFacts = z.infer<typeof AgreementFacts>;

export const FactSheetInputs = z.strictObject({
  createdAt: z.string(),
  run: z.strictObject({
    dir: z.string(),
    id: z.string(),
    status: z.string(),
    method: z.string(),
    engine: z.string(),
    backend: z.string().nullable(),
    threads: z.number().int().nullable(),
    versions: z.record(z.string(), z.string()),
    startedAt: z.string().nullable(),
    endedAt: z.string().nullable(),
    startingAdapter: z.string().nullable(),
    /** run.json's resolved config, as written. */
    config: z.record(z.string(), z.unknown()),
  }),
  baseModel: z.strictObject({
    dir: z.string(),
    name: z.string(),
    architecture: z.string().nullable(),
    weights: z.array(FileDigest),
  }),
  adapterWeights: z.array(FileDigest),
  data: z.array(DataFileFacts),
  training: TrainingFacts,
  evaluations: z.array(EvaluationFacts),
  /** Null when no preference file with two annotators was found; `agreementNote` says why. */
  agreement: AgreementFacts.nullable(),
  agreementNote: z.string(),
  environment: EnvironmentReport.nullable(),
});
export type FactSheetInputs = z.infer<typeof FactSheetInputs>;
