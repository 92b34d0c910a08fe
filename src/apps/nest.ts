import { AppStartError } from './deferred'
import type { AnyAdapter, DeferredAdapter } from './types'

/** The parts of a NestJS application (`NestFactory.create(...)`) the bridge uses. */
export interface NestLike {
  init(): Promise<unknown>
  getHttpAdapter(): { getInstance(): unknown }
}

export function isNestApp(app: unknown): app is NestLike {
  const a = app as Partial<NestLike> | null
  return typeof a === 'object' && a !== null && typeof a.init === 'function' && typeof a.getHttpAdapter === 'function'
}

/**
 * A NestJS application on its Express or Fastify platform: `init()` once (idempotent in Nest), then the
 * platform's instance is served like any Express app or Fastify instance. Nest's exception filters answer
 * route errors themselves (500 `{"statusCode":500,"message":"Internal server error"}`), as under listen().
 */
export function nestAdapter(app: NestLike, recognise: (app: unknown) => AnyAdapter): DeferredAdapter {
  return {
    start: async () => {
      try {
        await app.init()
      } catch (error) {
        throw new AppStartError('scf-bridge: the NestJS application failed to init()', error)
      }
      return recognise(app.getHttpAdapter().getInstance())
    },
  }
}
