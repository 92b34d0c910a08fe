export { bridge } from './bridge'
export type { BridgeOptions } from './bridge'
export { getCurrentInvoke } from './current-invoke'
export type { CurrentInvoke } from './current-invoke'
export type { BinaryTypes } from './binary'
export { decodeClsLogs, TriggerError } from './triggers'
export type {
  ScfClsEvent,
  ScfClsLogs,
  ScfCkafkaEvent,
  ScfCkafkaMessage,
  ScfCmqEvent,
  ScfCmqMessage,
  ScfCosEvent,
  ScfCosRecord,
  ScfTimerEvent,
  ScfTriggerEvent,
  ScfTriggerEvents,
  TriggerFunction,
  TriggerKind,
  TriggerRoutes,
} from './triggers'
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
