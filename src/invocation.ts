import type { ServerResponse } from 'node:http'
import { type CurrentInvoke, type InvocationScope, invokeStorage, type ServedInvoke } from './current-invoke'
import { debugLine, type LogContext, logLine } from './log'
import type { Settings } from './options'
import { plainResponse } from './plain-reply'
import type { InjectionRequest } from './request-from-event'
import { type InjectedReply, responseToIntegrated } from './response-to-integrated'
import {
  addedHeaderBytes,
  checkIntegratedResponse,
  isSendableStatus,
  MAX_BODY_BYTES,
  MAX_RESPONSE_BYTES,
} from './scf-contract'
import type { IntegratedResponse, ScfContext } from './types'
import { errorSummary } from './values'

/** What the bridge needs to settle an invocation, from `bridge()`'s settings. */
export type InvocationSettings = Pick<Settings, 'decideBinary' | 'onError'>

/**
 * How an invocation settled: the response to return, and, when it is not the app's own successful reply,
 * why (`failure`: the app's error, or the bridge's reason for answering itself).
 */
export interface Outcome {
  response: IntegratedResponse
  failure?: unknown
}

const kInvocation = Symbol('scf-bridge.invocation')
type Carrier = { [kInvocation]?: Invocation }

/**
 * One request served to the app, and the only way its outcome is reported. Every kind of app reaches it the
 * same way: adapters through the request they serve (`Invocation.of(req)`, the Node request or the fetch
 * `Request`), code with no request at hand (a stray rejection) through the AsyncLocalStorage scope the bridge
 * runs the app in (`Invocation.current()`). It settles exactly once: the app's reply, the app's failure, a
 * reply that broke off, or the deadline; whatever comes later changes nothing.
 *
 * Its behaviour lives in methods, never in closures stored on the request, its socket or the response:
 * such stores kept every request alive through young-generation GCs (test/robustness/per-request-closures.test.ts).
 */
export class Invocation implements InvocationScope {
  readonly outcome: Promise<Outcome>
  /** The engine and the fetch reader stop collecting a body past it (no reply that large fits SCF). */
  readonly maxBodyBytes = MAX_BODY_BYTES
  /** The Node response being written, once a Node app has it: a failure after it ended leaves the reply alone. */
  response: ServerResponse | undefined
  private resolve!: (outcome: Outcome | Promise<Outcome>) => void
  /** No later report of the app changes the outcome (which may still wait for onError). */
  private settled = false
  /** The outcome is final. */
  private resolved = false
  private timer: NodeJS.Timeout | undefined
  /** An error the app (or its framework) answers itself: reported with that reply, which stands (see `judge`). */
  private answeredError: { error: unknown; judge?: ReplyJudge } | undefined

  constructor(
    readonly invoke: ServedInvoke,
    readonly request: InjectionRequest,
    readonly log: LogContext,
    private readonly settings: InvocationSettings,
  ) {
    this.outcome = new Promise<Outcome>((resolve) => {
      this.resolve = resolve
    })
  }

  /** The invocation a request (Node or fetch) belongs to, if the bridge made it. */
  static of(carrier: object | null | undefined): Invocation | undefined {
    return (carrier as Carrier | null | undefined)?.[kInvocation]
  }

  /** The invocation the caller runs in (AsyncLocalStorage), for failures that come with no request. */
  static current(): InvocationScope | undefined {
    return invokeStorage.getStore()
  }

  /** Makes this invocation reachable from `carrier` (the request handed to the app). */
  attachTo(carrier: object): void {
    ;(carrier as Carrier)[kInvocation] = this
  }

  /** Runs `serve` in this invocation's scope: `getCurrentInvoke()` and stray rejections find it. */
  run(serve: () => void): Promise<Outcome> {
    invokeStorage.run(this, serve)
    return this.outcome
  }

  /** Answers 504 if nothing settled `budgetMs` from now; undefined means no deadline is known. */
  armDeadline(budgetMs: number | undefined): void {
    if (budgetMs === undefined) return
    if (budgetMs <= 0) {
      this.timer = setTimeout(onDeadline, 0, this, budgetMs)
      return
    }
    // Armed one turn later for the same instant: most invocations are answered within their first turn,
    // and an Immediate is cheaper than a Timeout armed and cleared at once.
    setImmediate(armLater, this, budgetMs, Date.now())
  }

  /** The app's complete reply. */
  reply(reply: InjectedReply): void {
    if (this.settled) return
    let integrated: Outcome
    try {
      integrated = this.integrate(reply)
    } catch (error) {
      // The user's binaryTypes predicate threw: called from the engine's nextTick, it must fail this
      // invocation, never escape as an uncaught exception that leaves it unsettled.
      this.settle(this.failureOutcome(error, () => plainResponse(500), 'the reply could not be converted for SCF'))
      return
    }
    const answered = this.answeredError
    const verdict = answered ? judged(answered.judge, reply) : 'own'
    if (!answered || verdict === 'own') {
      this.settle(integrated)
      return
    }
    const fallback =
      verdict === 'replaced' ? () => plainResponse(errorStatus(answered.error) ?? 500) : () => integrated.response
    this.settle(this.failureOutcome(answered.error, fallback, 'the app failed'))
  }

  /**
   * The app failed this request. `answered`: the app or its framework sends its own error reply, which
   * follows through `reply()` and stands unless `onError` returns another. Without it, the bridge answers:
   * with the error's own 4xx/5xx status (`status` or `statusCode`), else 500. `judge` (with `answered`) reads
   * the framework's reply once it comes, for adapters that learn only from it which handler answered.
   */
  fail(error: unknown, options?: { answered?: boolean; judge?: ReplyJudge }): void {
    if (this.settled) {
      debugLine(this.log, 'the app failed after the request was answered', error)
      return
    }
    if (options?.answered) {
      this.answeredError ??= { error, judge: options.judge }
      return
    }
    if (this.response?.writableEnded) {
      // A real server has sent that reply: it stands, the failure is only logged.
      logLine(this.log, 'the app failed after its reply was complete', { error: errorSummary(error) }, error)
      return
    }
    this.settle(this.failureOutcome(error, () => plainResponse(errorStatus(error) ?? 500), 'the app failed'))
  }

  /** No usable reply: the app ended the connection, or its reply broke off. */
  broken(error: unknown): void {
    if (this.settled) return
    this.settle(this.failureOutcome(error, () => plainResponse(502), 'the app ended the request without a reply'))
  }

  private settle(outcome: Outcome | Promise<Outcome>): void {
    if (this.settled) return
    this.settled = true
    if (outcome instanceof Promise) {
      // The deadline stays armed while onError runs: one that never settles is answered 504, not SCF's timeout.
      outcome.then(
        (settled) => this.finish(settled),
        (error: unknown) => this.finish({ response: plainResponse(500), failure: error }),
      )
    } else this.finish(outcome)
  }

  private finish(outcome: Outcome): void {
    if (this.resolved) return
    this.resolved = true
    if (this.timer) clearTimeout(this.timer)
    this.resolve(outcome)
  }

  /** The reply as SCF's integrated response, or the bridge's own answer (and why) when SCF could not send it. */
  private integrate(reply: InjectedReply): Outcome {
    if (!isSendableStatus(reply.statusCode)) {
      const reason = `the app answered status ${reply.statusCode}, which SCF cannot send: answered 500 instead`
      logLine(this.log, reason, { status: reply.statusCode })
      return { response: plainResponse(500), failure: new Error(reason) }
    }
    const reserve = addedHeaderBytes(this.log.requestId)
    const response = responseToIntegrated(reply, this.request.method, this.settings.decideBinary, reserve)
    if (!('tooLarge' in response)) return { response }
    const { tooLarge: size, cutOff } = response
    logLine(this.log, 'response too large for SCF', { bytes: size, limit: MAX_RESPONSE_BYTES, cutOff })
    const reason = `the response is ${cutOff ? 'at least ' : ''}${size} bytes once serialised, SCF allows ${MAX_RESPONSE_BYTES}`
    return {
      response: plainResponse(502, 'Bad Gateway: the response is larger than the 6 MB SCF allows'),
      failure: new Error(reason),
    }
  }

  /** Hands an app failure to `onError` (whose response wins) or logs it; `fallback` is the response otherwise. */
  private async failureOutcome(error: unknown, fallback: () => IntegratedResponse, message: string): Promise<Outcome> {
    const { onError } = this.settings
    if (onError) {
      try {
        // onError's public type names the HTTP event; a delivered job's failure carries its trigger's event.
        const custom = await onError(error, this.invoke as CurrentInvoke)
        if (custom === undefined || custom === null) return { response: fallback(), failure: error }
        const checked = checkIntegratedResponse(custom, addedHeaderBytes(this.log.requestId))
        if (typeof checked !== 'string') return { response: checked, failure: error }
        logLine(this.log, 'onError returned an unusable response', { problem: checked })
      } catch (onErrorFailure) {
        logLine(this.log, 'onError threw', { error: errorSummary(onErrorFailure) }, onErrorFailure)
      }
    }
    const response = fallback()
    logLine(this.log, message, { status: response.statusCode, error: errorSummary(error) }, error)
    return { response, failure: error }
  }

  /** Called by the deadline timer. */
  timedOut(budgetMs: number): void {
    if (this.resolved) return
    if (this.settled) {
      // The app failed and onError is still running: the deadline's answer wins.
      logLine(this.log, 'onError did not answer in time: answered 504', { budgetMs })
      this.finish({ response: plainResponse(504), failure: new Error(`onError did not answer within ${budgetMs} ms`) })
      return
    }
    logLine(this.log, 'the app did not answer in time', { budgetMs })
    this.settle({ response: plainResponse(504), failure: new Error(`the app did not answer within ${budgetMs} ms`) })
  }

  /** @internal for the deadline's first turn. */
  armTimer(delayMs: number, budgetMs: number): void {
    if (!this.resolved) this.timer = setTimeout(onDeadline, delayMs, this, budgetMs)
  }
}

/**
 * What a framework's reply to a reported error was: 'stands' (its default handler answered; the reply stands
 * and the error is reported), 'replaced' (its default reply would show the error: the bridge answers plain,
 * with the error's own status or 500, and reports it), 'own' (an error handler of the app's own answered:
 * the reply stands, and the error is not the bridge's to report).
 */
export type ReplyJudge = (reply: InjectedReply) => 'stands' | 'replaced' | 'own'

/** A judge that throws leaves the reply standing and the error reported, as without a judge. */
function judged(judge: ReplyJudge | undefined, reply: InjectedReply): ReturnType<ReplyJudge> {
  try {
    return judge ? judge(reply) : 'stands'
  } catch {
    return 'stands'
  }
}

function onDeadline(invocation: Invocation, budgetMs: number): void {
  invocation.timedOut(budgetMs)
}

function armLater(invocation: Invocation, budgetMs: number, armedAt: number): void {
  invocation.armTimer(Math.max(0, budgetMs - (Date.now() - armedAt)), budgetMs)
}

/** @internal what else takes an app's failure reports through `Invocation.of()`: the Web function runner's exchange. */
export interface FailureSink {
  fail(error: unknown, options?: { answered?: boolean }): void
}

/** @internal makes `sink` what `Invocation.of(carrier)` finds, for requests served outside an invocation (src/web/). */
export function attachFailureSink(carrier: object, sink: FailureSink): void {
  ;(carrier as Record<symbol, unknown>)[kInvocation] = sink
}

/**
 * The status an error object asks for, as Express's, Koa's and Fastify's error handlers read it: `status`,
 * else `statusCode`, when it is an integer from 400 to 599; undefined otherwise.
 */
export function errorStatus(error: unknown): number | undefined {
  if (error === null || typeof error !== 'object') return undefined
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown }
  for (const value of [status, statusCode]) {
    if (typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 599) return value
  }
  return undefined
}

/** True for errors that are the server's fault (no usable status, or 5xx), false for client errors (4xx). */
export function isServerError(error: unknown): boolean {
  const status = errorStatus(error)
  return status === undefined || status >= 500
}

/** Milliseconds the app may take, or undefined when the context does not tell the deadline. */
export function timeBudget(context: ScfContext, started: number, margin: number): number | undefined {
  let remaining: number | undefined
  if (typeof context.getRemainingTimeInMillis === 'function') {
    try {
      remaining = context.getRemainingTimeInMillis()
    } catch {
      remaining = undefined
    }
  }
  if (!(typeof remaining === 'number' && Number.isFinite(remaining)) && typeof context.time_limit_in_ms === 'number') {
    remaining = context.time_limit_in_ms - (Date.now() - started)
  }
  return typeof remaining === 'number' && Number.isFinite(remaining) ? remaining - margin : undefined
}
