import 'reflect-metadata'
import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Module,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Redirect,
  Req,
  Res,
  ServiceUnavailableException,
  StreamableFile,
} from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express'
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify'
import { COOKIES, inspection, REDIRECT_TO, reversed, SECRET, SECURE_COOKIE, schemeView, UNAVAILABLE } from './shared'

type Platform = 'express' | 'fastify'

/** Sets a response header on either platform's response object (Express `res` or Fastify `reply`). */
function setHeader(res: { header(name: string, value: unknown): unknown }, name: string, value: unknown): void {
  res.header(name, value)
}

// Written with plain decorator calls (what `@Get()` compiles to), so the test needs no decorator transform.
class ItemsController {
  remove(): void {}
  get(
    method: string,
    name: string,
    query: Record<string, unknown>,
    headers: Record<string, unknown>,
    res: { header(n: string, v: unknown): unknown },
  ) {
    setHeader(res, 'x-echo', headers['x-custom'] ?? '')
    return inspection(method, name, query, (header) => headers[header])
  }
  json(body: unknown) {
    return { received: body }
  }
  binary(body: Buffer) {
    return new StreamableFile(reversed(body), { type: 'application/octet-stream' })
  }
  cookies(headers: Record<string, unknown>, res: { header(n: string, v: unknown): unknown }) {
    setHeader(res, 'set-cookie', COOKIES)
    return { cookie: headers.cookie ?? null }
  }
  redirect(): void {}
  /** `req` is the platform's request: Express's (`protocol`, `originalUrl`) or Fastify's (`protocol`, `url`). */
  scheme(
    req: { protocol: string; originalUrl?: string; url: string; headers: Record<string, unknown> },
    res: { header(n: string, v: unknown): unknown },
  ) {
    const secure = req.protocol === 'https'
    if (secure) setHeader(res, 'set-cookie', `${SECURE_COOKIE.name}=${SECURE_COOKIE.value}; Path=/; Secure`)
    return schemeView(
      req.protocol,
      secure,
      `${req.protocol}://${req.headers.host}${req.originalUrl ?? req.url}`,
      req.headers['x-forwarded-proto'],
    )
  }
  boom(): never {
    throw new Error(SECRET)
  }
  unavailable(): never {
    throw new ServiceUnavailableException(UNAVAILABLE)
  }
}

const proto = ItemsController.prototype
const method = (name: keyof ItemsController, ...decorators: MethodDecorator[]) =>
  Object.defineProperty(
    proto,
    name,
    Reflect.decorate(decorators, proto, name, Object.getOwnPropertyDescriptor(proto, name)) as PropertyDescriptor,
  )
const params = (name: keyof ItemsController, ...decorators: ParameterDecorator[]) =>
  decorators.forEach((decorate, index) => {
    decorate(proto, name, index)
  })

method('remove', Delete('items/:name'), HttpCode(204))
// One handler per verb: Fastify refuses ALL next to DELETE on one path.
for (const [verb, decorator] of [
  ['get', Get],
  ['post', Post],
  ['put', Put],
  ['patch', Patch],
] as const) {
  const key = `${verb}Item`
  Object.defineProperty(proto, key, {
    value(
      this: ItemsController,
      req: { method: string },
      ...rest: [string, Record<string, unknown>, Record<string, unknown>, never]
    ) {
      return this.get(req.method, ...rest)
    },
    configurable: true,
    writable: true,
  })
  method(key as keyof ItemsController, decorator('items/:name'), HttpCode(200))
  params(key as keyof ItemsController, Req(), Param('name'), Query(), Headers(), Res({ passthrough: true }))
}
method('json', Post('json'))
params('json', Body())
method('binary', Post('binary'), HttpCode(200))
params('binary', Body())
method('cookies', Get('cookies'))
params('cookies', Headers(), Res({ passthrough: true }))
method('redirect', Get('redirect'), Redirect(REDIRECT_TO, 302))
method('scheme', Get('scheme'))
params('scheme', Req(), Res({ passthrough: true }))
method('boom', Get('boom'))
method('unavailable', Get('unavailable'))
Controller()(ItemsController)

class AppModule {}
Module({ controllers: [ItemsController] })(AppModule)

/**
 * A NestJS app on the Express or Fastify platform, as README documents it: create it (no listen(),
 * no init(): the bridge calls init() once) and hand the Promise to bridge().
 */
export async function nestApp(platform: Platform) {
  if (platform === 'express') {
    const app = await NestFactory.create<NestExpressApplication>(AppModule, new ExpressAdapter(), { logger: false })
    app.useBodyParser('raw', { type: 'application/octet-stream' })
    return app
  }
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), { logger: false })
  app.useBodyParser('application/octet-stream')
  return app
}
