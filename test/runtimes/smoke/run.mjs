// Loads the installed scf-bridge with import and runs the smoke suite (see smoke.cjs).

import { bridge, getCurrentInvoke } from 'scf-bridge'
import smoke from './smoke.cjs'

let testing
try {
  testing = await import('scf-bridge/testing')
} catch (error) {
  if (error.code !== 'ERR_MODULE_NOT_FOUND' && error.code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw error
}
try {
  await smoke.main({ bridge, getCurrentInvoke, testing, loader: 'import' })
} catch (error) {
  console.error(error)
  process.exitCode = 1
}
