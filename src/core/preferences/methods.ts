// The training methods and what sets them apart: which data they read, whether they need a reference
// model, and the defaults TRL gives them. The one owner of "what is a preference method".

export const METHODS = ['sft', 'dpo', 'kto', 'orpo', 'simpo'] as const;
export type Method = (typeof METHODS)[number];

/** The dataset kind each method trains on: ORPO and SimPO read the same pairs as DPO; KTO reads unpaired examples or pairs it unpairs. */
export function dataKindOf(method: Method): 'sft' | 'dpo' | 'kto' {
  if (method === 'sft') return 'sft';
  return method === 'kto' ? 'kto' : 'dpo';
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

/** Learning rates for the short CPU runs the start flow proposes: preference methods move an adapter less than SFT. */
export const METHOD_LR: Record<Method, number> = { sft: 2e-4, dpo: 5e-5, kto: 5e-5, orpo: 1e-4, simpo: 5e-5 };
