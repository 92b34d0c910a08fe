import { adapterFor, adapterStarter } from './apps'
import type { ServedInvoke } from './current-invoke'
import { recogniseEvent } from './event-kind'
import type { BridgeOptions, TriggerRoutes } from './options'
import { DEFAULT_HOST, requestFromEvent } from './request-from-event'
import { serveRequest } from './serve'
import { settingsOf } from './settings'
import { deliverToPath, refuseTriggerPath, runTriggerFunction } from './triggers'
import type { ScfContext, ScfEventHandler, ScfHandler, ScfHttpEvent } from './types'
import { markWebHandle } from './web-handle'

/**
 * Wraps a web app as an SCF handler that serves HTTP events through the app and the triggers named in
 * `options.events` as they say (see {@link BridgeOptions.events}).
 * @example
 * exports.main_handler = bridge(app, { events: { timer: async () => purgeSessions(), cos: '/internal/cos-uploaded' } })
 */
export function bridge(app: unknown, options: BridgeOptions & { events: TriggerRoutes }): ScfEventHandler
/**
 * Wraps a web app as an SCF handler that serves API Gateway and Function URL events, and with the
 * `events` option other triggers' events too (timer, COS, CKafka, CMQ, CLS, direct invocations).
 *
 * @param app An Express 4/5 app, a Koa 2/3 app, a Fastify 4/5 instance, a hapi server, a NestJS
 *   application, an object with `fetch(request)` (Hono, h3 v2), an `http.Server`, a `(req, res)`
 *   listener, a `(request) => Response` function with `{ fetch: true }`, or a Promise of any of these
 *   (resolved on the first invocation, then reused).
 * @param options See {@link BridgeOptions}.
 * @returns The SCF handler, to export as `main_handler`.
 * @throws TypeError when the app is of no kind the bridge serves, or an option is invalid.
 * @example
 * const express = require('express')
 * const { bridge } = require('scf-bridge')
 * const app = express()
 * app.get('/hello', (req, res) => res.json({ hello: 'world' }))
 * exports.main_handler = bridge(app)
 */
export function bridge(app: unknown, options?: BridgeOptions): ScfHandler
export function bridge(app: unknown, options: BridgeOptions = {}): ScfEventHandler {
  const startAdapter = adapterStarter(adapterFor(app, { fetch: options.fetch }))
  const settings = settingsOf(options)
  const { triggers } = settings

  return markWebHandle(
    async function main_handler(event: unknown, context?: ScfContext): Promise<unknown> {
      const started = Date.now()
      const ctx: ScfContext = context !== null && typeof context === 'object' ? context : {}
      if (!settings.waitForEmptyEventLoop) ctx.callbackWaitsForEmptyEventLoop = false

      // What the event is, decided once: an HTTP event (either dialect) goes to the app; a trigger's event to
      // its entry in the events option (src/triggers). A kind without an entry takes the HTTP path, which refuses it.
      const kind = recogniseEvent(event)
      const route = kind === 'http' ? undefined : triggers?.routeOf(kind)
      if (route?.run) return runTriggerFunction(route, event, ctx)
      if (route) {
        // recogniseEvent found the event of this kind: the app's getCurrentInvoke() sees it as that trigger's.
        const invoke = { event, context: ctx, trigger: route.kind } as ServedInvoke
        return deliverToPath(route, event, ctx, settings.host ?? DEFAULT_HOST, (request) =>
          serveRequest(startAdapter, request, invoke, settings, started),
        )
      }

      const request = requestFromEvent(event, settings)
      if (triggers?.guards(request.url)) return refuseTriggerPath(request, ctx)
      // requestFromEvent accepted it as an HTTP event.
      const invoke = { event: event as ScfHttpEvent, context: ctx }
      return (await serveRequest(startAdapter, request, invoke, settings, started)).response
    },
    app,
    options,
  ) as ScfEventHandler
}
