export type { BinaryDecider, BinaryTypes, BinaryVerdict, ResponseHeaders } from './is-binary'
export { classifyContentType, createBinaryDecider } from './is-binary'
export { parseMediaType } from './media-type'
export { decodeUtf8Exact } from './utf8'
