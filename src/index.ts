export type { BinaryTypes } from './binary'
export { bridge } from './bridge'
export type { CurrentInvoke } from './current-invoke'
export { getCurrentInvoke } from './current-invoke'
export { AppStartError, EventError, TriggerError } from './errors'
export type { BridgeOptions, TriggerFunction, TriggerRoutes } from './options'
export type {
  ScfCkafkaEvent,
  ScfCkafkaMessage,
  ScfClsEvent,
  ScfClsLogs,
  ScfCmqEvent,
  ScfCmqMessage,
  ScfCosEvent,
  ScfCosRecord,
  ScfTimerEvent,
  ScfTriggerEvent,
  ScfTriggerEvents,
  TriggerKind,
} from './trigger-types'
export { decodeClsLogs } from './triggers'
export type {
  IntegratedResponse,
  ScfApigwEvent,
  ScfContext,
  ScfEventHandler,
  ScfFunctionUrlEvent,
  ScfHandler,
  ScfHttpEvent,
  ScfQueryValue,
  ScfRequestContext,
} from './types'
