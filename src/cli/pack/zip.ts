import { unzipSync, type ZipOptions, zipSync } from 'fflate'
import { CliError } from '../cli-error'

/** One file to store in the zip. */
export interface ZipInput {
  /** The path inside the zip, `/`-separated, no leading `/`. */
  name: string
  data: Buffer
  /** Unix permission bits (e.g. 0o644, 0o755); kept so executables stay executable once SCF unpacks the zip. */
  mode: number
}

/** One file read back from a zip. */
export interface ZipEntry {
  name: string
  data: Buffer
  /** Unix permission bits (0o644 when the zip was not made on Unix). */
  mode: number
}

/** A zip that would need Zip64 (which SCF's unpacker is not documented to read) or has a bad entry. */
export class ZipLimitError extends CliError {
  override name = 'ZipLimitError'
}

/** A zip that cannot be read back. */
export class ZipFormatError extends CliError {
  override name = 'ZipFormatError'
}

const MAX_ENTRIES = 0xffff
const MAX_BYTES = 0xffffffff
const UNIX = 3 // host system 3: the external attributes hold the Unix mode, as `zip -r` writes them
const S_IFREG = 0o100000
// One fixed time for every entry: the same files make the same zip, byte for byte.
const MTIME = new Date(2020, 0, 1)

/**
 * Builds a zip archive in memory (classic format, no Zip64) with fflate: each file deflated, names in UTF-8,
 * Unix permissions in the external attributes, entries in the order given, every timestamp the same.
 */
export function writeZip(inputs: readonly ZipInput[]): Buffer {
  if (inputs.length > MAX_ENTRIES) {
    throw new ZipLimitError(
      `${inputs.length} files: a zip without Zip64 holds at most ${MAX_ENTRIES}; bundle (--bundle) or trim the dependencies`,
    )
  }
  const files: Record<string, [Uint8Array, ZipOptions]> = Object.create(null)
  let total = 0
  for (const input of inputs) {
    checkName(input.name)
    if (Object.hasOwn(files, input.name)) throw new ZipLimitError(`the zip would hold ${input.name} twice`)
    total += input.data.length
    if (total > MAX_BYTES) throw new ZipLimitError(`${input.name}: the zip would pass 4 GB`)
    files[input.name] = [
      input.data,
      { level: 9, mtime: MTIME, os: UNIX, attrs: ((S_IFREG | (input.mode & 0o7777)) << 16) >>> 0 },
    ]
  }
  const zip = zipSync(files, {})
  if (zip.length > MAX_BYTES) throw new ZipLimitError('the zip would pass 4 GB')
  return Buffer.from(zip.buffer, zip.byteOffset, zip.length)
}

/** Every file of a zip (stored or deflated), folders left out; a clear error for bytes that are not a zip. */
export function readZip(zip: Uint8Array): ZipEntry[] {
  let files: Record<string, Uint8Array>
  try {
    files = unzipSync(zip)
  } catch (error) {
    throw new ZipFormatError(`not a readable zip: ${(error as Error).message}`)
  }
  const modes = unixModes(Buffer.from(zip.buffer, zip.byteOffset, zip.length))
  const entries: ZipEntry[] = []
  for (const [name, data] of Object.entries(files)) {
    if (name.endsWith('/')) continue
    if (name.startsWith('/') || name.includes('\\') || name.split('/').includes('..'))
      throw new ZipFormatError(`unsafe entry name ${JSON.stringify(name)}`)
    entries.push({ name, data: Buffer.from(data.buffer, data.byteOffset, data.length), mode: modes.get(name) ?? 0o644 })
  }
  return entries
}

/**
 * The Unix modes in the central directory, by name: fflate's reader gives names and bytes only, and a Web
 * function's proof must see scf_bootstrap's execute bit. Only the fixed-size fields each central record starts
 * with are read (fflate has already read and checked the archive).
 */
function unixModes(zip: Buffer): Map<string, number> {
  const modes = new Map<string, number>()
  let end = zip.length - 22
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end--
  if (end < 0) return modes
  let at = zip.readUInt32LE(end + 16)
  for (let i = zip.readUInt16LE(end + 10); i > 0 && at + 46 <= zip.length && zip.readUInt32LE(at) === 0x02014b50; i--) {
    const nameLength = zip.readUInt16LE(at + 28)
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength)
    const attributes = zip.readUInt32LE(at + 38) >>> 16
    if (zip.readUInt8(at + 5) === UNIX && attributes) modes.set(name, attributes & 0o7777)
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32)
  }
  return modes
}

function checkName(name: string): void {
  if (
    name === '' ||
    name.startsWith('/') ||
    name.includes('\\') ||
    name.endsWith('/') ||
    name.split('/').some((part) => part === '' || part === '.' || part === '..')
  ) {
    throw new ZipLimitError(`bad zip entry name ${JSON.stringify(name)}`)
  }
  // fflate keeps entries in plain objects, where this one name would be lost: refused rather than dropped.
  if (name === '__proto__') throw new ZipLimitError('a file named __proto__ at the top of the zip cannot be stored')
  if (Buffer.byteLength(name) > 0xffff) throw new ZipLimitError(`zip entry name too long: ${name.slice(0, 80)}…`)
}
