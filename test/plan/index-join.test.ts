/**
 * Index nested-loop joins: the planner probes a table by its primary key or an index when few rows drive
 * the join, and the rows equal the naive plan's (`SET rustydb.optimizer = off`) for every join kind, with
 * NULL keys, residual conditions and filters on the probed table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Database } from '../../engine/node.js'
import { explain, sameAsNaive as sameAsNaiveRows } from '../support/plans.js'

let db: Database

beforeAll(async () => {
  db = await Database.open({ storage: 'memory' })
  await db.exec(`
    CREATE TABLE customers (id int PRIMARY KEY, region text, name text);
    CREATE TABLE orders (id int PRIMARY KEY, customer_id int, total int);
    CREATE TABLE lines (order_id int, line int, sku text, qty int, PRIMARY KEY (order_id, line));
    CREATE INDEX customers_region ON customers (region);
    INSERT INTO customers SELECT g, 'r' || (g % 50), 'c' || g FROM generate_series(1, 5000) g;
    INSERT INTO orders SELECT g, CASE WHEN g % 17 = 0 THEN NULL ELSE g * 7 % 6000 END, g % 100 FROM generate_series(1, 3000) g;
    INSERT INTO lines SELECT g / 3 + 1, g % 3, 's' || (g % 11), g % 5 FROM generate_series(0, 8999) g;
    ANALYZE;
  `)
})

afterAll(async () => {
  await db.close()
})

const plan = (sql: string): Promise<string> => explain(db, sql)
const sameAsNaive = (sql: string): Promise<unknown[]> => sameAsNaiveRows(db, sql, false)

const CASES: [string, string, RegExp][] = [
  ['inner join by primary key', 'SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id BETWEEN 10 AND 40', /Index Nested Loop Join on customers/],
  ['left join keeps orders without a customer', 'SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE o.id < 60', /Index Nested Loop Left Join on customers/],
  ['residual condition and a filter on the probed table', "SELECT o.id, c.id FROM orders o JOIN customers c ON c.id = o.customer_id AND c.name <> o.total::text WHERE o.id < 50 AND c.region <> 'r3'", /Index Nested Loop Join on customers/],
  ['composite primary key prefix', 'SELECT o.id, l.line, l.sku FROM orders o JOIN lines l ON l.order_id = o.id WHERE o.total = 7', /Index Nested Loop Join on lines/],
  ['full composite key', 'SELECT o.id, l.qty FROM orders o JOIN lines l ON l.order_id = o.id AND l.line = o.total % 3 WHERE o.id < 30', /Index Nested Loop Join on lines/],
  ['secondary index', "SELECT o.id, c.id FROM orders o JOIN customers c ON c.region = 'r' || o.total::text WHERE o.id < 4", /Index Nested Loop Join on customers/],
  ['a WHERE condition on the left side of a LEFT JOIN goes below it', 'SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON c.id = o.customer_id AND c.region <> $$r1$$ WHERE o.total < 3', /Index Nested Loop Left Join on customers/],
]

describe('index nested-loop joins', () => {
  for (const [name, sql, shape] of CASES) {
    it(`${name}: chosen, and the rows match the naive plan`, async () => {
      expect(await plan(sql)).toMatch(shape)
      const rows = await sameAsNaive(sql)
      expect(rows.length).toBeGreaterThan(0)
    })
  }

  it('is not chosen when most of the probed table would be read anyway', async () => {
    const sql = 'SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id'
    expect(await plan(sql)).toMatch(/Hash Join/)
    await sameAsNaive(sql)
  })
})
