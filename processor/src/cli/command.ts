// What a `flywheel` command is: its help, the settings it reads, its own options, and run().
import type { Config, SliceName } from '../config/config.ts';

/** What a command's run() gets besides the config: its own options and its positional words. */
export interface CommandArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export interface Command {
  summary: string;
  /** Lines of usage shown first in the command's --help (default: `flywheel <name> [options]`). */
  usage?: readonly string[];
  /** The configuration slices the command reads: its setting flags and their --help. */
  uses: readonly SliceName[];
  /** Options of the command itself (not settings), with their help line. */
  options?: Record<string, { type: 'string' | 'boolean'; help: string }>;
  /** Whether the command takes positional words (subcommands, ids). */
  positionals?: boolean;
  run(config: Config, args: CommandArgs): Promise<void>;
}

/** Thrown by a command's run() for arguments it cannot use: exit 2 with the command's help. */
export class UsageError extends Error {
  override name = 'UsageError';
}
