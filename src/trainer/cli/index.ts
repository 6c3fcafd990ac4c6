export interface CliCommand {
  /** One line shown by `clinical-ft --help`. */
  summary: string;
  usage: string;
  /** Returns the exit code: 0 success, 1 a negative result (e.g. invalid data), 2 usage or IO error. */
  run(args: string[]): Promise<number>;
}

/**
 * Subcommands by name, each in its own module and evaluated only when invoked: `validate` must not pay for
 * TensorFlow.js (startup time and ~50 MB of resident memory) that only train/score/generate/eval need.
 */
const commands: Record<string, () => Promise<CliCommand>> = {
  env: async () => (await import('./envCommand')).envCommand,
  score: async () => (await import('./scoreCommand')).scoreCommand,
  generate: async () => (await import('./generateCommand')).generateCommand,
  validate: async () => (await import('./validateCommand')).validateCommand,
  train: async () => (await import('./trainCommand')).trainCommand,
  eval: async () => (await import('./evalCommand')).evalCommand,
};

async function help(): Promise<string> {
  const rows = await Promise.all(Object.entries(commands).map(async ([name, load]) => `  ${name.padEnd(10)} ${(await load()).summary}`));
  return `clinical-ft — local LoRA SFT/DPO fine-tuning for clinical LLM tasks\n\nUsage: clinical-ft <command> [options]\n\nCommands:\n${rows.join('\n')}\n\nRun "clinical-ft <command> --help" for a command's options.\n`;
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(await help());
    return name ? 0 : 2;
  }
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!load) {
    process.stderr.write(`clinical-ft: unknown command "${name}"\n\n${await help()}`);
    return 2;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  return command.run(rest);
}
