import { gunzip } from 'node:zlib'
import { EventError } from '../errors'
import { compactBase64 } from '../scf-contract'
import type { ScfClsEvent, ScfClsLogs } from '../trigger-types'
import { describe } from '../values'

/**
 * The log records of a CLS trigger's event. CLS sends them as `clslogs.data`: base64 of a gzipped JSON
 * document `{ topic_id, topic_name, records: [{ timestamp, content }] }` (Tencent's CLS trigger doc,
 * 583/49587). Data that is base64 of plain JSON (as in that doc's own example) is read too.
 * Rejects with an `EventError` naming what is wrong.
 *
 * @example
 * const { decodeClsLogs } = require('scf-bridge')
 * bridge(app, { events: { cls: async (event) => {
 *   for (const record of (await decodeClsLogs(event)).records) console.log(record.content)
 * } } })
 */
export async function decodeClsLogs(event: ScfClsEvent): Promise<ScfClsLogs> {
  const data: unknown = event?.clslogs?.data
  if (typeof data !== 'string')
    throw new EventError(`scf-bridge: event.clslogs.data must be a string, got ${describe(data)}`)
  const compact = compactBase64(data)
  if (compact === undefined) {
    throw new EventError('scf-bridge: event.clslogs.data is not base64')
  }
  let bytes: Buffer = Buffer.from(compact, 'base64')
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = await new Promise<Buffer>((resolve, reject) =>
        gunzip(bytes, (error, out) => (error ? reject(error) : resolve(out))),
      )
    } catch (error) {
      throw new EventError(`scf-bridge: event.clslogs.data is not valid gzip: ${(error as Error).message}`)
    }
  }
  let logs: unknown
  try {
    logs = JSON.parse(bytes.toString('utf8'))
  } catch {
    throw new EventError('scf-bridge: event.clslogs.data does not hold JSON once decoded')
  }
  if (logs === null || typeof logs !== 'object' || !Array.isArray((logs as ScfClsLogs).records)) {
    throw new EventError('scf-bridge: event.clslogs.data holds no records array once decoded')
  }
  return logs as ScfClsLogs
}
