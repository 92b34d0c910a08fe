'use strict'

const http = require('node:http')
const { Readable, addAbortSignal } = require('node:stream')
const { EventEmitter } = require('node:events')
const util = require('node:util')

const setCookie = require('set-cookie-parser')

function Response (req, onEnd, reject) {
  http.ServerResponse.call(this, req)

  if (req._lightMyRequest?.payloadAsStream) {
    const read = this.emit.bind(this, 'drain')
    this._lightMyRequest = { headers: null, trailers: {}, stream: new Readable({ read }) }
    const signal = req._lightMyRequest.signal

    if (signal) {
      addAbortSignal(signal, this._lightMyRequest.stream)
    }
  } else {
    this._lightMyRequest = { headers: null, trailers: {}, payloadChunks: [] }
  }
  // This forces node@8 to always render the headers
  this.setHeader('foo', 'bar'); this.removeHeader('foo')

  this.assignSocket(getNullSocket())

  this._promiseCallback = typeof reject === 'function'

  let called = false
  const onEndSuccess = (payload) => {
    if (called) return
    called = true
    if (this._promiseCallback) {
      return process.nextTick(() => onEnd(payload))
    }
    process.nextTick(() => onEnd(null, payload))
  }
  this._lightMyRequest.onEndSuccess = onEndSuccess

  let finished = false
  const onEndFailure = (err) => {
    if (called) {
      if (this._lightMyRequest.stream && !finished) {
        if (!err) {
          err = new Error('response destroyed before completion')
          err.code = 'LIGHT_ECONNRESET'
        }
        this._lightMyRequest.stream.destroy(err)
        this._lightMyRequest.stream.on('error', () => {})
      }
      return
    }
    called = true
    if (!err) {
      err = new Error('response destroyed before completion')
      err.code = 'LIGHT_ECONNRESET'
    }
    if (this._promiseCallback) {
      return process.nextTick(() => reject(err))
    }
    process.nextTick(() => onEnd(err, null))
  }

  if (this._lightMyRequest.stream) {
    this.once('finish', () => {
      finished = true
      this._lightMyRequest.stream.push(null)
    })
  } else {
    this.once('finish', () => {
      const res = generatePayload(this)
      res.raw.req = req
      onEndSuccess(res)
    })
  }

  this.connection.once('error', onEndFailure)

  this.once('error', onEndFailure)

  this.once('close', onEndFailure)
}

util.inherits(Response, http.ServerResponse)

Response.prototype.setTimeout = function (msecs, callback) {
  this.timeoutHandle = setTimeout(() => {
    this.emit('timeout')
  }, msecs)
  this.on('timeout', callback)
  return this
}

Response.prototype.writeHead = function () {
  const result = http.ServerResponse.prototype.writeHead.apply(this, arguments)

  copyHeaders(this)

  if (this._lightMyRequest.stream) {
    this._lightMyRequest.onEndSuccess(generatePayload(this))
  }

  return result
}

Response.prototype.write = function (data, encoding, callback) {
  if (this.timeoutHandle) {
    clearTimeout(this.timeoutHandle)
  }
  http.ServerResponse.prototype.write.call(this, data, encoding, callback)
  if (this._lightMyRequest.stream) {
    return this._lightMyRequest.stream.push(Buffer.from(data, encoding))
  } else {
    this._lightMyRequest.payloadChunks.push(Buffer.from(data, encoding))
    return true
  }
}

Response.prototype.end = function (data, encoding, callback) {
  if (data) {
    this.write(data, encoding)
  }

  http.ServerResponse.prototype.end.call(this, callback)

  this.emit('finish')

  // We need to emit 'close' otherwise stream.finished() would
  // not pick it up on Node v16

  this.destroy()
}

Response.prototype.destroy = function (error) {
  if (this.destroyed) return
  this.destroyed = true

  if (error) {
    process.nextTick(() => this.emit('error', error))
  }

  process.nextTick(() => this.emit('close'))
}

Response.prototype.addTrailers = function (trailers) {
  for (const key in trailers) {
    this._lightMyRequest.trailers[key.toLowerCase().trim()] = trailers[key].toString().trim()
  }
}

// scf-bridge: the reply is an instance of a class, not an object literal with a getter and closures (each such
// literal had its own hidden class and survived young-generation GCs, BENCHMARKS.md "GC"), and its body is
// decoded to a string only when `payload`/`body` is read: the bridge reads `rawPayload`, and decoding
// every reply cost about 20 ms per MiB and was lossy for binary bodies.
function Reply (response) {
  this.raw = { res: response }
  this.headers = response._lightMyRequest.headers
  this.statusCode = response.statusCode
  this.statusMessage = response.statusMessage
  this.trailers = response._lightMyRequest.trailers
  this.rawPayload = response._lightMyRequest.payloadChunks
    ? Buffer.concat(response._lightMyRequest.payloadChunks)
    : undefined
}

Object.defineProperties(Reply.prototype, {
  cookies: {
    get () {
      return setCookie.parse(this)
    },
    enumerable: true,
    configurable: true
  },
  // we keep both of them for compatibility reasons
  payload: {
    get () {
      return this.rawPayload === undefined ? undefined : this.rawPayload.toString()
    },
    enumerable: true,
    configurable: true
  },
  body: {
    get () {
      return this.payload
    },
    enumerable: true,
    configurable: true
  }
})

Reply.prototype.json = function () {
  if (this.rawPayload === undefined) {
    throw new Error('Response payload is not available with payloadAsStream: true')
  }
  return JSON.parse(this.payload)
}

// Provide stream Readable for advanced user
Reply.prototype.stream = function () {
  const response = this.raw.res
  if (response._lightMyRequest.stream) {
    return response._lightMyRequest.stream
  }
  return Readable.from(response._lightMyRequest.payloadChunks)
}

function generatePayload (response) {
  // This seems only to happen when using `fastify-express` - see https://github.com/fastify/fastify-express/issues/47
  /* c8 ignore next 3  */
  if (response._lightMyRequest.headers === null) {
    copyHeaders(response)
  }
  serializeHeaders(response)
  return new Reply(response)
}

// Throws away all written data to prevent response from buffering payload
// scf-bridge: an event emitter with the members http.ServerResponse uses of its socket (Node 16 to 20:
// _httpMessage, on/removeListener, writable, destroyed, cork/uncork, writableCorked, _writableState.corked,
// write, writableLength, writableHighWaterMark, destroy), not a Writable stream per response (two state
// objects and a buffer list each, ~1.4 kB and ~1 µs of a small request). Writes still call back on the next
// turn, as before; destroy() still emits 'error' (when given one) and 'close'.
class NullSocket extends EventEmitter {
  constructor () {
    super()
    this.writable = true
    this.destroyed = false
    this.writableLength = 0
    this.writableHighWaterMark = 16384
    this.writableFinished = false
    this._writableState = { corked: 0 }
  }

  get writableCorked () {
    return this._writableState.corked
  }

  cork () {
    this._writableState.corked++
  }

  uncork () {
    if (this._writableState.corked > 0) this._writableState.corked--
  }

  write (_chunk, encoding, callback) {
    if (typeof encoding === 'function') callback = encoding
    if (typeof callback === 'function') setImmediate(callback)
    return true
  }

  end () {
    this.writable = false
    this.writableFinished = true
    return this
  }

  setTimeout () {
    return this
  }

  destroy (error) {
    if (this.destroyed) return this
    this.destroyed = true
    this.writable = false
    process.nextTick(emitDestroyed, this, error)
    return this
  }
}

function emitDestroyed (socket, error) {
  if (error) socket.emit('error', error)
  socket.emit('close')
}

function getNullSocket () {
  return new NullSocket()
}

function serializeHeaders (response) {
  const headers = response._lightMyRequest.headers

  for (const headerName of Object.keys(headers)) {
    const headerValue = headers[headerName]
    if (Array.isArray(headerValue)) {
      headers[headerName] = headerValue.map(value => '' + value)
    } else {
      headers[headerName] = '' + headerValue
    }
  }
}

// scf-bridge: the three raw headers are found with indexOf, not with three regular expressions compiled and
// run on every reply. Same result: Node writes `_header` with CRLF line ends and no CR inside a value.
const RAW_HEADERS = ['Date', 'Connection', 'Transfer-Encoding']
  .map((name) => ({ name: name.toLowerCase(), prefix: '\r\n' + name + ': ' }))

function copyHeaders (response) {
  response._lightMyRequest.headers = Object.assign({}, response.getHeaders())

  // Add raw headers
  const raw = response._header
  if (typeof raw !== 'string') return
  for (const { name, prefix } of RAW_HEADERS) {
    const start = raw.indexOf(prefix)
    if (start === -1) continue
    const valueStart = start + prefix.length
    const end = raw.indexOf('\r\n', valueStart)
    if (end !== -1) {
      response._lightMyRequest.headers[name] = raw.slice(valueStart, end)
    }
  }
}

module.exports = Response
