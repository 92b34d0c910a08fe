import * as buffer from 'node:buffer'

// buffer.isUtf8 (Node 18.14+) is a fast native check; Node 16 falls back to a fatal TextDecoder.
const nativeIsUtf8 = (buffer as { isUtf8?: (input: Uint8Array) => boolean }).isUtf8
// Made on first use: Node 18.14 and later never need it, and making one at load adds to every cold start.
let fatalDecoder: InstanceType<typeof TextDecoder> | undefined

/**
 * Decodes `bytes` as UTF-8 when they are valid UTF-8 and returns undefined otherwise,
 * so a text body is never silently altered by replacement characters.
 */
export function decodeUtf8Exact(bytes: Buffer): string | undefined {
  if (nativeIsUtf8) return nativeIsUtf8(bytes) ? bytes.toString('utf8') : undefined
  try {
    fatalDecoder ??= new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
    return fatalDecoder.decode(bytes)
  } catch {
    return undefined
  }
}
