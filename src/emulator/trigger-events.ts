import { randomBytes, randomInt } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import type { ScfCkafkaEvent, ScfClsEvent, ScfClsLogs, ScfCmqEvent, ScfCosEvent, ScfTimerEvent } from '../trigger-types'

/*
 * Trigger events as SCF delivers them, with defaults taken from real events (test/fixtures/real-events/):
 * for `scf-bridge/testing` and `scf-bridge invoke --event <kind>`.
 */

/** Options of `createTimerEvent`. */
export interface TimerEventOptions {
  /** The trigger's name. Default `timer`. */
  triggerName?: string
  /** When it fired. Default now (sent as UTC without milliseconds, as SCF does). */
  time?: Date | string
  /** The trigger's custom argument: text, or an object sent as its JSON text. Default `""` (none set). */
  message?: string | Record<string, unknown> | unknown[]
}

/**
 * Builds a timer trigger's event.
 * @example createTimerEvent({ triggerName: 'nightly', message: { job: 'purge' } })
 */
export function createTimerEvent(options: TimerEventOptions = {}): ScfTimerEvent {
  const message = options.message ?? ''
  return {
    Type: 'Timer',
    TriggerName: options.triggerName ?? 'timer',
    Time: utcSeconds(options.time),
    Message: typeof message === 'string' ? message : JSON.stringify(message),
  }
}

/** Options of `createCosEvent`. */
export interface CosEventOptions {
  /** The object key, without a leading slash. Default `uploads/photo.png`. */
  key?: string
  /** The bucket's name without `-<appid>`. Default `examplebucket`. */
  bucket?: string
  /** Default `1250000000`. */
  appId?: string
  /** The bucket's region as COS events name it, short (`gz`, `bj`, `sh`, ...) or long (`ap-guangzhou`). Default `gz`. */
  region?: string
  /** Size in bytes. Default 1029. */
  size?: number
  /** The object's `Content-Type` metadata. Default from the key's extension, else `""`. */
  contentType?: string
  /** Default `cos:ObjectCreated:Put`; e.g. `cos:ObjectRemove:Delete`. */
  eventName?: string
  /** Default now. */
  time?: Date
  /** The uploader's address. Default `127.0.0.1`. */
  sourceIp?: string
}

/**
 * Builds a COS trigger's event for one object.
 * @example createCosEvent({ key: 'avatars/42.jpg', size: 52_000 })
 */
export function createCosEvent(options: CosEventOptions = {}): ScfCosEvent {
  const key = (options.key ?? 'uploads/photo.png').replace(/^\/+/, '')
  const bucket = options.bucket ?? 'examplebucket'
  const appId = options.appId ?? '1250000000'
  const region = options.region ?? 'gz'
  const short = SHORT_REGIONS[region] ?? region
  const long = LONG_REGIONS[short] ?? region
  const time = options.time ?? new Date()
  return {
    Records: [
      {
        cos: {
          cosSchemaVersion: '1.0',
          cosObject: {
            url: `http://${bucket}-${appId}.cos.${long}.myqcloud.com/${key.split('/').map(encodeURIComponent).join('/')}`,
            meta: {
              'x-cos-request-id': randomBytes(28).toString('base64'),
              'Content-Type': options.contentType ?? contentTypeOf(key),
            },
            vid: '',
            key: `/${appId}/${bucket}/${key}`,
            size: options.size ?? 1029,
          },
          cosBucket: { region: short, name: bucket, appid: appId },
          cosNotificationId: 'unkown', // sic: what COS sends
        },
        event: {
          eventName: options.eventName ?? 'cos:ObjectCreated:Put',
          eventVersion: '1.0',
          eventTime: Math.floor(time.getTime() / 1000),
          eventSource: 'qcs::cos',
          requestParameters: {
            requestSourceIP: options.sourceIp ?? '127.0.0.1',
            requestHeaders: { Authorization: '' },
          },
          eventQueue: `qcs:0:scf:${long}:appid/${appId}:default.local-function.$DEFAULT`,
          reservedInfo: '',
          reqid: randomInt(1, 2 ** 31 - 1),
        },
      },
    ],
  }
}

/** A message of `createCkafkaEvent` / `createCmqEvent`: its body (an object is sent as JSON text), or body and key. */
export type QueueMessageInput = string | { body: unknown; key?: string }

/** Options of `createCkafkaEvent`. */
export interface CkafkaEventOptions {
  /** Default `demo-topic`. */
  topic?: string
  /** Default 0. */
  partition?: number
  /** The first message's offset; the others follow. Default 0. */
  offset?: number
  /** The batch. Default one message, `Hello from CKafka`. */
  messages?: readonly QueueMessageInput[]
}

/**
 * Builds a CKafka trigger's event: one record per message.
 * @example createCkafkaEvent({ topic: 'orders', messages: [{ key: 'order-1', body: { id: 1 } }] })
 */
export function createCkafkaEvent(options: CkafkaEventOptions = {}): ScfCkafkaEvent {
  const messages = options.messages ?? ['Hello from CKafka']
  const first = options.offset ?? 0
  return {
    Records: messages.map((message, index) => ({
      Ckafka: {
        topic: options.topic ?? 'demo-topic',
        partition: options.partition ?? 0,
        offset: first + index,
        msgKey: keyOf(message),
        msgBody: bodyOf(message),
      },
    })),
  }
}

/** Options of `createCmqEvent`. */
export interface CmqEventOptions {
  /** Default `demo-topic`. */
  topicName?: string
  /** Default `demo-subscription`. */
  subscriptionName?: string
  /** The topic owner's account id (a number, as in real events). Default 1250000000. */
  topicOwner?: number
  /** Sent comma-separated in `msgTag`. Default none. */
  tags?: readonly string[]
  /** Default now. */
  publishTime?: Date
  /** The batch. Default one message, `Hello from CMQ`. */
  messages?: readonly QueueMessageInput[]
}

/**
 * Builds a CMQ topic trigger's event: one record per message.
 * @example createCmqEvent({ topicName: 'orders', messages: [{ body: { id: 1 } }], tags: ['new'] })
 */
export function createCmqEvent(options: CmqEventOptions = {}): ScfCmqEvent {
  const messages = options.messages ?? ['Hello from CMQ']
  return {
    Records: messages.map((message) => ({
      CMQ: {
        type: 'topic',
        topicOwner: options.topicOwner ?? 1250000000,
        topicName: options.topicName ?? 'demo-topic',
        subscriptionName: options.subscriptionName ?? 'demo-subscription',
        publishTime: utcSeconds(options.publishTime),
        msgId: numericId(),
        requestId: numericId(),
        msgBody: bodyOf(message),
        msgTag: (options.tags ?? []).join(','),
      },
    })),
  }
}

/** Options of `createClsEvent`. */
export interface ClsEventOptions {
  /** Default `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`-shaped, random. */
  topicId?: string
  /** Default `demo-topic`. */
  topicName?: string
  /** Log lines, or records with their own timestamp (microseconds, as text). Default one line. */
  records?: ReadonlyArray<string | { timestamp?: string; content: string }>
}

/**
 * Builds a CLS trigger's event: the records gzipped and base64-encoded in `clslogs.data`, as CLS sends them.
 * @example createClsEvent({ records: ['GET /health 200', 'POST /login 302'] })
 */
export function createClsEvent(options: ClsEventOptions = {}): ScfClsEvent {
  const now = `${Date.now()}000`
  const logs: ScfClsLogs = {
    topic_id: options.topicId ?? randomUuid(),
    topic_name: options.topicName ?? 'demo-topic',
    records: (options.records ?? ['Hello from CLS']).map((record) =>
      typeof record === 'string'
        ? { timestamp: now, content: record }
        : { timestamp: record.timestamp ?? now, content: record.content },
    ),
  }
  return { clslogs: { data: gzipSync(JSON.stringify(logs)).toString('base64') } }
}

/** The kinds `createTriggerEvent` (and `scf-bridge invoke --event`) can build. */
export const TRIGGER_EVENT_KINDS = ['timer', 'cos', 'ckafka', 'cmq', 'cls'] as const

/** A trigger event of `kind` with every default. */
export function createTriggerEvent(
  kind: (typeof TRIGGER_EVENT_KINDS)[number],
): ScfTimerEvent | ScfCosEvent | ScfCkafkaEvent | ScfCmqEvent | ScfClsEvent {
  switch (kind) {
    case 'timer':
      return createTimerEvent()
    case 'cos':
      return createCosEvent()
    case 'ckafka':
      return createCkafkaEvent()
    case 'cmq':
      return createCmqEvent()
    case 'cls':
      return createClsEvent()
  }
}

// ---- helpers -------------------------------------------------------------------

function utcSeconds(time: Date | string | undefined): string {
  if (typeof time === 'string') return time
  return (time ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

const keyOf = (message: QueueMessageInput): string => (typeof message === 'string' ? '' : (message.key ?? ''))

function bodyOf(message: QueueMessageInput): string {
  const body = typeof message === 'string' ? message : message.body
  return typeof body === 'string' ? body : JSON.stringify(body)
}

const numericId = (): string => String(randomInt(1, 2 ** 47))

function randomUuid(): string {
  const hex = randomBytes(16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

const CONTENT_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  pdf: 'application/pdf',
  zip: 'application/zip',
  json: 'application/json',
  txt: 'text/plain',
  csv: 'text/csv',
  html: 'text/html',
  mp4: 'video/mp4',
}

function contentTypeOf(key: string): string {
  const dot = key.lastIndexOf('.')
  return dot === -1 ? '' : (CONTENT_TYPES[key.slice(dot + 1).toLowerCase()] ?? '')
}

// COS events name the bucket's region by its short COS v4 name (gz, bj: the real events) and the queue's long
// (ap-guangzhou). Regions newer than those short names go by their long name in both places.
const LONG_REGIONS: Record<string, string> = {
  gz: 'ap-guangzhou',
  sh: 'ap-shanghai',
  bj: 'ap-beijing',
  tj: 'ap-beijing-1',
  cd: 'ap-chengdu',
  hk: 'ap-hongkong',
  sgp: 'ap-singapore',
  ca: 'na-toronto',
  ger: 'eu-frankfurt',
}
const SHORT_REGIONS: Record<string, string> = Object.fromEntries(
  Object.entries(LONG_REGIONS).map(([short, long]) => [long, short]),
)
