import { findRuntime, RUNTIMES } from './pack/runtimes'
import { UsageError } from './usage-error'

/**
 * The one rule of each flag that takes a value: each turns the text given into the value, or throws a
 * `UsageError` that names the flag as typed and the values it takes. The function settings follow what SCF's
 * CreateFunction accepts, so `dev` runs with exactly the settings a deploy can have.
 */

/** SCF's Timeout: whole seconds from 1 to 900. */
export const TIMEOUT_S = { min: 1, max: 900 } as const
/** SCF's MemorySize: 64, or a multiple of 128 up to 3072 (MB). */
export const MEMORY_MB = { small: 64, step: 128, max: 3072 } as const

const quoted = (text: string) => JSON.stringify(text)

export function functionTimeout(text: string, flag: string): number {
  const seconds = Number(text)
  if (!/^\d+$/.test(text) || seconds < TIMEOUT_S.min || seconds > TIMEOUT_S.max) {
    throw new UsageError(
      `${flag} must be a whole number of seconds from ${TIMEOUT_S.min} to ${TIMEOUT_S.max}, got ${quoted(text)}`,
    )
  }
  return seconds
}

export function memorySize(text: string, flag: string): number {
  const mb = Number(text)
  const { small, step, max } = MEMORY_MB
  if (!/^\d+$/.test(text) || !(mb === small || (mb % step === 0 && mb >= step && mb <= max))) {
    throw new UsageError(
      `${flag} must be ${small} or a multiple of ${step} from ${step} to ${max} (MB), got ${quoted(text)}`,
    )
  }
  return mb
}

/** SCF's handler setting `file.export` (the file may be in a folder); the export alone means `index.export`. */
export function handlerSetting(text: string, flag: string): string {
  if (!/^(?:[^\s./\\][^\s\\]*\.)?[A-Za-z_$][\w$]*$/.test(text) || text.split('/').includes('..')) {
    throw new UsageError(`${flag} must look like index.main_handler (file.export), got ${quoted(text)}`)
  }
  return text
}

/** A value from a fixed list; `fold` maps spellings to it first (e.g. upper case); `hint` ends the message. */
export function oneOf<const V extends string>(
  values: readonly V[],
  fold: (text: string) => string = (t) => t,
  hint = '',
) {
  return (text: string, flag: string): V => {
    const value = fold(text)
    if ((values as readonly string[]).includes(value)) return value as V
    throw new UsageError(`${flag} must be ${listed(values)}, got ${quoted(text)}${hint}`)
  }
}

/** `a, b or c`. */
export function listed(values: readonly string[]): string {
  return values.length < 2 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`
}

export function port(text: string, flag: string): number {
  const value = Number(text)
  if (!/^\d+$/.test(text) || value > 65535)
    throw new UsageError(`${flag} must be a port number from 0 to 65535, got ${quoted(text)}`)
  return value
}

export function host(text: string, flag: string): string {
  if (text.trim() === '' || /\s/.test(text)) throw new UsageError(`${flag} must be an address such as 127.0.0.1`)
  return text
}

export function stageName(text: string, flag: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(text))
    throw new UsageError(`${flag} must be a stage name such as release, got ${quoted(text)}`)
  return text
}

export function zipPath(text: string, flag: string): string {
  if (!/\.zip$/i.test(text)) throw new UsageError(`${flag} must name a .zip file, got ${quoted(text)}`)
  return text
}

export function requestPath(text: string, flag: string): string {
  if (!text.startsWith('/')) throw new UsageError(`${flag} must be a path starting with /, got ${quoted(text)}`)
  return text
}

export function functionName(text: string, flag: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,58}[A-Za-z0-9]$/.test(text)) {
    throw new UsageError(
      `${flag}: an SCF function name has 2-60 letters, digits, - and _, starts with a letter and ends with a letter or digit; got ${quoted(text)}`,
    )
  }
  return text
}

export function region(text: string, flag: string): string {
  if (!/^[a-z]+-[a-z0-9-]+$/.test(text))
    throw new UsageError(`${flag} must be a region such as ap-guangzhou, got ${quoted(text)}`)
  return text
}

export function cosBucket(text: string, flag: string): string {
  if (!/^[a-z0-9][a-z0-9-]*-\d+$/.test(text)) {
    throw new UsageError(
      `${flag} must be the full bucket name with its APPID, e.g. my-bucket-1250000000; got ${quoted(text)}`,
    )
  }
  return text
}

export function nonEmpty(text: string, flag: string): string {
  if (text === '') throw new UsageError(`${flag} needs a value`)
  return text
}

/** `KEY=VALUE` added to the variables given before. */
export function environmentVariable(
  text: string,
  flag: string,
  previous: Record<string, string>,
): Record<string, string> {
  const eq = text.indexOf('=')
  if (eq < 1 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(text.slice(0, eq)))
    throw new UsageError(`${flag} must be KEY=VALUE, got a value without a valid KEY`)
  return { ...previous, [text.slice(0, eq)]: text.slice(eq + 1) }
}

/** Comma-separated names added to those given before. */
export function nameList(text: string, _flag: string, previous: string[]): string[] {
  return [
    ...previous,
    ...text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ]
}

/** An SCF Node.js runtime id, as Tencent spells it. */
export function runtimeId(text: string, flag: string): string {
  if (findRuntime(text)) return text
  const hint = /^nodejs/i.test(text)
    ? ` (Tencent's ids name a minor version, e.g. Nodejs20.19, never a .x wildcard)`
    : ''
  throw new UsageError(`${flag} must be ${listed(RUNTIMES.map((r) => r.id))}, got ${quoted(text)}${hint}`)
}

/** A whole number from `min` to `max` (of `unit`, for the message). */
export function wholeNumber(min: number, max: number, unit = '') {
  return (text: string, flag: string): number => {
    const value = Number(text)
    if (!/^\d+$/.test(text) || value < min || value > max)
      throw new UsageError(
        `${flag} must be a whole number ${unit ? `of ${unit} ` : ''}from ${min} to ${max}, got ${quoted(text)}`,
      )
    return value
  }
}

/** Seconds above 0 and up to `max` (fractions allowed), as milliseconds. */
export function secondsAsMs(max: number) {
  return (text: string, flag: string): number => {
    const seconds = Number(text)
    if (text.trim() === '' || !Number.isFinite(seconds) || seconds <= 0 || seconds > max)
      throw new UsageError(`${flag} must be a number of seconds above 0, got ${quoted(text)}`)
    return Math.round(seconds * 1000)
  }
}
