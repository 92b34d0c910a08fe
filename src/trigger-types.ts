/**
 * The events of Tencent SCF's non-HTTP triggers, from Tencent's docs and real captures
 * (test/fixtures/real-events/). Every shape stays open: the platform adds fields over time.
 */

/** A timer trigger's event. */
export interface ScfTimerEvent {
  Type: 'Timer'
  /** The trigger's name, e.g. `EveryDay`. */
  TriggerName: string
  /** When the trigger fired, UTC without milliseconds: `2021-08-25T15:55:10Z`. */
  Time: string
  /**
   * The trigger's custom argument, verbatim: plain text, JSON text to parse yourself, or `""` when the
   * trigger has none.
   */
  Message: string
  [field: string]: unknown
}

/** One COS notification: what happened to which object. */
export interface ScfCosRecord {
  cos: {
    cosSchemaVersion?: string
    cosObject: {
      /** `/<appid>/<bucket>/<object key>`: the object key is what follows the second slash after the appid. */
      key: string
      /** Object metadata: `Content-Type` (the uploader's, may be `""`), `x-cos-request-id`, `x-cos-meta-*`. */
      meta: Record<string, string>
      /** Size in bytes. */
      size: number
      /** The object's URL (may be elided or use a legacy host). */
      url: string
      /** Version id, `""` without versioning. */
      vid: string
      [field: string]: unknown
    }
    cosBucket: {
      appid: string
      /** The bucket name without `-<appid>`. */
      name: string
      /** Short region name, e.g. `gz`, `bj`. */
      region: string
      [field: string]: unknown
    }
    cosNotificationId: string
    [field: string]: unknown
  }
  event: {
    /** e.g. `cos:ObjectCreated:Put`, `cos:ObjectCreated:*` (seen in a real event), `cos:ObjectRemove:Delete`. */
    eventName: string
    eventVersion?: string
    /** Unix time in seconds. */
    eventTime: number
    eventSource: string
    eventQueue?: string
    requestParameters?: {
      requestSourceIP?: string
      requestHeaders?: Record<string, string>
      [field: string]: unknown
    }
    reservedInfo?: string
    reqid?: number
    [field: string]: unknown
  }
  [field: string]: unknown
}

/** A COS trigger's event: one or more notifications. */
export interface ScfCosEvent {
  Records: ScfCosRecord[]
  [field: string]: unknown
}

/** One CKafka message. */
export interface ScfCkafkaMessage {
  topic: string
  /** A number in most events; `""` in Tencent's CLI template, and spelled `Partition` in a doc example. */
  partition?: number | string
  Partition?: number | string
  offset: number
  /** The message key as text (a missing key has been seen as the text `"None"`). */
  msgKey: string
  /** The message body as text. */
  msgBody: string
  [field: string]: unknown
}

/** A CKafka trigger's event: a batch of messages. */
export interface ScfCkafkaEvent {
  Records: Array<{ Ckafka: ScfCkafkaMessage; [field: string]: unknown }>
  [field: string]: unknown
}

/** One CMQ topic message. */
export interface ScfCmqMessage {
  /** `topic`. */
  type: string
  /** The topic owner's account id: a number in real events. */
  topicOwner: number | string
  topicName: string
  subscriptionName: string
  /** ISO 8601, with or without milliseconds. */
  publishTime: string
  msgId: string
  requestId: string
  msgBody: string
  /** Comma-separated tags, e.g. `tag1,tag2` (spaces after the commas have been seen). */
  msgTag?: string
  [field: string]: unknown
}

/** A CMQ topic trigger's event. */
export interface ScfCmqEvent {
  Records: Array<{ CMQ: ScfCmqMessage; [field: string]: unknown }>
  [field: string]: unknown
}

/** A CLS (log service) trigger's event: the log records as base64 of gzipped JSON (see `decodeClsLogs`). */
export interface ScfClsEvent {
  clslogs: { data: string; [field: string]: unknown }
  [field: string]: unknown
}

/** A CLS event's records, decoded. */
export interface ScfClsLogs {
  topic_id: string
  topic_name: string
  records: Array<{
    /** Microseconds since the epoch, as text. */
    timestamp: string
    /** The log line. */
    content: string
    [field: string]: unknown
  }>
  [field: string]: unknown
}

/** Each trigger kind's event; `other` is any other non-HTTP event, e.g. a direct invocation's JSON. */
export interface ScfTriggerEvents {
  timer: ScfTimerEvent
  cos: ScfCosEvent
  ckafka: ScfCkafkaEvent
  cmq: ScfCmqEvent
  cls: ScfClsEvent
  other: unknown
}

/** A trigger kind the `events` option can serve. */
export type TriggerKind = keyof ScfTriggerEvents

/** Any non-HTTP trigger's event. */
export type ScfTriggerEvent = ScfTimerEvent | ScfCosEvent | ScfCkafkaEvent | ScfCmqEvent | ScfClsEvent
