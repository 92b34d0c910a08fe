import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { bridge, decodeClsLogs } from '../src'
import { parseArgs, UsageError } from '../src/cli/args'
import { recogniseEvent } from '../src/event-kind'
import {
  createCkafkaEvent,
  createClsEvent,
  createCmqEvent,
  createCosEvent,
  createTimerEvent,
  invoke,
  invokeEvent,
} from '../src/testing'
import { CLI } from './fixtures/cli/start-cli'
import { triggerApps } from './fixtures/trigger-apps'

const real = (file: string) => JSON.parse(readFileSync(join(__dirname, 'fixtures/real-events', file), 'utf8')).event

/** The keys of an object, recursively (arrays by their first item): what "the same shape" means here. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return [shapeOf(value[0])]
  if (value === null || typeof value !== 'object') return typeof value
  const shape: Record<string, unknown> = {}
  for (const key of Object.keys(value).sort()) shape[key] = shapeOf((value as Record<string, unknown>)[key])
  return shape
}
const keysOf = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(shapeOf(value), (_, v) => (typeof v === 'string' ? 'x' : v)))

let errorLog: ReturnType<typeof vi.spyOn>
beforeEach(() => {
  errorLog = vi.spyOn(console, 'error').mockImplementation(() => {})
})
afterEach(() => errorLog.mockRestore())

describe('trigger event builders', () => {
  it.each([
    ['createTimerEvent', createTimerEvent(), 'timer-scf-go-lib-oneminute-2019.json', 'timer'],
    ['createCosEvent', createCosEvent(), 'cos-scf-go-lib-created-multipart-meta-2019.json', 'cos'],
    ['createCkafkaEvent', createCkafkaEvent(), 'ckafka-scfcli-template.json', 'ckafka'],
    ['createCmqEvent', createCmqEvent(), 'cmq-scf-go-lib-topic-2019.json', 'cmq'],
  ])('%s has the shape of a real event, value types included', (_, event, file, kind) => {
    const expected = shapeOf(real(file)) as any
    // The template's partition is "" where the other CKafka events carry a number.
    if (kind === 'ckafka') expected.Records[0].Ckafka.partition = 'number'
    expect(shapeOf(event)).toEqual(expected)
    expect(recogniseEvent(event)).toBe(kind)
  })

  it('createClsEvent has the documented shape and decodes to the records', async () => {
    const event = createClsEvent({
      topicName: 'access',
      records: ['GET / 200', { timestamp: '1605578090000000', content: 'POST /login 302' }],
    })
    expect(keysOf(event)).toEqual({ clslogs: { data: 'x' } })
    expect(recogniseEvent(event)).toBe('cls')
    const logs = await decodeClsLogs(event)
    expect(logs.topic_name).toBe('access')
    expect(logs.topic_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    expect(logs.records).toEqual([
      { timestamp: expect.stringMatching(/^\d{16}$/), content: 'GET / 200' },
      { timestamp: '1605578090000000', content: 'POST /login 302' },
    ])
  })

  it('timer: UTC without milliseconds, an object message as JSON text', () => {
    const event = createTimerEvent({
      triggerName: 'nightly',
      time: new Date('2026-03-01T02:00:00.123Z'),
      message: { job: 'purge' },
    })
    expect(event).toEqual({
      Type: 'Timer',
      TriggerName: 'nightly',
      Time: '2026-03-01T02:00:00Z',
      Message: '{"job":"purge"}',
    })
    expect(createTimerEvent().Time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect(createTimerEvent().Message).toBe('')
  })

  it('COS: the key as COS writes it, the content type from the extension, short and long regions', () => {
    const record = createCosEvent({
      key: 'avatars/42 a.jpg',
      bucket: 'media',
      appId: '1251234567',
      region: 'ap-beijing',
      size: 52_000,
    }).Records[0]
    expect(record.cos.cosObject).toMatchObject({
      key: '/1251234567/media/avatars/42 a.jpg',
      size: 52_000,
      url: 'http://media-1251234567.cos.ap-beijing.myqcloud.com/avatars/42%20a.jpg',
      meta: { 'Content-Type': 'image/jpeg' },
    })
    expect(record.cos.cosBucket).toEqual({ region: 'bj', name: 'media', appid: '1251234567' })
    expect(record.event.eventQueue).toMatch(/^qcs:0:scf:ap-beijing:appid\/1251234567:/)
    expect(record.event.eventName).toBe('cos:ObjectCreated:Put')
    expect(createCosEvent({ eventName: 'cos:ObjectRemove:Delete', key: 'README' }).Records[0]).toMatchObject({
      event: { eventName: 'cos:ObjectRemove:Delete' },
      cos: { cosObject: { meta: { 'Content-Type': '' } } },
    })
  })

  it('CKafka and CMQ: one record per message, bodies as text, offsets counting up, tags comma-separated', () => {
    const kafka = createCkafkaEvent({
      topic: 'orders',
      partition: 3,
      offset: 40,
      messages: ['a', { key: 'k', body: { id: 1 } }],
    })
    expect(kafka.Records.map((r) => r.Ckafka)).toEqual([
      { topic: 'orders', partition: 3, offset: 40, msgKey: '', msgBody: 'a' },
      { topic: 'orders', partition: 3, offset: 41, msgKey: 'k', msgBody: '{"id":1}' },
    ])
    const cmq = createCmqEvent({
      topicName: 'orders',
      tags: ['new', 'vip'],
      messages: ['x', 'y'],
      publishTime: new Date('2026-01-02T03:04:05.678Z'),
    })
    expect(cmq.Records).toHaveLength(2)
    expect(cmq.Records[0].CMQ).toMatchObject({
      type: 'topic',
      topicName: 'orders',
      msgTag: 'new,vip',
      msgBody: 'x',
      publishTime: '2026-01-02T03:04:05Z',
      topicOwner: 1250000000,
    })
    expect(cmq.Records[0].CMQ.msgId).toMatch(/^\d+$/)
    expect(cmq.Records[0].CMQ.msgId).not.toBe(cmq.Records[1].CMQ.msgId)
  })
})

describe('invoke() with a trigger event', () => {
  const app = triggerApps[0]().app
  const handler = bridge(app, {
    events: {
      timer: async (event) => ({ ran: event.TriggerName }),
      cos: '/jobs/cos',
      ckafka: async () => {
        throw new Error('broker down')
      },
      cmq: () => new Promise(() => {}),
      other: (event) => ({ echo: event }),
    },
  })

  it('returns the result', async () => {
    const r = await invoke(handler, createTimerEvent({ triggerName: 'nightly' }))
    expect(r).toMatchObject({ ok: true, result: { ran: 'nightly' }, error: undefined, timedOut: false })
    expect(r.context.request_id).toEqual(expect.any(String))
    expect(r.event).toMatchObject({ Type: 'Timer' })
  })

  it('returns what a path made of the event', async () => {
    const event = createCosEvent({ key: 'a.png' })
    const r = await invoke(handler, event)
    expect(r.ok).toBe(true)
    expect(r.result).toMatchObject({ path: '/jobs/cos', trigger: 'cos', body: event })
  })

  it('returns the error', async () => {
    const r = await invoke(handler, createCkafkaEvent())
    expect(r).toMatchObject({ ok: false, result: undefined, timedOut: false })
    expect(r.error).toBeInstanceOf(Error)
    expect((r.error as Error).message).toBe('broker down')
  })

  it("a timeout is an error, within the context's timeout", async () => {
    const r = await invoke(handler, createCmqEvent(), { context: { timeoutMs: 50 } })
    expect(r).toMatchObject({ ok: false, timedOut: true })
    expect((r.error as Error).message).toMatch(/did not finish within its 0.05 s timeout/)
  })

  it('invokeEvent sends any event as is (a direct invocation)', async () => {
    expect(await invokeEvent(handler, { orderId: 42 })).toMatchObject({ ok: true, result: { echo: { orderId: 42 } } })
    await expect(invokeEvent('nope' as never, {})).rejects.toThrow(TypeError)
  })

  it('a request description is still an HTTP request', async () => {
    const r = await invoke(handler, { path: '/hello' })
    expect(r.status).toBe(200)
    expect(await r.text()).toBe('reached')
  })
})

describe('scf-bridge invoke', () => {
  const app = 'test/fixtures/cli/trigger-app.js'
  const run = (...args: string[]) =>
    spawnSync(process.env.CLI_NODE || process.execPath, [CLI, 'invoke', ...args], { encoding: 'utf8', timeout: 15_000 })
  const dir = mkdtempSync(join(tmpdir(), 'scf-bridge-invoke-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('runs a timer event through a function: its log as it runs, the result as JSON, exit 0', () => {
    const result = run(app, '--event', 'timer')
    expect(result.status).toBe(0)
    const [log, json] = [
      result.stdout.slice(0, result.stdout.indexOf('{')),
      result.stdout.slice(result.stdout.indexOf('{')),
    ]
    expect(log).toBe('timer job ran for timer\n')
    expect(JSON.parse(json)).toEqual({ ran: 'timer', message: '', requestId: true })
    expect(result.stderr).toMatch(
      /^scf-bridge invoke: trigger-app\.main_handler from .*trigger-app\.js\n {2}a timer trigger event, request id [0-9a-f-]{36}, timeout 30 s\n/,
    )
    expect(result.stderr).toMatch(/succeeded in \d+ ms/)
  })

  it('runs a COS event through a path in the app', () => {
    const result = run(app, '--event=cos')
    expect(result.status).toBe(0)
    expect(result.stdout).toContain('cos route saw 1 record(s)')
    expect(JSON.parse(result.stdout.slice(result.stdout.indexOf('{')))).toEqual({
      keys: ['/1250000000/examplebucket/uploads/photo.png'],
      trigger: 'cos',
    })
  })

  it('an event file: any JSON, sent as is', () => {
    const file = join(dir, 'direct.json')
    writeFileSync(file, JSON.stringify({ orderId: 42, items: ['a'] }))
    const result = run(app, '--event-file', file)
    expect(result.status).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({ echo: { orderId: 42, items: ['a'] } })
  })

  it('a real event from a file', () => {
    const file = join(dir, 'timer.json')
    writeFileSync(file, JSON.stringify(real('timer-sls-multiscf-argument-2021.json')))
    const result = run(app, '--event-file', file)
    expect(result.status).toBe(0)
    expect(JSON.parse(result.stdout.slice(result.stdout.indexOf('{')))).toMatchObject({
      ran: 'timer1',
      message: 'argument',
    })
  })

  it('a failing invocation prints the error and exits 1', () => {
    const result = run(app, '--event', 'ckafka')
    expect(result.status).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(/failed in \d+ ms: Error: broker down/)
  })

  it('a timeout exits 1 and says so, although the app keeps a timer open', () => {
    const result = run(app, '--event', 'cmq', '--timeout', '1')
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(/timed out: the function did not finish within its 1 s timeout/)
  })

  it('a missing or broken event file is a clear error', () => {
    const broken = join(dir, 'broken.json')
    writeFileSync(broken, '{ nope')
    expect(run(app, '--event-file', join(dir, 'missing.json')).stderr).toMatch(
      /cannot read the event file .*missing\.json/,
    )
    const result = run(app, '--event-file', broken)
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(/the event file .*broken\.json is not JSON/)
  })

  it('parses its arguments', () => {
    expect(
      parseArgs([
        'invoke',
        './index.js',
        '--event',
        'cos',
        '-t',
        '10',
        '--memory',
        '256',
        '--handler',
        'index.handler',
      ]),
    ).toEqual({
      name: 'invoke',
      options: {
        entry: './index.js',
        handler: 'index.handler',
        event: 'cos',
        eventFile: undefined,
        timeoutS: 10,
        memoryMb: 256,
      },
    })
    expect(parseArgs(['invoke', '--event-file', 'e.json'])).toMatchObject({
      options: { entry: '.', eventFile: 'e.json', event: undefined },
    })
    for (const [args, message] of [
      [['invoke', './index.js'], /needs either --event <kind> or --event-file/],
      [['invoke', '--event', 'timer', '--event-file', 'x.json'], /needs either/],
      [
        ['invoke', '--event', 'apigw'],
        /--event must be timer, cos, ckafka, cmq or cls, got "apigw" \(for any other event, use --event-file\)/,
      ],
      [['invoke', '--event'], /option --event needs a value/],
      [['invoke', '--port', '3', '--event', 'timer'], /unknown option --port for invoke/],
      [['invoke', '--event', 'timer', '-t', '0'], /must be a whole number of seconds from 1 to 900/],
      [['deploy'], /unknown command "deploy": the commands are `dev`, `invoke` and `pack`/],
    ] as const) {
      expect(() => parseArgs(args)).toThrow(UsageError)
      expect(() => parseArgs(args)).toThrow(message)
    }
  })

  it('is in --help', () => {
    const result = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' })
    expect(result.stdout).toMatch(/Usage: scf-bridge invoke \[entry\] --event <kind> \| --event-file <file\.json>/)
  })
})
