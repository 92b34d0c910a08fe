export { callHandler } from './call-handler'
export type { AnyScfHandler, HandlerOutcome } from './call-handler'
export { emulate } from './emulate'
export type { Emulation } from './emulate'
export { DEFAULT_STAGE, eventFromHttp, stripStage } from './event-from-http'
export type { GatewayOptions, HttpRequestParts, Trigger } from './event-from-http'
export { gatewayError, gatewayReply } from './gateway-reply'
export type { GatewayReply } from './gateway-reply'
export { parseQueryString } from './query-string'
export { createScfContext } from './scf-context'
export type { ScfContextOptions } from './scf-context'
export {
  createCkafkaEvent,
  createClsEvent,
  createCmqEvent,
  createCosEvent,
  createTimerEvent,
  createTriggerEvent,
  TRIGGER_EVENT_KINDS,
} from './trigger-events'
export type { CkafkaEventOptions, ClsEventOptions, CmqEventOptions, CosEventOptions, QueueMessageInput, TimerEventOptions } from './trigger-events'
