export type { BinaryTypes } from './binary'
export type { BridgeOptions } from './bridge'
export { bridge } from './bridge'
export type { CurrentInvoke } from './current-invoke'
export { getCurrentInvoke } from './current-invoke'
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
  TriggerFunction,
  TriggerKind,
  TriggerRoutes,
} from './triggers'
export { decodeClsLogs, TriggerError } from './triggers'
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
