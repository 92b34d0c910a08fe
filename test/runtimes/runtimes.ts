/**
 * The SCF Node.js runtimes the matrix tests (matrix.test.ts) and the README's "Supported runtimes" table
 * lists (runtime-ids.test.ts checks the two agree), each with the Node versions that stand for it.
 */
import { NODE_16, NODE_16_13, NODE_18, NODE_18_15, NODE_20, NODE_22_21, NODE_24_11, nodeBinary } from './toolchain'

/**
 * Every Node.js runtime id Tencent uses (SCF's API and docs up to Nodejs18.15; Nodejs20.19, 22.21 and 24.11
 * from CloudBase, which runs on SCF). None ends in `.x`.
 */
export const TENCENT_RUNTIME_IDS = [
  'Nodejs6.10',
  'Nodejs8.9',
  'Nodejs10.15',
  'Nodejs12.16',
  'Nodejs14.18',
  'Nodejs16.13',
  'Nodejs18.15',
  'Nodejs20.19',
  'Nodejs22.21',
  'Nodejs24.11',
]

export interface Runtime {
  scf: string
  /** The Node version tested; for 20, the Node running the tests when it is a 20. */
  node: string
  major: number
  binary: () => string
  express: string
  koa: string
}

export const RUNTIMES: Runtime[] = [
  // 16.13.2: the floor in package.json "engines"; 16.20.2: the last 16.
  {
    scf: 'Nodejs16.13',
    node: NODE_16_13.version,
    major: 16,
    binary: () => nodeBinary(NODE_16_13),
    express: 'express4',
    koa: 'koa2',
  },
  {
    scf: 'Nodejs16.13',
    node: NODE_16.version,
    major: 16,
    binary: () => nodeBinary(NODE_16),
    express: 'express4',
    koa: 'koa2',
  },
  // 18.15.0: what SCF's Nodejs18.15 runs; 18.20.8: the last 18.
  {
    scf: 'Nodejs18.15',
    node: NODE_18_15.version,
    major: 18,
    binary: () => nodeBinary(NODE_18_15),
    express: 'express',
    koa: 'koa',
  },
  {
    scf: 'Nodejs18.15',
    node: NODE_18.version,
    major: 18,
    binary: () => nodeBinary(NODE_18),
    express: 'express',
    koa: 'koa',
  },
  {
    scf: 'Nodejs20.19',
    node: process.versions.node.split('.')[0] === '20' ? process.versions.node : NODE_20.version,
    major: 20,
    binary: () => (process.versions.node.split('.')[0] === '20' ? process.execPath : nodeBinary(NODE_20)),
    express: 'express',
    koa: 'koa',
  },
  {
    scf: 'Nodejs22.21',
    node: NODE_22_21.version,
    major: 22,
    binary: () => nodeBinary(NODE_22_21),
    express: 'express',
    koa: 'koa',
  },
  {
    scf: 'Nodejs24.11',
    node: NODE_24_11.version,
    major: 24,
    binary: () => nodeBinary(NODE_24_11),
    express: 'express',
    koa: 'koa',
  },
]
