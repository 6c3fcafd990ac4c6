import type { RunConfig } from '../../core/runConfig';
import { TRL_CLASSES, type AccelerateMode, type HandoffOptions, type YamlValue } from './trlArgs';

/**
 * accelerate.yaml for each mode. Multi-process CPU runs go through accelerate's torchrun launcher
 * (distributed_type MULTI_GPU): accelerate 1.8's `--cpu` launcher starts one process unless mpirun is
 * used; launch.sh sets ACCELERATE_USE_CPU so the workers stay on CPU (gloo) even where GPUs exist.
 * main_process_port 0: accelerate picks a free rendezvous port. Its default, 29500, is shared by every job on
 * the machine, and its in-use check cannot see a second job that is still starting: both bind 29500, one fails.
 */
export function accelerateConfig(opts: HandoffOptions): Record<string, YamlValue> {
  const base: Record<string, YamlValue> = {
    compute_environment: 'LOCAL_MACHINE',
    num_machines: 1,
    machine_rank: 0,
    num_processes: opts.numProcesses,
    main_training_function: 'main',
    rdzv_backend: 'static',
    main_process_port: 0,
    same_network: true,
    use_cpu: false,
    mixed_precision: opts.mode === 'cpu' ? 'no' : 'bf16',
    downcast_bf16: 'no',
  };
  switch (opts.mode) {
    case 'cpu':
      return { ...base, distributed_type: opts.numProcesses > 1 ? 'MULTI_GPU' : 'NO', ...(opts.numProcesses > 1 ? {} : { use_cpu: true }) };
    case 'single-gpu':
      return { ...base, distributed_type: 'NO', gpu_ids: 'all' };
    case 'multi-gpu':
      return { ...base, distributed_type: 'MULTI_GPU', gpu_ids: 'all' };
    case 'deepspeed-zero3':
      return {
        ...base,
        distributed_type: 'DEEPSPEED',
        deepspeed_config: { zero_stage: 3, zero3_init_flag: true, zero3_save_16bit_model: true, offload_optimizer_device: 'none', offload_param_device: 'none' },
      };
    case 'fsdp':
      return {
        ...base,
        distributed_type: 'FSDP',
        fsdp_config: {
          fsdp_auto_wrap_policy: 'TRANSFORMER_BASED_WRAP',
          fsdp_sharding_strategy: 'FULL_SHARD',
          fsdp_state_dict_type: 'SHARDED_STATE_DICT',
          fsdp_backward_prefetch: 'BACKWARD_PRE',
          fsdp_offload_params: false,
          fsdp_sync_module_states: true,
          fsdp_cpu_ram_efficient_loading: true,
          // LoRA leaves most parameters frozen: FSDP must keep the original parameters to mix them.
          fsdp_use_orig_params: true,
        },
      };
  }
}

/** A JSON scalar as YAML 1.1 reads it back: PyYAML takes 1e-8 for a string, 1.0e-8 for a float. */
function scalar(v: YamlValue): string {
  const s = JSON.stringify(v);
  return typeof v === 'number' && /e/i.test(s) && !s.includes('.') ? s.replace(/e/i, '.0e') : s;
}

/** YAML for plain data: JSON scalars are valid YAML, so only the block structure is ours. */
export function toYaml(value: Record<string, YamlValue>, indent = ''): string {
  return Object.entries(value)
    .map(([k, v]) => {
      if (Array.isArray(v)) return v.length === 0 ? `${indent}${k}: []\n` : `${indent}${k}:\n${v.map((x) => `${indent}  - ${scalar(x)}\n`).join('')}`;
      if (v !== null && typeof v === 'object') return `${indent}${k}:\n${toYaml(v, `${indent}  `)}`;
      return `${indent}${k}: ${scalar(v)}\n`;
    })
    .join('');
}

/** Top-level pins (scripts/python-requirements.txt is the same list), plus what a mode or QLoRA adds. */
export function requirementsTxt(pins: string[], mode: AccelerateMode, loadIn4bit: boolean): string {
  const extra = [...(mode === 'deepspeed-zero3' ? ['deepspeed==0.17.2'] : []), ...(loadIn4bit ? ['bitsandbytes==0.46.1'] : [])];
  return `${[...pins, ...extra].join('\n')}\n`;
}

export function launchSh(opts: HandoffOptions): string {
  const cpu = opts.mode === 'cpu' ? 'export ACCELERATE_USE_CPU=true\n' : '';
  return `#!/usr/bin/env bash
# Starts this job: bash launch.sh [--resume] [--out RUN_DIR]. Runs accelerate from PATH, or from
# $CLINICAL_FT_PYTHON's folder when set (a venv with requirements.txt installed).
set -euo pipefail
cd "$(dirname "$0")"
accelerate_bin=accelerate
if [[ -n "\${CLINICAL_FT_PYTHON:-}" ]]; then accelerate_bin="$(dirname "$CLINICAL_FT_PYTHON")/accelerate"; fi
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
${cpu}exec "$accelerate_bin" launch --config_file accelerate.yaml --num_processes ${opts.numProcesses} train.py "$@"
`;
}

export function slurmSbatch(config: RunConfig, opts: HandoffOptions): string {
  const gpus = opts.mode === 'cpu' ? '' : `#SBATCH --gpus-per-node=${opts.numProcesses}\n`;
  return `#!/usr/bin/env bash
#SBATCH --job-name=clinical-ft-${config.method}
#SBATCH --nodes=1
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=${Math.max(2, opts.numProcesses * 4)}
${gpus}#SBATCH --output=slurm-%j.out
# One node, one task: accelerate starts the ${opts.numProcesses} worker process(es) itself. Edit the partition,
# account and time limit for your cluster. scancel sends SIGTERM: the run stops with a checkpoint (cancelled).
#SBATCH --signal=TERM@120
set -euo pipefail
cd "\${SLURM_SUBMIT_DIR:-$(dirname "$0")}"
srun bash launch.sh "$@"
`;
}

export function readme(config: RunConfig, opts: HandoffOptions, files: { data: string[]; slurm: boolean; notes?: string[] }): string {
  const notes = (files.notes ?? []).map((n) => `\n- ${n}`).join('');
  const converted = config.method === 'sft' ? '' : `\n\nThe data in \`data/\` are the rows the built-in engine trains on, which \`${TRL_CLASSES[config.method].trainer}\` reads as they are${notes ? `:${notes}` : ' (no labels to apply).'}`;
  return `# clinical-ft TRL job (${config.method.toUpperCase()}, ${opts.mode}, ${opts.numProcesses} process${opts.numProcesses > 1 ? 'es' : ''})

Written by \`clinical-ft handoff\`: the same run as the built-in engine's run config (\`trl_config.yaml\`,
section \`run\`), trained by TRL + PEFT under Accelerate.

1. \`python -m venv venv && venv/bin/pip install -r requirements.txt\` (or set CLINICAL_FT_PYTHON to a venv that has them)
2. \`bash launch.sh\`${files.slurm ? ' — or `sbatch slurm.sbatch` on a SLURM cluster' : ''}
   Several jobs can run on one machine at once: each takes a free rendezvous port (\`main_process_port: 0\`
   in accelerate.yaml; a job spanning several machines needs a fixed port there instead).
3. Cancel: SIGTERM/Ctrl-C (or scancel): every process stops after the same step, saves a checkpoint, and
   run.json says \`cancelled\`. Continue with \`bash launch.sh --resume\`.

This folder becomes a clinical-ft run folder: \`run.json\` (status), \`metrics.jsonl\` (the built-in
engine's metric names), \`trainer.log\`, \`checkpoints/checkpoint-N/\` and the final PEFT adapter in
\`adapter/\`. Copy it back and import it in VS Code ("Import run results") or open it with \`clinical-ft\`.

Model: \`${config.model}\` — edit \`model.path\` in trl_config.yaml if it lives elsewhere on this machine.
Data copied here: ${files.data.map((d) => `\`${d}\``).join(', ')}. They may contain PHI: treat this folder as you treat them.${converted}

Differences from the built-in engine: over-long preference examples are truncated by TRL's rule (the prompt's
start is cut first; \`truncation_mode: keep_end\`; KTO, ORPO and SimPO keep at most half of max_length for the
prompt); chat records train on the last assistant turn only.
Verified here: CPU, 2 processes (gloo). Not verified here: GPUs, bf16, QLoRA, DeepSpeed, FSDP, SLURM.
`;
}
