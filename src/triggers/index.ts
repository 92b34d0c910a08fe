export { decodeClsLogs } from './cls'
export { deliverToPath, refuseTriggerPath, runTriggerFunction, triggerRouter, TriggerError } from './deliver'
export type { TriggerRoute, TriggerRouter } from './deliver'
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
} from './events'
export { describeKind, recogniseEvent } from './recognise'
