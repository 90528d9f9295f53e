#!/usr/bin/env node
/**
 * rustydb: the SQL shell. `npx rustydb [file.rdb] [-c SQL]... [-f script.sql]`, psql-like.
 * Owns: the command line, the interactive loop (prompt, multi-line statements, history) and choosing between
 * -c / -f / stdin script / interactive input. Statements and backslash commands run in shell.ts.
 * Invariants:
 *   (1) Without a file the database is in memory, and the interactive banner says so.
 *   (2) Statements end at a top-level `;` (split-sql.ts); at end of input an unterminated statement still runs.
 *   (3) Without a prompt (-c, -f, stdin) the exit code is 1 when any statement failed (psql needs
 *       ON_ERROR_STOP for that; we prefer scripts that notice), 0 otherwise; 2 for usage errors.
 *   (4) Interactive history lives in ~/.rustydb_history (RUSTYDB_HISTORY overrides; empty disables).
 * Not here: printing (shell.ts, psql-format.ts, pg-text.ts), statement splitting (split-sql.ts).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { parseArgs } from 'node:util'
import { Database } from '../engine/node.js'
import { Shell, errorReport } from './shell.js'
import { StatementSplitter, splitSql } from './split-sql.js'

const HELP = `rustydb: a SQL shell for RustyDB databases (psql-like).

Usage:
  rustydb [options] [FILE.rdb]

  FILE.rdb               database file (created when missing); without it the database is in memory
  -c, --command SQL      run SQL (may repeat; backslash commands allowed), then exit
  -f, --file SCRIPT      run a SQL script, then exit
  -i, --interactive      prompt even when stdin is not a terminal
  -h, --help             this text

Without -c or -f, reads statements from stdin: a prompt when it is a terminal, a script otherwise.
Backslash commands: \\d [NAME]  \\dt  \\dv  \\di  \\timing [on|off]  \\?  \\q
`

function historyFile(): string | undefined {
  const env = process.env.RUSTYDB_HISTORY
  if (env !== undefined) return env === '' ? undefined : env
  return path.join(os.homedir(), '.rustydb_history')
}

/** The interactive loop: prompt, multi-line input, history (invariant 4). */
async function interactive(shell: Shell, dbName: string): Promise<void> {
  const file = historyFile()
  let history: string[] = []
  if (file !== undefined) {
    try {
      history = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').reverse().slice(0, 1000)
    } catch {
      history = []
    }
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, history, historySize: 1000, terminal: process.stdin.isTTY })
  const splitter = new StatementSplitter()
  const prompt = (): void => {
    rl.setPrompt(`${dbName}${splitter.empty ? '=' : splitter.continuation}> `)
    rl.prompt()
  }
  const saveHistory = (): void => {
    if (file === undefined) return
    try {
      fs.writeFileSync(file, `${[...((rl as unknown as { history?: string[] }).history ?? [])].reverse().join('\n')}\n`)
    } catch {
      // History is a convenience: an unwritable file must not stop the shell.
    }
  }
  prompt()
  for await (const line of rl) {
    if (splitter.empty && line.trimStart().startsWith('\\')) {
      if (!(await shell.meta(line))) break
    } else {
      for (const stmt of splitter.push(line)) await shell.run(stmt)
    }
    prompt()
  }
  const rest = splitter.flush()
  if (rest !== '') for (const stmt of splitSql(rest)) await shell.run(stmt)
  saveHistory()
  rl.close()
}

async function main(argv: string[]): Promise<number> {
  const { values: opts, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      command: { type: 'string', short: 'c', multiple: true },
      file: { type: 'string', short: 'f' },
      interactive: { type: 'boolean', short: 'i' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (opts.help === true) {
    process.stdout.write(HELP)
    return 0
  }
  if (positionals.length > 1) {
    process.stderr.write(`rustydb: too many arguments: ${positionals.join(' ')}\n${HELP}`)
    return 2
  }
  const dbFile = positionals[0]
  const db = dbFile === undefined ? await Database.open({ storage: 'memory' }) : await Database.open({ path: path.resolve(dbFile) })
  const shell = new Shell(db, {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
  })
  try {
    if (opts.command !== undefined || opts.file !== undefined) {
      for (const sql of opts.command ?? []) if (!(await shell.script(sql))) return shell.failures > 0 ? 1 : 0
      if (opts.file !== undefined) await shell.script(fs.readFileSync(opts.file, 'utf8'))
      return shell.failures > 0 ? 1 : 0
    }
    if (process.stdin.isTTY === true || opts.interactive === true) {
      process.stdout.write(`rustydb (RustyDB SQL shell). Type \\? for help, \\q to quit.\n`)
      process.stdout.write(dbFile === undefined ? 'connected to an in-memory database\n' : `connected to database file ${dbFile}\n`)
      await interactive(shell, dbFile === undefined ? 'memory' : path.basename(dbFile).replace(/\.[^.]*$/, ''))
      return 0
    }
    const chunks: Buffer[] = []
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
    await shell.script(Buffer.concat(chunks).toString('utf8'))
    return shell.failures > 0 ? 1 : 0
  } finally {
    await db.close()
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (e: unknown) => {
    process.stderr.write(`${errorReport(e, '')}\n`)
    process.exitCode = 2
  },
)
