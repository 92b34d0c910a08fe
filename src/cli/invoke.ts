import { readFileSync } from 'node:fs'
import { basename, dirname, resolve } from 'node:path'
import { createScfContext, createTriggerEvent, invokeWithEvent } from '../emulator'
import { describeKind, recogniseEvent } from '../event-kind'
import { errorSummary } from '../values'
import type { FlagValues } from './flags'
import { loadHandler, resolveHandler } from './load-handler'

/** The settings of `scf-bridge invoke`, every default applied. */
export type InvokeCliOptions = FlagValues<'invoke'> & {
  /** The handler file, or the code folder the `--handler` file is in. Default `.`. */
  entry: string
}

/** Where `scf-bridge invoke` writes: the result to `out`, what happened to `err`. */
export interface InvokeIo {
  out: (text: string) => void
  err: (line: string) => void
}

/**
 * Runs one invocation of the handler with a trigger's event (or the event in a file), as SCF would:
 * says what it invokes, lets the handler log as it runs, then prints the result as JSON on stdout, or the
 * error. Resolves with the exit code: 0 when the invocation succeeded, 1 when it failed or timed out.
 */
export async function runInvoke(options: InvokeCliOptions, io: InvokeIo, cwd = process.cwd()): Promise<number> {
  const location = resolveHandler(options.entry, options.handler, cwd)
  const event =
    options.eventFile !== undefined
      ? readEvent(resolve(cwd, options.eventFile))
      : createTriggerEvent(options.event ?? 'timer')
  const handler = await loadHandler(location)
  const context = createScfContext({
    timeoutMs: options.timeoutS * 1000,
    memoryMb: options.memoryMb,
    functionName: basename(dirname(location.file)) || 'local-function',
  })
  io.err(`scf-bridge invoke: ${location.setting} from ${location.file}`)
  io.err(`  ${describeKind(recogniseEvent(event))}, request id ${context.request_id}, timeout ${options.timeoutS} s`)
  const started = Date.now()
  const { ok, result, error, timedOut } = await invokeWithEvent(handler, event, context)
  const ms = Date.now() - started
  if (timedOut) {
    io.err(`scf-bridge invoke: timed out: ${(error as Error).message}`)
    return 1
  }
  if (!ok) {
    io.err(
      `scf-bridge invoke: failed in ${ms} ms: ${error instanceof Error ? (error.stack ?? error.message) : errorSummary(error)}`,
    )
    return 1
  }
  let json: string | undefined
  try {
    json = JSON.stringify(result, null, 2)
  } catch (error) {
    io.err(`scf-bridge invoke: the function returned a value that is not JSON-serialisable (${errorSummary(error)})`)
    return 1
  }
  io.out(`${json ?? 'null'}\n`)
  io.err(`scf-bridge invoke: succeeded in ${ms} ms`)
  return 0
}

/** The event in a JSON file; a clear message when it is missing or not JSON. */
function readEvent(file: string): unknown {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new Error(`cannot read the event file ${file}: ${(error as Error).message}`)
  }
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new Error(`the event file ${file} is not JSON: ${(error as Error).message}`)
  }
}
