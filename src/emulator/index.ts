export type { AnyScfHandler, HandlerOutcome } from './call-handler'
export { callHandler } from './call-handler'
export type { Emulation } from './emulate'
export { emulate } from './emulate'
export type { GatewayOptions, HttpRequestParts, Trigger } from './event-from-http'
export { DEFAULT_STAGE, eventFromHttp, stripStage } from './event-from-http'
export type { GatewayReply } from './gateway-reply'
export { gatewayError, gatewayReply } from './gateway-reply'
export type { InvokeEventResult } from './invoke-event'
export { invokeWithEvent } from './invoke-event'
export { parseQueryString } from './query-string'
export type { ScfContextOptions } from './scf-context'
export { createScfContext } from './scf-context'
export type {
  CkafkaEventOptions,
  ClsEventOptions,
  CmqEventOptions,
  CosEventOptions,
  QueueMessageInput,
  TimerEventOptions,
} from './trigger-events'
export {
  createCkafkaEvent,
  createClsEvent,
  createCmqEvent,
  createCosEvent,
  createTimerEvent,
  createTriggerEvent,
  TRIGGER_EVENT_KINDS,
} from './trigger-events'
