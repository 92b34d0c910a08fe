import { MAX_EVENT_BYTES, serialisedSize } from '../scf-contract'
import type { ScfContext, ScfHttpEvent } from '../types'
import { type AnyScfHandler, callHandler, type HandlerOutcome } from './call-handler'
import { eventFromHttp, type GatewayOptions, type HttpRequestParts } from './event-from-http'
import { type GatewayReply, gatewayError, gatewayReply } from './gateway-reply'
import { createScfContext, type ScfContextOptions } from './scf-context'

/** One request through the emulated gateway and function. */
export interface Emulation {
  event: ScfHttpEvent
  context: ScfContext
  /** How the handler ended; undefined when the gateway refused the request before calling it. */
  outcome: HandlerOutcome | undefined
  reply: GatewayReply
}

/**
 * Does what the gateway and SCF do for one HTTP request: builds the event and context, refuses an event
 * over SCF's 6 MB, invokes the handler within its timeout, and turns the result into the client's reply.
 */
export async function emulate(
  handler: AnyScfHandler,
  request: HttpRequestParts,
  gateway: GatewayOptions = {},
  contextOptions: ScfContextOptions = {},
): Promise<Emulation> {
  const event = eventFromHttp(request, gateway)
  const context = createScfContext(contextOptions)
  const size = serialisedSize(event)
  if (size > MAX_EVENT_BYTES) {
    const reply = gatewayError(
      413,
      `the request is ${size} bytes once encoded as an event; SCF accepts ${MAX_EVENT_BYTES} (6 MB)`,
    )
    return { event, context, outcome: undefined, reply }
  }
  const outcome = await callHandler(handler, event, context, context.time_limit_in_ms ?? 3000)
  return { event, context, outcome, reply: gatewayReply(outcome, gateway.trigger) }
}
