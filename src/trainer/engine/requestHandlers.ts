// score and generate requests of the child process (the extension's trainer), answered with the engine.
// child.ts spreads engineHandlers into its table: importing child.ts from here instead would be a cycle,
// and the bundler then runs a top-level registerHandler() before child.ts has created its table.
import type { TrainerEvent, TrainerRequest } from '../../core/protocol/trainer';
import { initBackend } from '../backend';
import { loadWithAdapter, scoreTokens, tokensFor } from './scoring';
import { generate } from './generate';
import { generationPromptIds } from './generationPrompt';

let backendReady: Promise<unknown> | undefined;
function ensureBackend(): Promise<unknown> {
  backendReady ??= initBackend('auto');
  return backendReady;
}

type Emit = (event: TrainerEvent) => void;

async function score(req: Extract<TrainerRequest, { type: 'score' }>, emit: Emit): Promise<void> {
  await ensureBackend();
  const m = await loadWithAdapter(req.model, req.adapter);
  try {
    const ids = tokensFor(m, { ...(req.text !== undefined ? { text: req.text } : {}), ...(req.ids ? { ids: req.ids } : {}) });
    const r = scoreTokens(m, ids);
    emit({ type: 'scored', id: req.id, tokens: r.tokens, logprobs: r.logprobs });
  } finally {
    m.model.dispose();
  }
}

async function generateText(req: Extract<TrainerRequest, { type: 'generate' }>, emit: Emit): Promise<void> {
  await ensureBackend();
  const m = await loadWithAdapter(req.model, req.adapter);
  try {
    // Chat messages use the model's chat template; a model without one gets the flattened `prompt` text.
    const { ids } = generationPromptIds(m, { text: req.prompt, ...(req.messages ? { messages: req.messages } : {}) });
    const r = await generate(m, ids, {
      maxNewTokens: req.maxNewTokens,
      temperature: req.temperature,
      topP: req.topP,
      seed: req.seed,
      onToken: (tokenId, text) => emit({ type: 'token', id: req.id, tokenId, text }),
    });
    emit({ type: 'generated', id: req.id, text: r.text, tokens: r.ids });
  } finally {
    m.model.dispose();
  }
}

export const engineHandlers = { score, generate: generateText };
