import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { readZip } from './zip'

/** Unpacks a zip into `dir` as SCF does before the first invocation, modes included; returns the file count. */
export function unpackZip(zip: Buffer, dir: string): number {
  const entries = readZip(zip)
  for (const entry of entries) {
    const target = join(dir, entry.name)
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, entry.data)
    chmodSync(target, entry.mode)
  }
  return entries.length
}
