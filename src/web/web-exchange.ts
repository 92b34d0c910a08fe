import type { ServerResponse } from 'node:http'
import type { CurrentInvoke, InvocationScope } from '../current-invoke'
import { errorStatus, type FailureSink } from '../invocation'
import { type LogContext, logLine } from '../log'
import { plainResponse } from '../plain-reply'
import { checkIntegratedResponse } from '../scf-contract'
import { errorSummary } from '../values'
import type { WebSettings } from './web-settings'

/**
 * One request served by the Web function runner, and where the app's failures are reported (the adapters'
 * `Invocation.of(req)`, the AsyncLocalStorage scope for stray rejections). A real server has sent whatever
 * the app wrote, so a failure is answered only while nothing has gone out: the plain 500 (the error's own
 * status when it has one), or what `onError` returns. Later failures are logged, and one in the middle of a
 * reply breaks the connection off, as under `app.listen()`. Every line carries the request id.
 */
export class WebExchange implements FailureSink, InvocationScope {
  private failed = false

  constructor(
    readonly invoke: CurrentInvoke,
    readonly log: LogContext,
    private readonly res: ServerResponse,
    private readonly settings: Pick<WebSettings, 'onError'>,
  ) {}

  fail(error: unknown, options?: { answered?: boolean }): void {
    if (this.failed) return
    this.failed = true
    const { res } = this
    if (options?.answered) {
      // The framework answers with its own error page: that reply stands; the error is reported.
      this.report(error, 'the app failed', errorStatus(error) ?? 500)
      return
    }
    if (res.writableEnded) {
      logLine(this.log, 'the app failed after its reply was complete', { error: errorSummary(error) }, error)
      return
    }
    if (res.headersSent) {
      logLine(
        this.log,
        'the app failed in the middle of its reply: connection closed',
        { error: errorSummary(error) },
        error,
      )
      res.destroy()
      return
    }
    this.answer(error).catch((failure: unknown) => {
      logLine(this.log, 'the failure could not be answered', { error: errorSummary(failure) })
      res.destroy()
    })
  }

  private report(error: unknown, message: string, status: number): void {
    const { onError } = this.settings
    if (!onError) {
      logLine(this.log, message, { status, error: errorSummary(error) }, error)
      return
    }
    Promise.resolve()
      .then(() => onError(error, this.invoke))
      .catch((failure: unknown) => logLine(this.log, 'onError threw', { error: errorSummary(failure) }, failure))
  }

  private async answer(error: unknown): Promise<void> {
    const { res, settings } = this
    const status = errorStatus(error) ?? 500
    let custom: unknown
    if (settings.onError) {
      try {
        custom = await settings.onError(error, this.invoke)
      } catch (failure) {
        logLine(this.log, 'onError threw', { error: errorSummary(failure) }, failure)
      }
    }
    // The same check as in an event function: a header that could split the reply never reaches setHeader.
    const checked = custom === undefined || custom === null ? undefined : checkIntegratedResponse(custom)
    if (typeof checked === 'string') logLine(this.log, 'onError returned an unusable response', { problem: checked })
    const integrated = typeof checked === 'string' ? undefined : checked
    if (!integrated) logLine(this.log, 'the app failed', { status, error: errorSummary(error) }, error)
    if (res.headersSent || res.destroyed) return
    for (const name of res.getHeaderNames()) if (name !== 'x-request-id') res.removeHeader(name)
    // The framework may still try to write its own reply to this response (hapi does): the connection is
    // not reused, so such a write can never reach the next request on it.
    res.setHeader('connection', 'close')
    const reply = integrated ?? plainResponse(status)
    res.statusCode = reply.statusCode
    for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value)
    const body = Buffer.from(reply.body ?? '', reply.isBase64Encoded ? 'base64' : 'utf8')
    res.setHeader('content-length', body.length)
    res.end(body)
  }
}
