// ONC HTI-1, 45 CFR 170.315(b)(11)(iv)(A): the 31 source attributes of a Predictive Decision Support
// Intervention, in the rule's order (nine categories). Each is answered by a person (the fact sheet form),
// by the run's artifacts, or left blank and marked "not_answered" — never filled with invented text.
import { answerOf, type AnswerKey, type Answers } from './answers';
import { cellText, evaluationTable, subgroupTable, baseName } from './evaluationTable';
import type { FactSheetInputs } from './inputs';
import { methodName } from './document';

interface Hti1Attribute {
  /** (b)(11)(iv)(A)(category)(item), e.g. "1(i)". */
  ref: string;
  category: string;
  attribute: string;
  /** The form field that answers it, if any. */
  answer?: AnswerKey;
  /** Facts from the artifacts that answer it, if any. */
  fromArtifacts?: (i: FactSheetInputs) => string | undefined;
}

const DETAILS = 'Details and output of the intervention';
const PURPOSE = 'Purpose of the intervention';
const OUT_OF_SCOPE = 'Cautioned out-of-scope use of the intervention';
const DEVELOPMENT = 'Intervention development details and input features';
const FAIRNESS = 'Process used to ensure fairness in development of the intervention';
const EXTERNAL = 'External validation process';
const PERFORMANCE = 'Quantitative measures of performance';
const MAINTENANCE = 'Ongoing maintenance of intervention implementation and use';
const UPDATES = 'Update and continued validation or fairness assessment schedule';

const DEMOGRAPHICS = 'race, ethnicity, language, sexual orientation, gender identity, sex, date of birth, social determinants of health data, health status assessments data';

function sameSourceValidity(i: FactSheetInputs): string | undefined {
  if (i.evaluations.length === 0) return undefined;
  const t = evaluationTable(i.evaluations);
  const cells = t.rows.map((r) => `${r.model}: ${r.cells.map((c, k) => `${t.columns[k].label} (${t.columns[k].dataset}) ${cellText(c)}`).join('; ')}`);
  return `Held-out evaluation files (${[...new Set(i.evaluations.map((e) => baseName(e.dataset)))].join(', ')}), greedy decoding. ${cells.join(' | ')}`;
}

function sameSourceFairness(i: FactSheetInputs): string | undefined {
  const s = subgroupTable(i.evaluations);
  if (!s) return undefined;
  return `Mean per-example score by meta.subgroup: ${s.rows.map((r) => `${r.model}: ${r.cells.map((c, k) => `${s.subgroups[k]} ${cellText(c)} [${c.examples} ex.]`).join('; ')}`).join(' | ')}`;
}

export const HTI1_ATTRIBUTES: readonly Hti1Attribute[] = [
  { ref: '1(i)', category: DETAILS, attribute: 'Name and contact information for the intervention developer' },
  { ref: '1(ii)', category: DETAILS, attribute: 'Funding source of the technical implementation for the intervention(s) development' },
  { ref: '1(iii)', category: DETAILS, attribute: 'Description of value that the intervention produces as an output' },
  { ref: '1(iv)', category: DETAILS, attribute: 'Whether the intervention output is a prediction, classification, recommendation, evaluation, analysis, or other type of output' },
  { ref: '2(i)', category: PURPOSE, attribute: 'Intended use of the intervention', answer: 'intendedUse' },
  { ref: '2(ii)', category: PURPOSE, attribute: "Intended patient population(s) for the intervention's use", answer: 'population' },
  { ref: '2(iii)', category: PURPOSE, attribute: 'Intended user(s)', answer: 'intendedUsers' },
  { ref: '2(iv)', category: PURPOSE, attribute: 'Intended decision-making role for which the intervention was designed to be used/for (e.g., informs, augments, replaces clinical management)' },
  { ref: '3(i)', category: OUT_OF_SCOPE, attribute: 'Description of tasks, situations, or populations where a user is cautioned against applying the intervention', answer: 'outOfScope' },
  { ref: '3(ii)', category: OUT_OF_SCOPE, attribute: 'Known risks, inappropriate settings, inappropriate uses, or known limitations', answer: 'knownRisks' },
  { ref: '4(i)', category: DEVELOPMENT, attribute: 'Exclusion and inclusion criteria that influenced the training data set' },
  { ref: '4(ii)', category: DEVELOPMENT, attribute: `Use of variables (${DEMOGRAPHICS}) as input features` },
  { ref: '4(iii)', category: DEVELOPMENT, attribute: `Description of demographic representativeness according to variables (${DEMOGRAPHICS}) including, at a minimum, those used as input features in the intervention` },
  { ref: '4(iv)', category: DEVELOPMENT, attribute: 'Description of relevance of training data to intended deployed setting' },
  { ref: '5(i)', category: FAIRNESS, attribute: "Description of the approach the intervention developer has taken to ensure that the intervention's output is fair" },
  { ref: '5(ii)', category: FAIRNESS, attribute: 'Description of approaches to manage, reduce, or eliminate bias' },
  { ref: '6(i)', category: EXTERNAL, attribute: "Description of the data source, clinical setting, or environment where an intervention's validity and fairness has been assessed, other than the source of training and testing data" },
  { ref: '6(ii)', category: EXTERNAL, attribute: 'Party that conducted the external testing' },
  { ref: '6(iii)', category: EXTERNAL, attribute: `Description of demographic representativeness of external data according to variables (${DEMOGRAPHICS}) including, at a minimum, those used as input features in the intervention` },
  { ref: '6(iv)', category: EXTERNAL, attribute: 'Description of external validation process' },
  { ref: '7(i)', category: PERFORMANCE, attribute: 'Validity of intervention in test data derived from the same source as the initial training data', fromArtifacts: sameSourceValidity },
  { ref: '7(ii)', category: PERFORMANCE, attribute: 'Fairness of intervention in test data derived from the same source as the initial training data', fromArtifacts: sameSourceFairness },
  { ref: '7(iii)', category: PERFORMANCE, attribute: 'Validity of intervention in data external to or from a different source than the initial training data' },
  { ref: '7(iv)', category: PERFORMANCE, attribute: 'Fairness of intervention in data external to or from a different source than the initial training data' },
  { ref: '7(v)', category: PERFORMANCE, attribute: 'References to evaluation of use of the intervention on outcomes, including, bibliographic citations or hyperlinks to evaluations of how well the intervention reduced morbidity, mortality, length of stay, or other outcomes' },
  { ref: '8(i)', category: MAINTENANCE, attribute: "Description of process and frequency by which the intervention's validity is monitored over time", answer: 'maintenancePlan' },
  { ref: '8(ii)', category: MAINTENANCE, attribute: 'Validity of intervention in local data' },
  { ref: '8(iii)', category: MAINTENANCE, attribute: "Description of the process and frequency by which the intervention's fairness is monitored over time" },
  { ref: '8(iv)', category: MAINTENANCE, attribute: 'Fairness of intervention in local data' },
  { ref: '9(i)', category: UPDATES, attribute: 'Description of process and frequency by which the intervention is updated' },
  { ref: '9(ii)', category: UPDATES, attribute: "Description of frequency by which the intervention's performance is corrected when risks related to validity and fairness are identified" },
];

export type Hti1Status = 'answered_by_person' | 'from_artifacts' | 'not_answered';

export interface Hti1Document {
  standard: string;
  intervention: string;
  createdAt: string;
  attributes: { number: number; ref: string; category: string; attribute: string; status: Hti1Status; value: string | null }[];
  /** Outside the 31: facts a committee asks for next to them (CHAI's clinical risk level, the artifacts). */
  supplementary: Record<string, unknown>;
}

export function hti1Json(i: FactSheetInputs, answers: Answers): Hti1Document {
  const attributes = HTI1_ATTRIBUTES.map((a, n) => {
    const person = a.answer ? answerOf(answers, a.answer) : undefined;
    const facts = person === undefined ? a.fromArtifacts?.(i) : undefined;
    const status: Hti1Status = person !== undefined ? 'answered_by_person' : facts !== undefined ? 'from_artifacts' : 'not_answered';
    return { number: n + 1, ref: a.ref, category: a.category, attribute: a.attribute, status, value: person ?? facts ?? null };
  });
  return {
    standard: 'ONC HTI-1, 45 CFR 170.315(b)(11)(iv)(A): source attributes for Predictive Decision Support Interventions',
    intervention: `${i.baseModel.name} + LoRA (${methodName(i.run.method)}), run ${i.run.id}`,
    createdAt: i.createdAt,
    attributes,
    supplementary: {
      clinicalRiskLevel: answerOf(answers, 'clinicalRiskLevel') ?? null,
      baseModel: { name: i.baseModel.name, architecture: i.baseModel.architecture, weights: i.baseModel.weights.map((w) => ({ file: baseName(w.path), sha256: w.sha256 })) },
      method: methodName(i.run.method),
      data: i.data.map((d) => ({ role: d.role, file: baseName(d.path), sha256: d.sha256, records: d.records, duplicates: d.duplicates, phiByKind: d.phiByKind, ...(d.leakage ? { leakage: d.leakage.map((l) => ({ ...l, against: baseName(l.against) })) } : {}) })),
    },
  };
}
