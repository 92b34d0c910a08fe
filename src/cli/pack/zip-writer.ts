import { deflateRawSync } from 'node:zlib'
import { CliError } from '../cli-error'
import { crc32 } from './crc32'

/** One file to store in the zip. */
export interface ZipInput {
  /** The path inside the zip, `/`-separated, no leading `/`. */
  name: string
  data: Buffer
  /** Unix permission bits (e.g. 0o644, 0o755); kept so executables stay executable once SCF unpacks the zip. */
  mode: number
  mtime?: Date
}

/** A zip that would need Zip64 (which SCF's unpacker is not documented to read) or has a bad entry. */
export class ZipLimitError extends CliError {
  override name = 'ZipLimitError'
}

const MAX_ENTRIES = 0xffff
const MAX_BYTES = 0xffffffff
const VERSION_NEEDED = 20 // 2.0: deflate
const MADE_BY_UNIX = (3 << 8) | 20 // host 3 = Unix, so the external attributes hold the mode
const UTF8_NAMES = 1 << 11
const S_IFREG = 0o100000

/**
 * Builds a zip archive in memory (classic format, no Zip64): each file deflated unless storing it is
 * smaller, names in UTF-8, Unix permissions in the external attributes, as `zip -r` writes them.
 */
export function writeZip(inputs: readonly ZipInput[]): Buffer {
  if (inputs.length > MAX_ENTRIES) {
    throw new ZipLimitError(
      `${inputs.length} files: a zip without Zip64 holds at most ${MAX_ENTRIES}; bundle (--bundle) or trim the dependencies`,
    )
  }
  const seen = new Set<string>()
  const parts: Buffer[] = []
  const central: Buffer[] = []
  let offset = 0
  for (const input of inputs) {
    checkName(input.name)
    if (seen.has(input.name)) throw new ZipLimitError(`the zip would hold ${input.name} twice`)
    seen.add(input.name)
    const name = Buffer.from(input.name, 'utf8')
    const crc = crc32(input.data)
    const deflated = deflateRawSync(input.data, { level: 9 })
    const stored = deflated.length >= input.data.length
    const body = stored ? input.data : deflated
    if (input.data.length > MAX_BYTES || offset + body.length > MAX_BYTES)
      throw new ZipLimitError(`${input.name}: the zip would pass 4 GB`)
    const { time, date } = dosDateTime(input.mtime ?? new Date(1980, 0, 1))
    const method = stored ? 0 : 8

    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(VERSION_NEEDED, 4)
    local.writeUInt16LE(UTF8_NAMES, 6)
    local.writeUInt16LE(method, 8)
    local.writeUInt16LE(time, 10)
    local.writeUInt16LE(date, 12)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(body.length, 18)
    local.writeUInt32LE(input.data.length, 22)
    local.writeUInt16LE(name.length, 26)
    local.writeUInt16LE(0, 28)

    const header = Buffer.alloc(46)
    header.writeUInt32LE(0x02014b50, 0)
    header.writeUInt16LE(MADE_BY_UNIX, 4)
    header.writeUInt16LE(VERSION_NEEDED, 6)
    header.writeUInt16LE(UTF8_NAMES, 8)
    header.writeUInt16LE(method, 10)
    header.writeUInt16LE(time, 12)
    header.writeUInt16LE(date, 14)
    header.writeUInt32LE(crc, 16)
    header.writeUInt32LE(body.length, 20)
    header.writeUInt32LE(input.data.length, 24)
    header.writeUInt16LE(name.length, 28)
    // extra length, comment length, disk number, internal attributes: all 0
    header.writeUInt32LE(((S_IFREG | (input.mode & 0o7777)) << 16) >>> 0, 38)
    header.writeUInt32LE(offset, 42)

    parts.push(local, name, body)
    central.push(header, name)
    offset += local.length + name.length + body.length
  }
  const centralSize = central.reduce((sum, part) => sum + part.length, 0)
  if (offset + centralSize > MAX_BYTES) throw new ZipLimitError('the zip would pass 4 GB')
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(inputs.length, 8)
  end.writeUInt16LE(inputs.length, 10)
  end.writeUInt32LE(centralSize, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...parts, ...central, end])
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
  if (Buffer.byteLength(name) > 0xffff) throw new ZipLimitError(`zip entry name too long: ${name.slice(0, 80)}…`)
}

/** MS-DOS date and time (local time, two-second steps; the format starts in 1980). */
function dosDateTime(when: Date): { time: number; date: number } {
  const d = when.getFullYear() < 1980 ? new Date(1980, 0, 1) : when
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
    date: ((d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  }
}
