export interface CliCommand {
  /** One line shown by `clinical-ft --help`. */
  summary: string;
  usage: string;
  /** Returns the exit code: 0 success, 1 a negative result (e.g. invalid data), 2 usage or IO error. */
  run(args: string[]): Promise<number>;
}

interface CommandEntry {
  summary: string;
  load: () => Promise<CliCommand>;
}

/**
 * Subcommands by name, each in its own module evaluated only when invoked: `validate` and `env` must not pay
 * for TensorFlow.js (startup time and ~20 MB resident) that train/score/generate/eval need. The summaries are
 * repeated here so `--help` evaluates none of them.
 */
const commands: Record<string, CommandEntry> = {
  env: { summary: 'report which training backends load on this machine', load: async () => (await import('./envCommand')).envCommand },
  score: { summary: 'print per-token log-probabilities of a text under a model (+ adapter)', load: async () => (await import('./scoreCommand')).scoreCommand },
  generate: { summary: 'generate a continuation of a prompt with a model (+ adapter)', load: async () => (await import('./generateCommand')).generateCommand },
  validate: { summary: 'check a JSONL dataset (SFT or DPO): schema, role order, duplicates, PHI', load: async () => (await import('./validateCommand')).validateCommand },
  train: { summary: 'fine-tune a LoRA adapter (SFT, DPO, KTO, ORPO, SimPO) into a run folder', load: async () => (await import('./trainCommand')).trainCommand },
  'token-lengths': { summary: 'token count of every record of a JSONL dataset (the dataset preview runs it)', load: async () => (await import('./tokenLengthsCommand')).tokenLengthsCommand },
  handoff: { summary: 'write a TRL + PEFT + Accelerate job folder (GPU, multi-GPU, SLURM) for a run config', load: async () => (await import('./handoffCommand')).handoffCommand },
  eval: { summary: 'evaluate a model (+ adapter) on a dataset: accuracy/macro-F1 or ROUGE-L', load: async () => (await import('./evalCommand')).evalCommand },
  factsheet: { summary: 'build a model fact sheet (Markdown, HTML, HTI-1 JSON, CHAI XML) from a run folder', load: async () => (await import('./factsheetCommand')).factsheetCommand },
  preflight: { summary: "model size, memory and every example's token counts, for defaults and the run review", load: async () => (await import('./preflightCommand')).preflightCommand },
  export: { summary: 'merge a LoRA adapter into its base model and write a Hugging Face folder or a GGUF file (+ Ollama Modelfile)', load: async () => (await import('./exportCommand')).exportCommand },
  inspect: { summary: 'show which tokens of each record training feeds and trains (after the chat template)', load: async () => (await import('./inspectCommand')).inspectCommand },
  redact: { summary: 'write a copy of a JSONL dataset with PHI replaced (placeholders or surrogates) and an audit manifest', load: async () => (await import('./redactCommand')).redactCommand },
};

function help(): string {
  const rows = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `clinical-ft — local LoRA SFT/DPO fine-tuning for clinical LLM tasks\n\nUsage: clinical-ft <command> [options]\n\nCommands:\n${rows.join('\n')}\n\nRun "clinical-ft <command> --help" for a command's options.\n`;
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help());
    return name ? 0 : 2;
  }
  const entry = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!entry) {
    process.stderr.write(`clinical-ft: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  return command.run(rest);
}
