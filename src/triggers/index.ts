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
} from '../trigger-types'
export { decodeClsLogs } from './cls'
export type { TriggerRoute, TriggerRouter } from './deliver'
export { deliverToPath, refuseTriggerPath, runTriggerFunction, TriggerError, triggerRouter } from './deliver'
