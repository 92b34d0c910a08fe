/**
 * SCF's limits for synchronous invocations (Tencent's quota table): the event and the
 * serialised response may each be at most 6 MB, base64 and JSON escaping included.
 */
export const MAX_EVENT_BYTES = 6 * 1024 * 1024
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024

