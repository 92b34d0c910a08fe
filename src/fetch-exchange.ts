import type { FetchAdapter } from './apps'
import { fetchRequestOf, replyOfFetchResponse } from './fetch-mapping'
import type { Invocation } from './invocation'
import { plainReply } from './plain-reply'

const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK'])

/**
 * Serves one request to a fetch-style app: the event as a WHATWG Request (which carries the invocation,
 * as a Node request does), its Response read into a reply for the invocation.
 */
export function fetchInto(adapter: FetchAdapter, invocation: Invocation): void {
  // The Fetch standard forbids these methods in a Request: the app cannot be asked, and it did not fail.
  if (FORBIDDEN_METHODS.has(invocation.request.method)) {
    invocation.reply(plainReply(501))
    return
  }
  new Promise<Response>((resolve) => {
    const request = fetchRequestOf(invocation.request)
    invocation.attachTo(request)
    resolve(adapter.fetch(request, invocation.invoke))
  })
    .then(replyOfFetchResponse)
    .then(
      (reply) => invocation.reply(reply),
      (error: unknown) => invocation.fail(error),
    )
}
