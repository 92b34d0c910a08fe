import { compileMediaTypePatterns, parseMediaType } from './media-type'

/** Response headers as the bridge sees them (lowercased names). */
export type ResponseHeaders = Record<string, string | string[] | number | undefined>

/**
 * The `binaryTypes` option: media-type patterns that are always sent as base64 (added to the
 * default rules), or a predicate that decides alone.
 */
export type BinaryTypes = readonly string[] | ((contentType: string, headers: ResponseHeaders) => boolean)

/**
 * How a body must travel. `text`: as a UTF-8 string if its bytes are valid UTF-8.
 * `binary`: always base64. `auto`: no content type, the bytes decide.
 */
export interface BinaryVerdict {
  encoding: 'text' | 'binary' | 'auto'
  /** Why, for debugging and tests. */
  reason: string
}

export type BinaryDecider = (headers: ResponseHeaders) => BinaryVerdict

const ENCODED: BinaryVerdict = { encoding: 'binary', reason: 'content-encoding' }
const NO_TYPE: BinaryVerdict = { encoding: 'auto', reason: 'no content-type' }
const CACHE_LIMIT = 500

/** Builds the per-response decision once per bridge, with its own cache of per-type answers. */
export function createBinaryDecider(binaryTypes?: BinaryTypes): BinaryDecider {
  if (typeof binaryTypes === 'function') return predicateDecider(binaryTypes)
  if (binaryTypes !== undefined && !Array.isArray(binaryTypes)) {
    throw new TypeError(
      'scf-bridge: binaryTypes must be an array of media types or a function (contentType, headers) => boolean',
    )
  }
  const isUserBinary = binaryTypes?.length ? compileMediaTypePatterns(binaryTypes) : undefined
  const cache = new Map<string, BinaryVerdict>()

  return (headers) => {
    if (isEncoded(headers['content-encoding'])) return ENCODED
    const contentType = headerText(headers['content-type'])
    if (!contentType) return NO_TYPE
    let verdict = cache.get(contentType)
    if (verdict === undefined) {
      verdict = classifyContentType(contentType, isUserBinary)
      if (cache.size >= CACHE_LIMIT) cache.clear()
      cache.set(contentType, verdict)
    }
    return verdict
  }
}

function predicateDecider(isBinary: (contentType: string, headers: ResponseHeaders) => boolean): BinaryDecider {
  return (headers) =>
    isBinary(headerText(headers['content-type']), headers)
      ? { encoding: 'binary', reason: 'binaryTypes predicate' }
      : { encoding: 'text', reason: 'binaryTypes predicate' }
}

/** The default rules (plus the user's patterns) for one content-type value. */
export function classifyContentType(contentType: string, isUserBinary?: (essence: string) => boolean): BinaryVerdict {
  const { essence, charset } = parseMediaType(contentType)
  if (!essence) return { encoding: 'auto', reason: 'unparsable content-type' }
  if (isUserBinary?.(essence)) return { encoding: 'binary', reason: 'binaryTypes' }
  if (charset !== undefined && !UTF8_COMPATIBLE.has(charset))
    return { encoding: 'binary', reason: `charset ${charset}` }
  if (isTextual(essence)) return { encoding: 'text', reason: 'textual type' }
  if (charset !== undefined) return { encoding: 'text', reason: `charset ${charset}` }
  return { encoding: 'binary', reason: 'non-textual type' }
}

const UTF8_COMPATIBLE = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii'])

const TEXT_TYPES = new Set([
  'application/json',
  'application/xml',
  'application/javascript',
  'application/x-javascript',
  'application/ecmascript',
  'application/x-www-form-urlencoded',
  'application/graphql',
  'application/graphql-response+json',
  'image/svg+xml',
])

function isTextual(essence: string): boolean {
  return (
    essence.startsWith('text/') ||
    TEXT_TYPES.has(essence) ||
    essence.endsWith('+json') ||
    essence.endsWith('+xml') ||
    (!isCommonBinary(essence) && mimeCharset(essence) === 'UTF-8')
  )
}

// Types mime-db gives no charset (checked against the mime-db that mime-types 3.0.1 installs: no image,
// audio, video, font or model type has one), decided without loading it.
const BINARY_TOP_LEVEL = /^(?:image|audio|video|font|model)\//
const BINARY_TYPES = new Set([
  'application/octet-stream',
  'application/pdf',
  'application/zip',
  'application/gzip',
  'application/x-gzip',
  'application/wasm',
  'application/protobuf',
  'application/x-protobuf',
  'application/msgpack',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
])
const isCommonBinary = (essence: string): boolean => BINARY_TOP_LEVEL.test(essence) || BINARY_TYPES.has(essence)

/**
 * mime-types' charset, with mime-types loaded on first use: building its tables from mime-db adds to every
 * cold start, and JSON, HTML and images never need it.
 * A plain require() call, so that bundlers still pack mime-types into an app bundled from the CommonJS
 * build; the ES module build gets a module-scoped `require` from tsup.config.mts.
 */
let mimeTypes: { charset(type: string): string | false } | undefined
function mimeCharset(type: string): string | false {
  mimeTypes ??= require('mime-types') as { charset(type: string): string | false }
  return mimeTypes.charset(type)
}

function isEncoded(value: ResponseHeaders[string]): boolean {
  const encoding = headerText(value).trim().toLowerCase()
  return encoding !== '' && encoding !== 'identity'
}

function headerText(value: ResponseHeaders[string]): string {
  if (value === undefined) return ''
  return Array.isArray(value) ? value.join(', ') : String(value)
}
