'use strict'
// Loads the installed scf-bridge with require() and runs the smoke suite (see smoke.cjs).
const { main } = require('./smoke.cjs')

let testing
try {
  testing = require('scf-bridge/testing')
} catch (error) {
  if (error.code !== 'MODULE_NOT_FOUND' && error.code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw error
}
const { bridge, getCurrentInvoke } = require('scf-bridge')
main({ bridge, getCurrentInvoke, testing, loader: 'require' }).catch((error) => {
  console.error(error)
  process.exitCode = 1
})
