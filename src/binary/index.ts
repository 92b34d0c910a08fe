export { createBinaryDecider, classifyContentType } from './is-binary'
export type { BinaryTypes, BinaryVerdict, BinaryDecider, ResponseHeaders } from './is-binary'
export { decodeUtf8Exact } from './utf8'
export { parseMediaType } from './media-type'
