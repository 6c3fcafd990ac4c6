// Writes the tiny random-weight Llama and the small SFT/DPO datasets the Python-stack tests train on.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeTinyModel } from '../fixtures/tinyModel';

async function main(out: string): Promise<void> {
  fs.mkdirSync(out, { recursive: true });
  await writeTinyModel(path.join(out, 'model'), { arch: 'llama', hidden: 32, layers: 2, heads: 4, kvHeads: 2, intermediate: 64, seed: 7, tokenizer: 'wordlevel' });
  const symptoms = ['fever', 'cough', 'headache', 'nausea'];
  const sft = Array.from({ length: 16 }, (_, i) => ({ prompt: `patient presents with ${symptoms[i % 4]} and`, completion: i % 2 ? ' admit' : ' discharge daily medication' }));
  fs.writeFileSync(path.join(out, 'sft.jsonl'), sft.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const dpo = Array.from({ length: 16 }, (_, i) => ({ prompt: `patient has ${symptoms[i % 4]} plan`, chosen: ' follow up', rejected: ' admit for severe acute abdomen' }));
  fs.writeFileSync(path.join(out, 'dpo.jsonl'), dpo.map((r) => JSON.stringify(r)).join('\n') + '\n');
}

main(process.argv[2] ?? '').catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
