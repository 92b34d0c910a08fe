'use strict'
// The SCF entry point (handler: index.main_handler). The app itself lives in app.js.
const { bridge } = require('scf-bridge')
const app = require('./app')

exports.main_handler = bridge(app)
