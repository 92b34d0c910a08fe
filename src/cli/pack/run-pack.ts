import { CliError } from '../cli-error'
import { UsageError } from '../usage-error'
import { type PackIo, pack } from './pack'
import type { PackOptions } from './pack-args'

/** The CLI's `pack` command: runs pack and turns a known failure into one clear line and exit code 1. */
export async function runPack(
  options: PackOptions,
  io: PackIo = { out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) },
): Promise<number> {
  try {
    await pack(options, io)
    return 0
  } catch (error) {
    if (error instanceof UsageError) throw error
    // pack's own errors say what to do; anything else is a bug worth its stack.
    const known = error instanceof CliError
    io.err(
      `scf-bridge pack: ${known ? (error as Error).message : error instanceof Error ? error.stack : String(error)}`,
    )
    return 1
  }
}
