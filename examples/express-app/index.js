'use strict'
// The SCF entry point (handler: index.main_handler). The app itself lives in app.js.
const { bridge } = require('scf-bridge')
const app = require('./app')
const { purgeUploads } = require('./uploads')

const DAY_MS = 24 * 3600 * 1000

exports.main_handler = bridge(app, {
  events: {
    // A timer trigger, e.g. cron "0 0 3 * * * *" (03:00 every day; seven fields, seconds first): a function.
    // Its result is the invocation's result; a throw fails the invocation, and SCF retries it.
    timer: async () => purgeUploads(30 * DAY_MS),
    // A COS trigger on the bucket: each notification is POSTed to this route of the app as JSON. On SCF,
    // an HTTP request for this path is answered 404 by the bridge and never reaches the app.
    cos: '/internal/cos-uploaded',
  },
})
