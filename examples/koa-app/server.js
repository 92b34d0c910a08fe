'use strict'
// The same app on a plain Node server: `node server.js`. PORT and HOST come from the environment.
const app = require('./app')

const port = Number(process.env.PORT || 3000)
const host = process.env.HOST || '127.0.0.1'

const server = app.listen(port, host, () => {
  const address = server.address()
  console.log(`Listening on http://${address.address}:${address.port}`)
})
