'use strict'
// Which members of a socket Node's own http.IncomingMessage and http.ServerResponse use, found on the running
// Node: a recording Proxy socket under a real request and response that read a body, write a reply (headers,
// chunked body, cork/uncork, flushHeaders, end), time out and are destroyed. Used by test/engine-socket.test.ts;
// run directly (`node test/engine-socket-probe.cjs`, any Node from 16) it checks the built engine in dist/.
const { EventEmitter } = require('node:events')
const http = require('node:http')
const net = require('node:net')

/** A minimal socket that behaves as Node expects; what Node reads of it is recorded by the Proxy around it. */
class StubSocket extends EventEmitter {
  constructor() {
    super()
    this.readable = true
    this.writable = true
    this.destroyed = false
    this.writableLength = 0
    this._writableState = { corked: 0 }
    this.request = null
  }
  get writableCorked() {
    return this._writableState.corked
  }
  cork() {
    this._writableState.corked++
  }
  uncork() {
    if (this._writableState.corked > 0) this._writableState.corked--
  }
  write(_data, encoding, callback) {
    if (typeof encoding === 'function') callback = encoding
    if (typeof callback === 'function') process.nextTick(callback)
    return true
  }
  resume() {
    const request = this.request
    if (!request) return this
    this.request = null
    setImmediate(() => {
      request.push(Buffer.from('body'))
      request.complete = true
      request.push(null)
    })
    return this
  }
  setTimeout() {
    return this
  }
  end() {
    return this
  }
  destroy(error) {
    if (this.destroyed) return this
    this.destroyed = true
    process.nextTick(() => {
      if (error && this.listenerCount('error') > 0) this.emit('error', error)
      this.emit('close', Boolean(error))
    })
    return this
  }
}

function recording(target, names) {
  const note = (key) => {
    if (typeof key === 'string') names.add(key)
  }
  return new Proxy(target, {
    get(t, key) {
      note(key)
      return Reflect.get(t, key, t)
    },
    has(t, key) {
      note(key)
      return Reflect.has(t, key)
    },
    set(t, key, value) {
      note(key)
      return Reflect.set(t, key, value, t)
    },
  })
}

/** One exchange on a recording socket; `reply` writes the response. Resolves once the response closed. */
function exchange(names, method, reply) {
  return new Promise((resolve) => {
    const stub = new StubSocket()
    const socket = recording(stub, names)
    const req = new http.IncomingMessage(socket)
    req.method = method
    req.url = '/'
    req.httpVersionMajor = 1
    req.httpVersionMinor = 1
    req.httpVersion = '1.1'
    req.headers = { host: 'example.com', 'content-length': '4' }
    req.rawHeaders = ['host', 'example.com', 'content-length', '4']
    stub.request = req
    const res = new http.ServerResponse(req)
    res.on('error', () => {})
    res.assignSocket(socket)
    res.on('close', () => setImmediate(resolve))
    // Reads the request through to its end, as body parsers do, then replies.
    void req.connection
    void req.socket.remoteAddress
    req.on('data', () => {})
    req.on('end', () => reply(req, res))
  })
}

const scenarios = {
  'headers, a chunked body, cork/uncork, end': (_req, res) => {
    res.setHeader('content-type', 'text/plain')
    res.writeHead(200, { 'x-a': '1' })
    res.write('one,')
    res.cork()
    res.write(Buffer.from('two,'))
    res.write('three')
    res.uncork()
    res.end(',end', () => res.destroy())
  },
  'a body of known length, timeouts': (_req, res) => {
    res.setTimeout(1000, () => {})
    res.socket.setTimeout(1000)
    res.end('whole', () => res.destroy())
  },
  'flushHeaders, a large write, then end': (_req, res) => {
    res.flushHeaders()
    res.write(Buffer.alloc(100_000))
    res.end(() => res.destroy())
  },
  'destroyed with an error mid-reply': (_req, res) => {
    res.write('partial')
    res.destroy(new Error('reset'))
  },
  'destroyed without an error before any write': (_req, res) => res.destroy(),
  'HEAD, a write after end': (_req, res) => {
    res.end('ignored for HEAD')
    res.write('late')
    setImmediate(() => res.destroy())
  },
}

/** The socket members Node's HTTP code used in every scenario that a real net.Socket also has. */
async function nodeSocketMembers() {
  const names = new Set()
  for (const [name, reply] of Object.entries(scenarios))
    await exchange(names, name.startsWith('HEAD') ? 'HEAD' : 'POST', reply)
  const real = new net.Socket()
  // _httpMessage is what ServerResponse#assignSocket puts on the socket.
  return [...names].filter((name) => name in real || name === '_httpMessage').sort()
}

/** The members of `socket` missing from those Node uses. */
async function missingMembers(socket) {
  return (await nodeSocketMembers()).filter((name) => !(name in socket))
}

module.exports = { nodeSocketMembers, missingMembers }

if (require.main === module) {
  const { bridge } = require(process.argv[2] || require('node:path').join(__dirname, '..', 'dist', 'index.js'))
  let socket
  const handler = bridge((req, res) => {
    socket = req.socket
    res.end('ok')
  })
  const event = {
    httpMethod: 'GET',
    path: '/',
    headers: { host: 'example.com' },
    queryString: {},
    body: '',
    isBase64Encoded: false,
  }
  handler(event, { request_id: 'probe', function_name: 'probe' })
    .then(async (response) => {
      const missing = await missingMembers(socket)
      console.log(
        JSON.stringify({
          node: process.version,
          status: response.statusCode,
          members: await nodeSocketMembers(),
          missing,
        }),
      )
      process.exitCode = missing.length === 0 && response.statusCode === 200 ? 0 : 1
    })
    .catch((error) => {
      console.error(error)
      process.exitCode = 1
    })
}
