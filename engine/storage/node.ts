/**
 * engine/storage for Node: everything engine/storage/index.ts exports, plus the adapters that import Node
 * built-ins (node:fs). Browser bundles import index.ts and never see node:fs.
 */
export * from './index.js'
export { NodeFsAdapter, type NodeFsAdapterOptions } from './adapters/node-fs-adapter.js'
