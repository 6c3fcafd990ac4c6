// `npm run pretrain-sample-model`: builds the bundled sample base model from nothing, deterministically —
// synthetic clinical corpus → byte-level BPE tokenizer → Llama pretrained on CPU → HF folder.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend';
import { readHfConfig } from '../engine/hfConfig';
import { loadTokenizer, readTokenizerConfig } from '../engine/tokenizer';
import { loadChatTemplate } from '../engine/chatTemplate';
import { LlamaModel } from '../engine/model';
import { generate } from '../engine/generate';
import { writeSafetensors, type TensorToWrite } from '../engine/safetensors';
import type { Backend } from '../../core/runConfig';
import { generateCorpus } from './clinicalCorpus';
import { corpusText } from './corpusText';
import { trainByteLevelBpe } from './byteLevelBpe';
import { SPECIAL_TOKENS, renderChat } from './tokenizerFiles';
import { SAMPLE_SHAPE, writeModelFiles } from './sampleModelFolder';
import { packWindows } from './packedWindows';
import { heldOutLoss, pretrain } from './pretrainLoop';
import { modelCard } from './modelCard';

export interface PretrainArgs {
  out: string;
  docs: number;
  steps: number;
  batchSize: number;
  window: number;
  lr: number;
  seed: number;
  backend: Backend;
}

/** The settings the committed datasets-sample/model was built with (≈ 15 min of one core on wasm). */
const DEFAULTS: Omit<PretrainArgs, 'out'> = { docs: 12000, steps: 600, batchSize: 8, window: 128, lr: 3e-3, seed: 20250101, backend: 'wasm' };

function parseArgs(argv: string[], root: string): PretrainArgs {
  const args: PretrainArgs = { out: path.join(root, 'datasets-sample', 'model'), ...DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    const num = () => {
      const n = Number(value);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number (got ${JSON.stringify(value)})`);
      i++;
      return n;
    };
    if (flag === '--out') {
      args.out = path.resolve(value);
      i++;
    } else if (flag === '--backend') {
      args.backend = value as Backend;
      i++;
    } else if (flag === '--docs') args.docs = num();
    else if (flag === '--steps') args.steps = num();
    else if (flag === '--batch-size') args.batchSize = num();
    else if (flag === '--window') args.window = num();
    else if (flag === '--lr') args.lr = num();
    else if (flag === '--seed') args.seed = num();
    else throw new Error(`unknown option ${flag} (options: --out --docs --steps --batch-size --window --lr --seed --backend)`);
  }
  return args;
}

const log = (msg: string) => process.stdout.write(`[pretrain ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

export async function runPretrain(args: PretrainArgs): Promise<void> {
  const t0 = Date.now();
  const backend = await initBackend(args.backend);
  log(`backend ${backend}; ${JSON.stringify(args)}`);

  const docs = generateCorpus(args.seed, args.docs);
  const texts = docs.map(corpusText);
  const heldOut = Math.max(16, Math.floor(texts.length * 0.02));
  log(`corpus: ${texts.length} documents, ${texts.reduce((a, t) => a + t.length, 0)} characters (${heldOut} held out)`);

  const bpe = trainByteLevelBpe(texts.slice(heldOut), SAMPLE_SHAPE.vocabSize, SPECIAL_TOKENS);
  const tmp = `${args.out}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  writeModelFiles(tmp, SAMPLE_SHAPE, bpe);
  const config = readHfConfig(tmp);
  const tokConfig = readTokenizerConfig(tmp);
  const tokenizer = loadTokenizer(tmp, config, tokConfig);
  log(`tokenizer: ${tokenizer.vocabSize} tokens, ${bpe.merges.length} merges`);

  const encoded = texts.map((t) => [...tokenizer.encode(t), tokenizer.eosId]);
  const evalWindows = packWindows(encoded.slice(0, heldOut), args.window);
  const trainWindows = packWindows(encoded.slice(heldOut), args.window);
  const trainTokens = trainWindows.length * args.window;
  log(`windows: ${trainWindows.length} train (${trainTokens} tokens), ${evalWindows.length} held out; steps ${args.steps} ≈ ${((args.steps * args.batchSize * args.window) / trainTokens).toFixed(2)} epochs`);

  const model = new LlamaModel(config, true);
  model.initRandom(args.seed);
  const initialLoss = heldOutLoss(model, evalWindows, args.batchSize);
  log(`held-out loss before training ${initialLoss.toFixed(4)} (ln V = ${Math.log(config.vocabSize).toFixed(4)})`);
  let tStep = Date.now();
  let lastLoss = NaN;
  pretrain(model, trainWindows, {
    steps: args.steps, batchSize: args.batchSize, lr: args.lr, warmupSteps: Math.min(100, Math.floor(args.steps / 10)), weightDecay: 0.01, seed: args.seed,
    onStep: (step, loss, lr, gradNorm) => {
      lastLoss = loss;
      if ((step + 1) % 25 === 0 || step === 0) {
        const tps = ((step === 0 ? 1 : 25) * args.batchSize * args.window) / ((Date.now() - tStep) / 1000);
        tStep = Date.now();
        log(`step ${step + 1}/${args.steps} loss ${loss.toFixed(4)} lr ${lr.toExponential(2)} grad_norm ${gradNorm.toFixed(3)} ${tps.toFixed(0)} tokens/s`);
      }
    },
  });
  const finalLoss = heldOutLoss(model, evalWindows, args.batchSize);
  log(`held-out loss after training ${finalLoss.toFixed(4)} (perplexity ${Math.exp(finalLoss).toFixed(2)}), last train loss ${lastLoss.toFixed(4)}`);

  const chatTemplate = loadChatTemplate(tokConfig, path.join(tmp, 'tokenizer_config.json'));
  const loaded = { dir: tmp, config, tokenizer, ...(chatTemplate ? { chatTemplate } : {}), model };
  const samples: string[] = [];
  for (const prompt of ['Progress note, the clinic.\nSubjective:', 'Discharge instructions.\nYou were in the hospital', renderChat([{ role: 'user', content: 'What should I know about asthma?' }], true)]) {
    const res = await generate(loaded, tokenizer.encode(prompt), { maxNewTokens: 60, temperature: 0, topP: 1, seed: args.seed });
    samples.push(`${prompt}${res.text}`);
    log(`sample: ${JSON.stringify(prompt + res.text)}`);
  }

  const tensors = new Map<string, TensorToWrite>();
  for (const [name, t] of model.baseWeights()) tensors.set(name, { dtype: 'F32', shape: t.shape, data: (await t.data()) as Float32Array });
  const minutes = (Date.now() - t0) / 60000;
  writeSafetensors(path.join(tmp, 'model.safetensors'), tensors, { format: 'pt', pretrain_steps: String(args.steps), pretrain_seed: String(args.seed) });
  fs.writeFileSync(path.join(tmp, 'README.md'), modelCard({ args, backend, docs: texts.length, trainTokens, initialLoss, finalLoss, minutes, samples, params: [...tensors.values()].reduce((a, t) => a + t.data.length, 0) }));
  model.dispose();
  fs.rmSync(args.out, { recursive: true, force: true });
  fs.renameSync(tmp, args.out);
  log(`wrote ${args.out} in ${minutes.toFixed(1)} min`);
}

if (require.main === module) {
  const root = process.env.CLINICAL_FT_ROOT ?? process.cwd();
  (async () => runPretrain(parseArgs(process.argv.slice(2), root)))().then(
    () => tf.disposeVariables(),
    (e: unknown) => {
      process.stderr.write(`pretrain-sample-model: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
