import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { readZip } from './zip'

/**
 * Unpacks a zip into `dir` as SCF does before the first invocation; returns the file count. Files get the
 * default mode: the reader gives names and bytes only, and the proof loads JavaScript, which needs no
 * execute bit.
 */
export function unpackZip(zip: Buffer, dir: string): number {
  const entries = readZip(zip)
  for (const entry of entries) {
    const target = join(dir, entry.name)
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, entry.data)
  }
  return entries.length
}
