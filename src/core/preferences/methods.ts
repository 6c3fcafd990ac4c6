// The training methods and what sets them apart: which data they read, whether they need a reference
// model, and the defaults TRL gives them. The one owner of "what is a preference method".

export const METHODS = ['sft', 'dpo', 'kto', 'orpo', 'simpo'] as const;
export type Method = (typeof METHODS)[number];

export function isMethod(x: unknown): x is Method {
  return typeof x === 'string' && (METHODS as readonly string[]).includes(x);
}

/** The dataset kind each method trains on: ORPO and SimPO read the same pairs as DPO; KTO reads unpaired examples or pairs it unpairs. */
export function dataKindOf(method: Method): 'sft' | 'dpo' | 'kto' {
  if (method === 'sft') return 'sft';
  return method === 'kto' ? 'kto' : 'dpo';
}

/** Rows a training example feeds: two for every preference method (a pair, or KTO's completion and its KL row). */
export function memoryTaskOf(method: Method): 'sft' | 'dpo' {
  return method === 'sft' ? 'sft' : 'dpo';
}

/** DPO, KTO and SimPO adjust an SFT policy (the start flow preselects one); ORPO trains from the base in one stage. */
export function startsFromSft(method: Method): boolean {
  return method === 'dpo' || method === 'kto' || method === 'simpo';
}

/** Whether a method trains on files of this kind: KTO also unpairs preference pairs (as the trainer does). */
export function readsKind(method: Method, kind: 'sft' | 'dpo' | 'kto'): boolean {
  return kind === dataKindOf(method) || (method === 'kto' && kind === 'dpo');
}

/** DPO and KTO compare the policy with a frozen reference; ORPO and SimPO are reference-free. */
export function needsReference(method: Method): boolean {
  return method === 'dpo' || method === 'kto';
}

export const METHOD_LABELS: Record<Method, string> = {
  sft: 'SFT — supervised fine-tuning on answers',
  dpo: 'DPO — preference pairs against a reference model',
  kto: 'KTO — answers marked desirable or undesirable (no pairs needed)',
  orpo: 'ORPO — preference pairs, reference-free, one stage from the base model',
  simpo: 'SimPO — preference pairs, reference-free, length-normalised with a margin',
};

/**
 * Method defaults where TRL's differ from the shared ones: SimPO's beta is the SimPO paper's 2.0 (TRL's
 * CPOConfig docs point there; its own beta default of 0.1 is CPO's). KTO's and ORPO's beta are TRL's 0.1.
 * Applied only when a run does not set beta itself.
 */
export const METHOD_BETA: Record<Method, number> = { sft: 0.1, dpo: 0.1, kto: 0.1, orpo: 0.1, simpo: 2.0 };
