// The CHAI Applied Model Card (schema v0.2, https://github.com/coalition-for-health-ai/mc-schema) as XML, in the
// element order its XSD's sequences require. Person-written fields come from the fact sheet form; facts come
// from the run's artifacts; every other required element carries the NOT_ANSWERED marker, never invented text.
import { answerOf, NOT_ANSWERED, type AnswerKey, type Answers } from './answers';
import { evaluationTable, subgroupTable, baseName } from './evaluationTable';
import type { FactSheetInputs } from './inputs';
import { methodName } from './document';

export const CHAI_NAMESPACE = 'https://mc.chai.org/v0.2/schema.xsd';

/** XML 1.0 text: escapes markup and drops the characters XML 1.0 cannot carry at all. */
export function xmlText(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

type Node = [name: string, content: string | Node[]];

function render(node: Node, depth: number): string {
  const pad = '  '.repeat(depth);
  const [name, content] = node;
  if (typeof content === 'string') return `${pad}<${name}>${xmlText(content)}</${name}>`;
  return `${pad}<${name}>\n${content.map((c) => render(c, depth + 1)).join('\n')}\n${pad}</${name}>`;
}

export function chaiModelCardXml(i: FactSheetInputs, answers: Answers): string {
  const person = (k: AnswerKey) => answerOf(answers, k) ?? NOT_ANSWERED;
  const table = evaluationTable(i.evaluations);
  const sub = subgroupTable(i.evaluations);
  const evalFiles = [...new Set(i.evaluations.map((e) => baseName(e.dataset)))];
  const evalData = i.data.filter((d) => d.role === 'eval');
  const usefulness: Node[] = table.rows.flatMap((r) =>
    r.cells.flatMap((c, k): Node[] =>
      c.summary ? [['MetricResult', [['Label', `${r.model}: ${table.columns[k].label} (${table.columns[k].dataset})`], ['ValueJson', JSON.stringify({ mean: c.summary.mean, sd: c.summary.sd, n: c.summary.n, values: c.values })]]]] : [],
    ),
  );
  const fairness: Node[] = sub
    ? sub.rows.flatMap((r) => r.cells.flatMap((c, k): Node[] => (c.summary ? [['MetricResult', [['Label', `${r.model}: subgroup ${sub.subgroups[k]}`], ['ValueJson', JSON.stringify({ mean: c.summary.mean, sd: c.summary.sd, n: c.summary.n, examples: c.examples })]]]] : [])))
    : [];
  const notMeasured = (what: string): Node[] => [['MetricResult', [['Label', `${what}: not available`], ['ValueJson', 'null']]]];
  const keyMetric = (results: Node[], fallback: string, testType: string): Node[] => [
    ['MetricGoal', NOT_ANSWERED],
    ['Results', results.length ? results : notMeasured(fallback)],
    ['Interpretation', NOT_ANSWERED],
    ['TestType', results.length ? testType : NOT_ANSWERED],
    ['TestingDataDescription', evalData.length || evalFiles.length ? [...evalData.map((d) => `${baseName(d.path)} (sha256 ${d.sha256}, ${d.records} records)`), ...evalFiles.filter((f) => !evalData.some((d) => baseName(d.path) === f))].join('; ') : NOT_ANSWERED],
    ['ValidationProcessAndJustification', results.length ? 'Greedy decoding of every evaluation record by the clinical-ft engine; scored with accuracy / macro-F1 or ROUGE-L F. Mean ± sample sd over the selected runs (seeds).' : NOT_ANSWERED],
  ];
  const data = i.data.map((d) => `${d.role}: ${baseName(d.path)} (sha256 ${d.sha256}, ${d.records} records, format ${d.format ?? 'unknown'})`).join('; ');
  const characterization = i.data
    .map((d) => `${baseName(d.path)}: ${d.records} records, ${d.duplicates} duplicates, PHI findings ${Object.entries(d.phiByKind).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}${(d.leakage ?? []).map((l) => `, leakage vs ${baseName(l.against)} ${l.exact} exact / ${l.near} near`).join('')}`)
    .join('; ');
  const card: Node = [
    'AppliedModelCard',
    [
      ['BasicInfo', [['ModelName', `${i.baseModel.name} + LoRA (${methodName(i.run.method)}) ${i.run.id}`], ['ModelDeveloper', NOT_ANSWERED], ['DeveloperContact', NOT_ANSWERED]]],
      ['ReleaseInfo', [['ReleaseStage', NOT_ANSWERED], ['ReleaseDate', NOT_ANSWERED], ['ReleaseVersion', NOT_ANSWERED], ['GlobalAvailability', NOT_ANSWERED]]],
      [
        'ModelSummary',
        [
          ['Summary', `A LoRA adapter trained with ${methodName(i.run.method)} on ${i.data.filter((d) => d.role === 'train').map((d) => baseName(d.path)).join(', ') || 'the run data'} over the base model ${i.baseModel.name}${i.baseModel.architecture ? ` (${i.baseModel.architecture})` : ''}${i.run.startingAdapter ? `, starting from the adapter ${i.run.startingAdapter} (stacked into this one)` : ''}.`],
          ['Keywords', [['Keyword', 'LoRA'], ['Keyword', methodName(i.run.method)], ...(i.baseModel.architecture ? [['Keyword', i.baseModel.architecture] as Node] : [])]],
        ],
      ],
      [
        'UsesAndDirections',
        [['IntendedUseAndWorkflow', person('intendedUse')], ['PrimaryIntendedUsers', person('intendedUsers')], ['HowToUse', NOT_ANSWERED], ['TargetedPatientPopulation', person('population')], ['CautionedOutOfScopeSettings', person('outOfScope')]],
      ],
      ['Warnings', [['KnownRisksAndLimitations', person('knownRisks')], ['KnownBiasesOrEthicalConsiderations', NOT_ANSWERED], ['ClinicalRiskLevel', person('clinicalRiskLevel')]]],
      [
        'TrustIngredients',
        [
          [
            'AISystemFacts',
            [
              ['OutcomesAndOutputs', NOT_ANSWERED],
              ['ModelType', `Generative causal language model${i.baseModel.architecture ? ` (${i.baseModel.architecture})` : ''} with a LoRA adapter (${methodName(i.run.method)})`],
              ['FoundationModels', `${i.baseModel.name}: ${i.baseModel.weights.map((w) => `${baseName(w.path)} sha256 ${w.sha256}`).join('; ')}`],
              ['InputDataSource', data || NOT_ANSWERED],
              ['OutputAndInputDataTypes', 'Input: text (prompt or chat messages); output: generated text.'],
              ['DevelopmentDataCharacterization', characterization || NOT_ANSWERED],
              ['BiasMitigationApproaches', NOT_ANSWERED],
              ['OngoingMaintenance', person('maintenancePlan')],
            ],
          ],
          ['TransparencyInformation', [['FundingSource', NOT_ANSWERED], ['StakeholdersConsulted', NOT_ANSWERED]]],
        ],
      ],
      [
        'KeyMetrics',
        [
          ['UsefulnessUsabilityEfficacy', keyMetric(usefulness, 'evaluation results', 'Internal held-out evaluation files')],
          ['FairnessEquity', keyMetric(fairness, 'per-subgroup metrics (no eval record carries meta.subgroup)', 'Internal held-out evaluation, by meta.subgroup')],
          ['SafetyReliability', keyMetric([], 'safety and reliability metrics', '')],
        ],
      ],
      ['Resources', [['PeerReviewedPublications', NOT_ANSWERED], ['PatientConsentOrDisclosure', NOT_ANSWERED]]],
      ['Bibliography', ''],
    ],
  ];
  const xml = render(card, 0).replace('<AppliedModelCard>', `<AppliedModelCard xmlns="${CHAI_NAMESPACE}">`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${xml}\n`;
}
