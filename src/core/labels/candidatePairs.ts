import { Turns, splitLines, turnsText } from './prefsRecord';
import type { TrainerRequestInput } from '../protocol/trainer';
import { z } from 'zod';
import { detectFormat, FORMAT_SCHEMAS, normalizeRecord, type ChatMessage } from '../datasets/records';
import { recordPrompt } from '../prompt/recordSegments';

/** Candidate generation: prompts in, unlabeled preference records out; the sampler is injected. */

export interface PromptItem {
  /** 1-based line in the prompts file. */
  line: number;
  id: string;
  prompt: Turns;
}

export interface PromptExtraction {
  prompts: PromptItem[];
  errors: { line: number; message: string }[];
}

/**
 * Prompts from a prompts file or an SFT file: `prompt` (any SFT/DPO record), chat `messages` (the turns
 * before the last assistant reply), alpaca `instruction` + `input`, or `text`. A `.txt` file is one prompt per line.
 */
export function extractPrompts(text: string, opts: { plainText?: boolean } = {}): PromptExtraction {
  const prompts: PromptItem[] = [];
  const errors: PromptExtraction['errors'] = [];
  splitLines(text).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    if (opts.plainText) {
      prompts.push({ line, id: `p${line}`, prompt: raw.trim() });
      return;
    }
    let rec: unknown;
    try {
      rec = JSON.parse(raw);
    } catch {
      errors.push({ line, message: 'not valid JSON' });
      return;
    }
    if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) {
      errors.push({ line, message: 'a record must be a JSON object' });
      return;
    }
    const r = rec as Record<string, unknown>;
    const id = typeof r.id === 'string' || typeof r.id === 'number' ? String(r.id) : `p${line}`;
    const prompt = promptOf(r);
    if (typeof prompt === 'string' && prompt.startsWith('!')) errors.push({ line, message: prompt.slice(1) });
    else prompts.push({ line, id, prompt });
  });
  return { prompts, errors };
}

const ANSWER_FIELDS = ['completion', 'output', 'chosen', 'rejected', 'label'];

/**
 * The prompt of one record, or "!reason" when there is none: a prompt-only record (TRL's prompt-only type), or any
 * dataset record through the renderer's own rule (src/core/prompt/recordSegments.ts recordPrompt).
 */
function promptOf(r: Record<string, unknown>): Turns {
  const format = detectFormat(r);
  if (!format) return '!no "prompt", "messages", "instruction" or "text" field';
  // A prompts file needs no answers: the answer fields may be missing (TRL's prompt-only type).
  const schema = FORMAT_SCHEMAS[format] as z.ZodObject;
  const answers = Object.fromEntries(ANSWER_FIELDS.filter((f) => f in schema.shape).map((f) => [f, true] as const)) as Record<string, true>;
  const parsed = schema.partial(answers).safeParse(r);
  if (!parsed.success) return `!${parsed.error.issues.map((i) => `field "${i.path.join('.') || '(record)'}" ${i.message}`).join('; ')}`;
  return recordPrompt(normalizeRecord(format, r)) ?? '!the record has no turn before the assistant reply';
}

export interface SampleRequest {
  /** The prompt as plain text (a chat flattened to "role: content" turns). */
  prompt: string;
  /** Set when the prompt is a chat: the sampler renders it with the model's chat template. */
  messages?: ChatMessage[];
  seed: number;
  temperature: number;
}

export type GenerateRequest = Omit<Extract<TrainerRequestInput, { type: 'generate' }>, 'id'>;

/**
 * The trainer's generate request for one sample: chat prompts travel as messages, not as flattened text —
 * unless a turn has a role chat templates do not know, when the flattened text is all the model can get.
 */
export function generateRequestFor(req: SampleRequest, opts: { model: string; adapter?: string; maxNewTokens: number }): GenerateRequest {
  const messages = req.messages;
  return {
    type: 'generate',
    model: opts.model,
    ...(opts.adapter ? { adapter: opts.adapter } : {}),
    prompt: req.prompt,
    ...(messages && messages.length > 0 ? { messages } : {}),
    temperature: req.temperature,
    seed: req.seed,
    maxNewTokens: opts.maxNewTokens,
    topP: 1,
  };
}

export interface PairGenerationOptions {
  temperature: number;
  /** Seeds of candidate A and B are baseSeed + 2k and baseSeed + 2k + 1 for prompt k. */
  baseSeed: number;
  /** How many extra B samples to draw when B equals A. */
  maxResamples: number;
  model: string;
  adapter?: string;
  isCancelled?: () => boolean;
  onRecord?: (line: string, done: number, total: number) => void | Promise<void>;
}

export interface PairGenerationSummary {
  written: number;
  /** Prompts skipped because every sampling attempt failed, with the last error. */
  failed: { id: string; error: string }[];
  /** Prompts whose two candidates stayed identical after every resample (skipped: nothing to prefer). */
  identical: string[];
  cancelled: boolean;
}

const EMPTY_ANSWER = 'the model answered nothing (an empty response) in every sample';

/** Samples two different responses per prompt and emits one unlabeled record line per prompt. */
export async function generateCandidatePairs(
  prompts: PromptItem[],
  sample: (req: SampleRequest) => Promise<string>,
  opts: PairGenerationOptions,
): Promise<PairGenerationSummary> {
  const summary: PairGenerationSummary = { written: 0, failed: [], identical: [], cancelled: false };
  const cancelled = () => opts.isCancelled?.() ?? false;
  /**
   * One sample, retried on a failure or an empty answer with fresh seeds: one odd sample must not end a long
   * generation, and an empty candidate is not trainable (the validator refuses empty strings).
   */
  const sampleWithRetries = async (prompt: Pick<SampleRequest, 'prompt' | 'messages'>, seeds: number[], temperature: number): Promise<{ text: string; seed: number } | { error: string; empty?: true }> => {
    let error = '';
    let empty = false;
    for (const seed of seeds) {
      try {
        const text = await sample({ ...prompt, seed, temperature });
        if (text.trim() !== '') return { text, seed };
        empty = true;
      } catch (e) {
        if (cancelled()) throw e;
        error = e instanceof Error ? e.message : String(e);
      }
    }
    return empty ? { error: EMPTY_ANSWER, empty: true } : { error };
  };
  for (let k = 0; k < prompts.length; k++) {
    if (cancelled()) {
      summary.cancelled = true;
      break;
    }
    const item = prompts[k];
    const promptIn: Pick<SampleRequest, 'prompt' | 'messages'> = {
      prompt: turnsText(item.prompt),
      ...(typeof item.prompt === 'string' ? {} : { messages: item.prompt }),
    };
    // Seeds never collide: prompt k, attempt j uses baseSeed + 2k (+1 for B) + 2·prompts·j.
    const seed = (side: 0 | 1, attempt: number) => opts.baseSeed + 2 * k + side + 2 * prompts.length * attempt;
    const retrySeeds = (side: 0 | 1, from: number) => Array.from({ length: opts.maxResamples + 1 }, (_, j) => seed(side, from + j));
    const first = await sampleWithRetries(promptIn, retrySeeds(0, 0), opts.temperature);
    if ('error' in first) {
      // The very first prompt failing every attempt means the model or request is wrong, not the prompt.
      if (k === 0 && !first.empty) throw new Error(first.error);
      summary.failed.push({ id: item.id, error: first.error });
      continue;
    }
    const a = first.text;
    const seedA = first.seed;
    let b = '';
    let seedB = -1;
    let lastError = '';
    for (let attempt = 0; attempt <= opts.maxResamples; attempt++) {
      if (cancelled()) break;
      try {
        // A resample also warms the temperature a little, so a near-greedy sampler can still diverge.
        b = await sample({ ...promptIn, seed: seed(1, attempt), temperature: opts.temperature + 0.2 * attempt });
        seedB = seed(1, attempt);
        if (b.trim() !== '' && b.trim() !== a.trim()) break;
      } catch (e) {
        if (cancelled()) break;
        lastError = e instanceof Error ? e.message : String(e);
      }
    }
    if (cancelled()) {
      summary.cancelled = true;
      break;
    }
    if (seedB < 0) {
      if (k === 0) throw new Error(lastError);
      summary.failed.push({ id: item.id, error: lastError });
      continue;
    }
    if (b.trim() === a.trim()) {
      summary.identical.push(item.id);
      continue;
    }
    if (b.trim() === '') {
      summary.failed.push({ id: item.id, error: EMPTY_ANSWER });
      continue;
    }
    const asTurns = (s: string): Turns => (typeof item.prompt === 'string' ? s : [{ role: 'assistant', content: s }]);
    const record = {
      id: item.id,
      prompt: item.prompt,
      chosen: asTurns(a),
      rejected: asTurns(b),
      meta: {
        generator: { model: opts.model, ...(opts.adapter ? { adapter: opts.adapter } : {}), temperature: opts.temperature, seeds: [seedA, seedB] },
      },
    };
    summary.written++;
    await opts.onRecord?.(JSON.stringify(record), k + 1, prompts.length);
  }
  return summary;
}

/** The new prefs file for a prompts file: notes.sft.jsonl → notes.candidates.prefs.jsonl. */
export function candidatesFileName(promptsFile: string): string {
  const base = promptsFile.replace(/(\.(sft|dpo|prompts|prefs))?\.(jsonl|txt)$/i, '');
  return `${base}.candidates.prefs.jsonl`;
}
