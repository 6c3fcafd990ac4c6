import type { CliCommand } from './index';
import { evalMetric, METRIC } from '../../core/metrics';
import { parseArgs, UsageError, withUsage } from './args';
import { initBackend } from '../backend';
import { configFromFlags, TRAIN_FLAGS } from '../train/configFromFlags';
import { fittedForFlags } from '../train/fitFromData';
import { runTraining, RefusedError, type RunEvent } from '../train/runTraining';
import { loadEngineModel } from '../train/engineLoader';
import { DataError } from '../train/dataLoader';

const usage = `Usage: clinical-ft train (--config run.json | flags) --out DIR
  --method sft|dpo|kto|orpo|simpo --model DIR --data FILE [--eval-data FILE] [--adapter DIR]
  [--steps N | --epochs E] [--lr X] [--batch-size B] [--grad-accum G] [--max-length L]
  [--lora-r R] [--lora-alpha A] [--lora-dropout P] [--lora-targets q_proj,v_proj] [--use-rslora] [--gradient-checkpointing]
  [--beta 0.1] [--loss sigmoid|ipo|hinge] [--rpo-alpha 0] [--desirable-weight 1] [--undesirable-weight 1]
  [--simpo-gamma 0.5] [--warmup-steps W] [--scheduler constant|linear|cosine]
  [--weight-decay D] [--max-grad-norm N] [--eval-every N] [--save-every N] [--seed S]
  [--backend auto|tensorflow|wasm|cpu] [--resume] [--phi-errors]
Without --steps and --epochs, every setting not given is fitted to the model's size and the data's size and
token lengths (the Start run review's defaults): a few passes, max length over the 95th percentile, lr by size.
--config also accepts a previous run's run.json; flags override it. --adapter with a preference method folds
that (SFT) adapter into the base (policy and, for dpo/kto, reference) and trains a new adapter on top; with
sft it continues training it. --rpo-alpha A (DPO) adds A × the chosen answers' NLL to the loss (TRL's rpo_alpha).
kto (TRL KTOTrainer): {prompt, completion, label: true|false} records, or pairs (labeled files follow the
labels: tie = two desirable, both_bad = two undesirable). orpo (ORPOTrainer, --beta is λ) and simpo
(CPOTrainer loss_type simpo, beta default 2.0) are reference-free and read the same pairs as dpo.
--phi-errors refuses training and eval data with possible PHI (as validate --phi-errors), recorded in
run.json as "phiAsErrors" so a --resume is gated the same.
SIGINT/SIGTERM stop after the current step with a checkpoint (status cancelled).
Exit: 0 completed or cancelled, 1 training failed, 2 bad flags, config, data or folder.`;

function fmt(n: unknown, digits = 4): string {
  return typeof n === 'number' ? (Math.abs(n) >= 1e-3 || n === 0 ? n.toFixed(digits) : n.toExponential(2)) : '-';
}

function printEvent(e: RunEvent, totalSteps: { n: number }): void {
  if (e.type === 'started') {
    totalSteps.n = e.totalSteps;
    process.stdout.write(`training ${e.totalSteps} steps → ${e.runDir}\n`);
  } else if (e.type === 'metrics') {
    const r = e.record;
    if (typeof r[METRIC.loss] === 'number') {
      const acc = typeof r[METRIC.rewardsAccuracies] === 'number' ? ` reward_acc ${fmt(r[METRIC.rewardsAccuracies], 2)}` : '';
      const kl = typeof r[METRIC.kl] === 'number' ? ` kl ${fmt(r[METRIC.kl])}` : '';
      const dpo = typeof r[METRIC.rewardsMargins] === 'number' || acc ? `${acc} margin ${fmt(r[METRIC.rewardsMargins])}${kl}` : kl;
      process.stdout.write(`step ${r.step}/${totalSteps.n} loss ${fmt(r[METRIC.loss])} lr ${fmt(r[METRIC.learningRate])} grad_norm ${fmt(r[METRIC.gradNorm])} tok/s ${fmt(r[METRIC.tokensPerSecond], 0)}${dpo}\n`);
    } else if (typeof r[evalMetric(METRIC.loss)] === 'number') {
      process.stdout.write(`step ${r.step} eval_loss ${fmt(r[evalMetric(METRIC.loss)])}\n`);
    }
  } else if (e.type === 'log' && e.level !== 'info') {
    process.stderr.write(`${e.level}: ${e.message}\n`);
  } else if (e.type === 'checkpoint') {
    process.stdout.write(`checkpoint step ${e.step} → ${e.path}\n`);
  }
}

export const trainCommand: CliCommand = {
  summary: 'fine-tune a LoRA adapter with SFT or DPO into a run folder',
  usage,
  run: (args) =>
    withUsage(usage, async () => {
      const { flags, positional } = parseArgs(args, TRAIN_FLAGS);
      if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
      if (typeof flags.out !== 'string') throw new UsageError('--out DIR is required');
      let fit;
      try {
        fit = await fittedForFlags(flags);
      } catch (e) {
        if (e instanceof DataError) {
          process.stderr.write(`clinical-ft: ${e.message}\n`);
          return 2;
        }
        throw e;
      }
      const config = configFromFlags(flags, fit?.config);
      if (fit) process.stdout.write(`defaults fitted to the model and data:\n${fit.fitted.why.map((w) => `  ${w}`).join('\n')}\n`);
      let stop = false;
      const onSignal = () => {
        if (!stop) process.stderr.write('cancelling: finishing the current step and saving a checkpoint…\n');
        stop = true;
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      try {
        const backend = await initBackend(config.backend);
        const totalSteps = { n: 0 };
        const result = await runTraining({
          config,
          outDir: flags.out,
          resume: flags.resume === true,
          backend,
          loadModel: loadEngineModel,
          onEvent: (e) => printEvent(e, totalSteps),
          shouldStop: () => stop,
        });
        if (result.status === 'failed') {
          process.stderr.write(`clinical-ft: training failed: ${result.error}\n`);
          return 1;
        }
        if (result.status === 'cancelled') {
          process.stdout.write(`cancelled at step ${result.step}; resume with: clinical-ft train --config ${flags.out}/run.json --out ${flags.out} --resume\n`);
          return 0;
        }
        process.stdout.write(`final loss ${fmt(result.finalLoss)} after ${result.step} steps; adapter: ${flags.out}/adapter\n`);
        return 0;
      } catch (e) {
        if (e instanceof DataError || e instanceof RefusedError) {
          process.stderr.write(`clinical-ft: ${e.message}\n`);
          return 2;
        }
        throw e;
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
    }),
};
