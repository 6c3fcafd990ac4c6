import { envCommand } from './envCommand';
import { scoreCommand } from './scoreCommand';
import { generateCommand } from './generateCommand';
import { validateCommand } from './validateCommand';
import { trainCommand } from './trainCommand';
import { evalCommand } from './evalCommand';

export interface CliCommand {
  /** One line shown by `clinical-ft --help`. */
  summary: string;
  usage: string;
  /** Returns the exit code: 0 success, 1 a negative result (e.g. invalid data), 2 usage or IO error. */
  run(args: string[]): Promise<number>;
}

/** Subcommands by name; each lives in its own module. */
const commands: Record<string, CliCommand> = {
  env: envCommand,
  score: scoreCommand,
  generate: generateCommand,
  validate: validateCommand,
  train: trainCommand,
  eval: evalCommand,
};

export function registerCommand(name: string, command: CliCommand): void {
  commands[name] = command;
}

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
  const command = commands[name];
  if (!command) {
    process.stderr.write(`clinical-ft: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  return command.run(rest);
}
