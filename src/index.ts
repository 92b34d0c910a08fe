export { bridge } from './bridge'
export type { BridgeOptions } from './bridge'
export { getCurrentInvoke } from './current-invoke'
export type { CurrentInvoke } from './current-invoke'
export type { BinaryTypes } from './binary'
export type {
  IntegratedResponse,
  ScfApigwEvent,
  ScfContext,
  ScfFunctionUrlEvent,
  ScfHandler,
  ScfHttpEvent,
  ScfQueryValue,
  ScfRequestContext,
} from './types'
