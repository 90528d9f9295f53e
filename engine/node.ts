/**
 * rustydb for Node: everything `engine/index.ts` exports, plus the Node fs storage adapter (node:fs).
 * package.json maps the `node` export condition of `rustydb` here; browsers get `engine/index.ts`.
 */
export * from './index.js'
export { NodeFsAdapter, type NodeFsAdapterOptions } from './storage/node.js'
