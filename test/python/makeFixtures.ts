// Writes the tiny random-weight Llama and the small SFT/DPO datasets the Python-stack tests train on.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeTinyModel } from '../fixtures/tinyModel';
import { writeRandomAdapter } from '../unit/engine/helpers';
import { readHfConfig } from '../../src/trainer/engine/hfConfig';

async function main(out: string): Promise<void> {
  fs.mkdirSync(out, { recursive: true });
  await writeTinyModel(path.join(out, 'model'), { arch: 'llama', hidden: 32, layers: 2, heads: 4, kvHeads: 2, intermediate: 64, seed: 7, tokenizer: 'wordlevel' });
  // The export stage: byte-level BPE tokenizers (what GGUF's "gpt2" model takes), rows a multiple of q8_0's 32.
  for (const arch of ['llama', 'qwen2'] as const) {
    const dir = path.join(out, `export-${arch}`);
    await writeTinyModel(dir, { arch, hidden: 64, layers: 2, heads: 4, kvHeads: 2, intermediate: 128, seed: arch === 'llama' ? 21 : 22, tokenizer: 'bytes', vocab: 288 });
    const targets = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];
    writeRandomAdapter(path.join(out, `export-${arch}-adapter`), readHfConfig(dir), { r: 4, alpha: 1, dropout: 0, targets, useRslora: false }, 9);
  }
  const symptoms = ['fever', 'cough', 'headache', 'nausea'];
  const sft = Array.from({ length: 16 }, (_, i) => ({ prompt: `patient presents with ${symptoms[i % 4]} and`, completion: i % 2 ? ' admit' : ' discharge daily medication' }));
  fs.writeFileSync(path.join(out, 'sft.jsonl'), sft.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const dpo = Array.from({ length: 16 }, (_, i) => ({ prompt: `patient has ${symptoms[i % 4]} plan`, chosen: ' follow up', rejected: ' admit for severe acute abdomen' }));
  fs.writeFileSync(path.join(out, 'dpo.jsonl'), dpo.map((r) => JSON.stringify(r)).join('\n') + '\n');
  // A starting (SFT-like) adapter for the tiny model, so the KTO and SimPO runs need not wait for the SFT run.
  writeRandomAdapter(path.join(out, 'start-adapter'), readHfConfig(path.join(out, 'model')), { r: 4, alpha: 8, dropout: 0, targets: ['q_proj', 'v_proj'], useRslora: false }, 5);
  // KTO from labels (as the Preference Labeler writes them): B, tie, tie, both bad and one unlabeled record unpair
  // into 5 desirable and 3 undesirable examples, one batch of 8.
  const labels = ['B', 'tie', 'tie', 'both_bad', undefined];
  const prefs = labels.map((label, i) => ({ id: i + 1, prompt: `patient has ${symptoms[i % 4]} plan`, chosen: ' follow up', rejected: ' admit for severe acute abdomen', ...(label ? { meta: { label } } : {}) }));
  fs.writeFileSync(path.join(out, 'kto.prefs.jsonl'), prefs.map((r) => JSON.stringify(r)).join('\n') + '\n');
  // ORPO and SimPO: one pair twice, so each logged batch mean is that pair's own value (their losses are not linear in it).
  fs.writeFileSync(path.join(out, 'pair.jsonl'), `${JSON.stringify(dpo[0])}\n`.repeat(2));
}

main(process.argv[2] ?? '').catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
