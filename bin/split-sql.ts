/**
 * Statement splitter for the CLI: cuts SQL text fed line by line into statements at top-level semicolons, as
 * psql does.
 * Owns: the lexical state that matters for finding `;` (quotes, identifiers, dollar quotes, comments).
 * Invariants:
 *   (1) A `;` inside '...' (with '' escapes; E'...' also with backslash escapes), "...", $tag$...$tag$,
 *       -- comments or nested /* comments *\/ never ends a statement.
 *   (2) Returned statements are trimmed and keep their text otherwise; empty or comment-only statements are
 *       dropped.
 *   (3) State carries across `push` calls, so a statement may span lines.
 * Not here: parsing (the engine's parser), backslash commands (rustydb.ts sees them before the splitter).
 */

type State =
  | { readonly kind: 'normal' }
  | { readonly kind: 'quote'; readonly backslash: boolean }
  | { readonly kind: 'ident' }
  | { readonly kind: 'dollar'; readonly tag: string }
  | { readonly kind: 'block'; readonly depth: number }

const NORMAL: State = { kind: 'normal' }

/** Incremental splitter: push lines, get the statements they complete. */
export class StatementSplitter {
  #buffer = ''
  #state: State = NORMAL

  /**
   * Adds a line (without its newline) and returns the statements it completes.
   *
   * @example
   * const s = new StatementSplitter()
   * s.push("SELECT 'a;b'")   // []
   * s.push('; SELECT 2;')    // ["SELECT 'a;b'", 'SELECT 2']
   */
  push(line: string): string[] {
    const text = this.#buffer === '' ? line : `${this.#buffer}\n${line}`
    const out: string[] = []
    let start = 0
    let i = this.#buffer === '' ? 0 : this.#buffer.length + 1
    let state = this.#state
    while (i < text.length) {
      const c = text[i]
      switch (state.kind) {
        case 'normal':
          if (c === ';') {
            const stmt = text.slice(start, i).trim()
            if (!isOnlyComments(stmt)) out.push(stmt)
            start = i + 1
          } else if (c === "'") {
            const prev = i > 0 ? text[i - 1] : ''
            const escaped = (prev === 'E' || prev === 'e') && (i < 2 || !/[\w$]/.test(text[i - 2]))
            state = { kind: 'quote', backslash: escaped }
          } else if (c === '"') {
            state = { kind: 'ident' }
          } else if (c === '-' && text[i + 1] === '-') {
            const end = text.indexOf('\n', i)
            i = end < 0 ? text.length : end
            continue
          } else if (c === '/' && text[i + 1] === '*') {
            state = { kind: 'block', depth: 1 }
            i += 2
            continue
          } else if (c === '$' && (i === 0 || !/[\w$]/.test(text[i - 1]))) {
            const m = /^\$([A-Za-z_][A-Za-z_0-9]*)?\$/.exec(text.slice(i))
            if (m !== null) {
              state = { kind: 'dollar', tag: m[0] }
              i += m[0].length
              continue
            }
          }
          break
        case 'quote':
          if (state.backslash && c === '\\') {
            i += 2
            continue
          }
          if (c === "'") {
            if (text[i + 1] === "'") {
              i += 2
              continue
            }
            state = NORMAL
          }
          break
        case 'ident':
          if (c === '"') state = NORMAL
          break
        case 'dollar':
          if (text.startsWith(state.tag, i)) {
            i += state.tag.length
            state = NORMAL
            continue
          }
          break
        case 'block':
          if (c === '*' && text[i + 1] === '/') {
            state = state.depth === 1 ? NORMAL : { kind: 'block', depth: state.depth - 1 }
            i += 2
            continue
          }
          if (c === '/' && text[i + 1] === '*') {
            state = { kind: 'block', depth: state.depth + 1 }
            i += 2
            continue
          }
          break
      }
      i++
    }
    const rest = text.slice(start)
    this.#buffer = state.kind === 'normal' && isOnlyComments(rest) ? '' : rest
    this.#state = state
    return out
  }

  /** True when nothing is pending (the prompt shows `=>` rather than `->`). */
  get empty(): boolean {
    return this.#buffer === ''
  }

  /** The psql prompt character for the current state: '-' normally, "'" / '"' / '$' / '*' inside one. */
  get continuation(): string {
    switch (this.#state.kind) {
      case 'quote':
        return "'"
      case 'ident':
        return '"'
      case 'dollar':
        return '$'
      case 'block':
        return '*'
      default:
        return '-'
    }
  }

  /** Returns the unterminated rest (trimmed; '' when none) and resets: end of input runs it like psql does. */
  flush(): string {
    const rest = this.#buffer.trim()
    this.#buffer = ''
    this.#state = NORMAL
    return rest
  }
}

/** Splits a whole script into statements (the last one may lack its `;`). */
export function splitSql(text: string): string[] {
  const s = new StatementSplitter()
  const out: string[] = []
  for (const line of text.split(/\r?\n/)) out.push(...s.push(line))
  const rest = s.flush()
  if (rest !== '' && !isOnlyComments(rest)) out.push(rest)
  return out
}

/** True for text that is only white space and comments (nothing to run). */
export function isOnlyComments(text: string): boolean {
  return text.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '').trim() === ''
}
