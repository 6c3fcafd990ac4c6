import type { PretrainArgs } from './main';

export interface ModelCardFacts {
  args: PretrainArgs;
  backend: string;
  docs: number;
  trainTokens: number;
  params: number;
  initialLoss: number;
  finalLoss: number;
  minutes: number;
  samples: string[];
}

/** README.md of the sample model folder: what it is, how it was made, and what it is not. */
export function modelCard(f: ModelCardFacts): string {
  const fence = '```';
  return `# clinical-ft sample model

A tiny Llama-architecture causal language model (${(f.params / 1e6).toFixed(2)} M parameters, float32) bundled so
the workbench works on a fresh machine without downloads. It was pretrained from random weights by
\`npm run pretrain-sample-model\` (src/trainer/pretrain/) on a synthetic corpus of clinical prose — progress
notes, patient messages with replies, plain-language explanations, discharge instructions, handoffs and
short chats — generated deterministically from a seed. The corpus is **not** the labelled task data in
datasets-sample/: the model writes clinical-sounding text but knows none of the tasks.

**Not for clinical use.** It is a demonstration artefact: its "knowledge" is a template grammar.

| | |
|---|---|
| corpus | ${f.docs} documents, seed ${f.args.seed} |
| tokenizer | byte-level BPE, ${2048} tokens, specials \`<s>\` \`</s>\` \`<pad>\` and role markers |
| training | ${f.args.steps} steps × ${f.args.batchSize} windows × ${f.args.window} tokens, AdamW, peak lr ${f.args.lr}, cosine |
| train tokens available | ${f.trainTokens} |
| backend | ${f.backend}, ${f.minutes.toFixed(1)} min |
| held-out loss | ${f.initialLoss.toFixed(3)} → ${f.finalLoss.toFixed(3)} (perplexity ${Math.exp(f.finalLoss).toFixed(1)}) |

## Greedy samples

${f.samples.map((s) => `${fence}text\n${s}\n${fence}`).join('\n\n')}
`;
}
