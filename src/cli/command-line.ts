// util.parseArgs is missing from Node 16.13 (SCF's oldest runtime, where `scf-bridge dev` runs too) and has no
// tokens before 18.7: its reference implementation, bundled, reads arguments the same way on every Node.
import { parseArgs } from '@pkgjs/parseargs'
import { type FlagValues, flagsOf, type Switch, type ValueFlag } from './flags'
import { type CommandName, UsageError } from './usage-error'

/** A command's options as its flags make them, and its one positional argument if given. */
export interface CommandLine<C extends CommandName> {
  flags: FlagValues<C>
  positional: string | undefined
}

/**
 * Reads a command's arguments (after the command) against its rows of the flag table: `--flag value`,
 * `--flag=value`, `-f value`, switches, one positional argument, `--` to end the options. Every value goes
 * through its flag's rule; an unknown option, a missing value or a value on a switch is a `UsageError` for
 * this command. Pure.
 */
export function readCommandLine<C extends CommandName>(
  command: C,
  argv: readonly string[],
  positionalName: string,
): CommandLine<C> {
  const rows = flagsOf(command)
  const byName = new Map(rows.map((row) => [row.name, row]))
  const config: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {}
  for (const row of rows) {
    config[row.name] = { type: row.value === undefined ? 'boolean' : 'string', multiple: true }
    if (row.short) config[row.name].short = row.short
  }
  // Not strict: the tokens let each mistake be named here, as this CLI words it, before any value is used.
  const { tokens } = parseArgs({
    args: [...argv],
    options: config,
    strict: false,
    allowPositionals: true,
    tokens: true,
  })
  const texts = new Map<string, { flag: string; text: string }[]>()
  const seen = new Set<string>()
  let positional: string | undefined
  for (const token of tokens) {
    if (token.kind === 'positional') {
      if (positional !== undefined) {
        throw new UsageError(
          `one ${positionalName} only: got ${JSON.stringify(positional)} and ${JSON.stringify(token.value)}`,
          command,
        )
      }
      positional = token.value
      continue
    }
    if (token.kind !== 'option') continue
    const row = byName.get(token.name)
    if (!row) {
      throw new UsageError(`unknown option ${token.rawName} for ${command}`, command)
    }
    if (row.value === undefined) {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value`, command)
      seen.add(row.name)
      continue
    }
    // A word starting with - after the flag is a forgotten value, not the value (none of the rules takes one).
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('-'))) {
      throw new UsageError(`option ${token.rawName} needs a value`, command)
    }
    const list = texts.get(row.name) ?? []
    list.push({ flag: token.rawName, text: token.value })
    texts.set(row.name, list)
  }

  const flags: Record<string, unknown> = {}
  for (const row of rows) {
    try {
      flags[row.key] = row.value === undefined ? seen.has(row.name) : flagValue(row, texts.get(row.name) ?? [])
    } catch (error) {
      if (error instanceof UsageError) error.command ??= command
      throw error
    }
  }
  return { flags: flags as FlagValues<C>, positional }
}

function flagValue(row: ValueFlag, given: readonly { flag: string; text: string }[]): unknown {
  if (row.repeatable) return given.reduce((value, { flag, text }) => row.parse(text, flag, value), row.default)
  const last = given[given.length - 1]
  return last === undefined ? row.default : row.parse(last.text, last.flag, row.default)
}

/** The usage lines of a command's options, from the flag table. */
export function optionLines(command: CommandName): string {
  const lines: string[] = []
  for (const row of flagsOf(command) as ReadonlyArray<Switch | ValueFlag>) {
    const names = `${row.short ? `-${row.short}, ` : ''}--${row.name}${row.value ? ` ${row.value}` : ''}`
    const [first, ...rest] = row.help.split('\n')
    const head = `  ${names}`
    lines.push(head.length < 26 ? `${head.padEnd(26)}${first}` : `${head}\n${' '.repeat(26)}${first}`)
    for (const line of rest) lines.push(`${' '.repeat(26)}${line}`)
  }
  lines.push(`${'  -h, --help'.padEnd(26)}Show this help`)
  return lines.join('\n')
}
