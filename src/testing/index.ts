/**
 * `scf-bridge/testing`: build SCF events and contexts and call a handler the way API Gateway does, for
 * unit tests of `main_handler` (any SCF handler, made with `bridge()` or not).
 */
export type {
  CkafkaEventOptions,
  ClsEventOptions,
  CmqEventOptions,
  CosEventOptions,
  InvokeEventResult,
  QueueMessageInput,
  ScfContextOptions,
  TimerEventOptions,
  Trigger,
} from '../emulator'
export {
  createCkafkaEvent,
  createClsEvent,
  createCmqEvent,
  createCosEvent,
  createScfContext,
  createTimerEvent,
} from '../emulator'
export type {
  ScfCkafkaEvent,
  ScfClsEvent,
  ScfCmqEvent,
  ScfCosEvent,
  ScfTimerEvent,
  ScfTriggerEvent,
} from '../trigger-types'
export type { ScfApigwEvent, ScfContext, ScfFunctionUrlEvent, ScfHttpEvent, ScfQueryValue } from '../types'
export type { ApigwEventOptions } from './http-events'
export { createApigwEvent, createFunctionUrlEvent } from './http-events'
export type { InvokeEventOptions, InvokeOptions, InvokeResponse } from './invoke'
export { invoke, invokeEvent } from './invoke'
export { InvokeResponseHeaders as ResponseHeaders } from './invoke-response-headers'
export type {
  FetchRequestLike,
  RequestBodyInput,
  RequestDescription,
  RequestHeadersInput,
} from './request-description'
