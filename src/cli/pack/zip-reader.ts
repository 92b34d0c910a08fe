import { inflateRawSync } from 'node:zlib'
import { CliError } from '../cli-error'
import { crc32 } from './crc32'

/** One file read back from a zip. */
export interface ZipEntry {
  name: string
  data: Buffer
  /** Unix permission bits from the external attributes (0o644 when the zip was not made on Unix). */
  mode: number
}

/** A zip this reader cannot read, or one whose bytes do not match its own records. */
export class ZipFormatError extends CliError {
  override name = 'ZipFormatError'
}

/**
 * Reads every file of a classic zip (stored or deflated) through its central directory, checking each
 * entry's local header, sizes and CRC-32: the check `scf-bridge pack` runs on its own output.
 */
export function readZip(zip: Buffer): ZipEntry[] {
  const endAt = findEndRecord(zip)
  const count = zip.readUInt16LE(endAt + 10)
  const centralSize = zip.readUInt32LE(endAt + 12)
  let at = zip.readUInt32LE(endAt + 16)
  if (at + centralSize > endAt) throw new ZipFormatError('the central directory runs past the end record')
  const entries: ZipEntry[] = []
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== 0x02014b50)
      throw new ZipFormatError(`central directory entry ${i} is damaged`)
    const flags = zip.readUInt16LE(at + 8)
    const method = zip.readUInt16LE(at + 10)
    const crc = zip.readUInt32LE(at + 16)
    const compressedSize = zip.readUInt32LE(at + 20)
    const size = zip.readUInt32LE(at + 24)
    const nameLength = zip.readUInt16LE(at + 28)
    const extraLength = zip.readUInt16LE(at + 30)
    const commentLength = zip.readUInt16LE(at + 32)
    const madeOnUnix = zip.readUInt8(at + 5) === 3
    const external = zip.readUInt32LE(at + 38)
    const localAt = zip.readUInt32LE(at + 42)
    const name = zip.toString(flags & (1 << 11) ? 'utf8' : 'latin1', at + 46, at + 46 + nameLength)
    at += 46 + nameLength + extraLength + commentLength
    if (name.endsWith('/')) continue
    if (name.startsWith('/') || name.includes('\\') || name.split('/').includes('..'))
      throw new ZipFormatError(`unsafe entry name ${JSON.stringify(name)}`)
    if (flags & 1) throw new ZipFormatError(`${name} is encrypted`)
    if (localAt + 30 > zip.length || zip.readUInt32LE(localAt) !== 0x04034b50)
      throw new ZipFormatError(`${name}: local header missing`)
    const dataAt = localAt + 30 + zip.readUInt16LE(localAt + 26) + zip.readUInt16LE(localAt + 28)
    if (dataAt + compressedSize > zip.length) throw new ZipFormatError(`${name}: data runs past the end of the zip`)
    const raw = zip.subarray(dataAt, dataAt + compressedSize)
    let data: Buffer
    if (method === 0) data = Buffer.from(raw)
    else if (method === 8) {
      try {
        data = inflateRawSync(raw)
      } catch (error) {
        throw new ZipFormatError(`${name}: ${(error as Error).message}`)
      }
    } else throw new ZipFormatError(`${name}: compression method ${method} is not supported`)
    if (data.length !== size) throw new ZipFormatError(`${name}: ${data.length} bytes, the directory says ${size}`)
    if (crc32(data) !== crc) throw new ZipFormatError(`${name}: CRC-32 mismatch`)
    const mode = madeOnUnix && external >>> 16 ? (external >>> 16) & 0o7777 : 0o644
    entries.push({ name, data, mode })
  }
  return entries
}

function findEndRecord(zip: Buffer): number {
  // The end record is 22 bytes plus a comment of up to 64 KiB.
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--) {
    if (zip.readUInt32LE(at) === 0x06054b50) return at
  }
  throw new ZipFormatError('not a zip file (no end of central directory record)')
}
