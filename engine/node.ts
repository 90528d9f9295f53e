/**
 * rustydb for Node: everything `engine/index.ts` exports, plus the Node fs storage adapter (node:fs).
 * package.json maps the `node` export condition of `rustydb` here; browsers get `engine/index.ts`.
 */
export * from './index.js'
export { NodeFsAdapter, type NodeFsAdapterOptions } from './storage/node.js'

import { basename, dirname } from 'node:path'
import { setPathResolver } from './database.js'
import { NodeFsAdapter as FsAdapter } from './storage/node.js'

setPathResolver((path) => ({ adapter: new FsAdapter({ root: dirname(path) }), name: basename(path) }))
