import { CliError } from './cli-error'

/** A command line the CLI cannot run; the message says what to change. */
export class UsageError extends CliError {
  override name = 'UsageError'
}

/** One argument of a command: a positional one, a switch, or an option with its value. */
export type ScannedArg = { positional: string } | { flag: string; value: string | undefined }

/**
 * Splits a command's arguments (after the command) the one way every command reads them: `--flag value` or
 * `--flag=value` for an option, a bare switch, `-` and anything not starting with `-` as positional, and
 * everything after `--` positional. `takes(flag)` says what a flag is: an option taking a value (true), a
 * switch (false) or unknown (undefined). A value may be a negative number but no other word starting with `-`,
 * which is taken for a forgotten value.
 */
export function scanArgs(
  argv: readonly string[],
  takes: (flag: string) => boolean | undefined,
  unknownHint: string,
): ScannedArg[] {
  const scanned: ScannedArg[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--') {
      for (const positional of argv.slice(i + 1)) scanned.push({ positional })
      break
    }
    if (!arg.startsWith('-') || arg === '-') {
      scanned.push({ positional: arg })
      continue
    }
    const eq = arg.indexOf('=')
    const flag = eq === -1 ? arg : arg.slice(0, eq)
    const takesValue = takes(flag)
    if (takesValue === undefined) throw new UsageError(`unknown option ${flag}${unknownHint}`)
    if (!takesValue) {
      scanned.push({ flag, value: undefined })
      continue
    }
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1)
    if (value === undefined || (eq === -1 && value.startsWith('-') && value.length > 1 && !/^-\d/.test(value))) {
      throw new UsageError(`option ${flag} needs a value`)
    }
    scanned.push({ flag, value })
  }
  return scanned
}
