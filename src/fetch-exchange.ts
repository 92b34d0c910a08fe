import type { FetchAdapter } from './apps'
import type { CurrentInvoke } from './current-invoke'
import type { ExchangeHooks } from './exchange'
import { fetchRequestOf, replyOfFetchResponse } from './fetch-mapping'
import type { InjectionRequest } from './request-from-event'

const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK'])

/** Serves one request to a fetch-style app: the event as a WHATWG Request, its Response read into a reply. */
export function fetchInto(adapter: FetchAdapter, request: InjectionRequest, scf: CurrentInvoke, hooks: ExchangeHooks): void {
  // The Fetch standard forbids these methods in a Request: the app cannot be asked, and it did not fail.
  if (FORBIDDEN_METHODS.has(request.method)) {
    return hooks.reply({ statusCode: 501, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: Buffer.from('Not Implemented') })
  }
  new Promise<Response>((resolve) => resolve(adapter.fetch(fetchRequestOf(request), scf, hooks.failed)))
    .then(replyOfFetchResponse)
    .then(hooks.reply, (error: unknown) => hooks.failed(error))
}
