import { describe, expect, it } from 'vitest'
import { resolveFunction, setStatementTimestamp } from '../../../engine/catalog/functions/index.js'
import { parseValue, typeOf } from '../../../engine/common/index.js'
import { call, returnTypeOf, ty } from './helpers.js'

describe('resolution', () => {
  it('prefers exact matches, then preferred types (float8, text)', () => {
    expect(returnTypeOf('abs', 'int4')).toBe('int4')
    expect(returnTypeOf('round', 'int4')).toBe('float8')
    expect(returnTypeOf('round', 'numeric', 'int4')).toBe('numeric')
    expect(returnTypeOf('round', 'int4', 'int4')).toBe('numeric')
    expect(returnTypeOf('sqrt', 'int8')).toBe('float8')
    expect(returnTypeOf('length', 'unknown')).toBe('int4')
    expect(resolveFunction('length', [ty('unknown')])!.argTypes[0].id).toBe('text')
    expect(returnTypeOf('upper', 'varchar')).toBe('text')
    expect(returnTypeOf('nope', 'int4')).toBeUndefined()
    expect(returnTypeOf('abs', 'text')).toBeUndefined()
  })
})

describe('math', () => {
  it('matches PostgreSQL results', () => {
    expect(call('abs', ['int4', '-5'])).toBe('5')
    expect(() => call('abs', ['int4', '-2147483648'])).toThrow(expect.objectContaining({ code: '22003' }))
    expect(call('round', ['float8', '2.5'])).toBe('2')
    expect(call('round', ['float8', '3.5'])).toBe('4')
    expect(call('round', ['numeric', '2.5'])).toBe('3')
    expect(call('round', ['numeric', '42.4382'], ['int4', '2'])).toBe('42.44')
    expect(call('trunc', ['numeric', '42.4382'], ['int4', '2'])).toBe('42.43')
    expect(call('ceil', ['numeric', '-42.8'])).toBe('-42')
    expect(call('floor', ['float8', '-42.8'])).toBe('-43')
    expect(call('sign', ['numeric', '-8.4'])).toBe('-1')
    expect(call('sqrt', ['numeric', '2'])).toBe('1.414213562373095')
    expect(call('sqrt', ['float8', '2'])).toBe('1.4142135623730951')
    expect(() => call('sqrt', ['float8', '-1'])).toThrow(expect.objectContaining({ code: '2201F', message: 'cannot take square root of a negative number' }))
    expect(call('cbrt', ['float8', '27'])).toBe('3')
    expect(call('power', ['float8', '2'], ['float8', '10'])).toBe('1024')
    expect(call('exp', ['float8', '0'])).toBe('1')
    expect(call('ln', ['float8', '1'])).toBe('0')
    expect(() => call('ln', ['float8', '0'])).toThrow(expect.objectContaining({ code: '2201E', message: 'cannot take logarithm of zero' }))
    expect(call('log', ['float8', '100'])).toBe('2')
    expect(call('log10', ['float8', '1000'])).toBe('3')
    expect(call('mod', ['int4', '-9'], ['int4', '4'])).toBe('-1')
    expect(call('div', ['numeric', '9'], ['numeric', '4'])).toBe('2')
    expect(call('pi')).toBe('3.141592653589793')
    expect(call('gcd', ['int4', '12'], ['int4', '18'])).toBe('6')
    expect(call('lcm', ['int4', '4'], ['int4', '6'])).toBe('12')
    expect(call('scale', ['numeric', '8.410'])).toBe('3')
    expect(call('trim_scale', ['numeric', '8.4100'])).toBe('8.41')
    expect(call('width_bucket', ['float8', '5.35'], ['float8', '0.024'], ['float8', '10.06'], ['int4', '5'])).toBe('3')
    expect(call('degrees', ['float8', '3.141592653589793'])).toBe('180')
  })

  it('computes greatest/least ignoring NULLs and nullif', () => {
    expect(call('greatest', ['int4', '1'], ['int4', null], ['int4', '3'])).toBe('3')
    expect(call('least', ['int4', '1'], ['numeric', '0.5'])).toBe('0.5')
    expect(call('greatest', ['int4', null], ['int4', null])).toBe(null)
    expect(call('nullif', ['int4', '1'], ['int4', '1'])).toBe(null)
    expect(call('nullif', ['int4', '1'], ['int4', '2'])).toBe('1')
    expect(call('nullif', ['int4', '1'], ['int4', null])).toBe('1')
    expect(call('nullif', ['text', ''], ['unknown', ''])).toBe(null)
  })
})

describe('strings', () => {
  it('matches PostgreSQL results', () => {
    expect(call('length', ['text', 'héllo'])).toBe('5')
    expect(call('length', ['text', '\u{1F600}'])).toBe('1')
    expect(call('char_length', ['char(5)', 'ab'])).toBe('2')
    expect(call('octet_length', ['text', 'é'])).toBe('2')
    expect(call('lower', ['text', 'ÀB'])).toBe('àb')
    expect(call('initcap', ['text', 'hi THOMAS o\'neil'])).toBe("Hi Thomas O'Neil")
    expect(call('substr', ['text', 'alphabet'], ['int4', '3'], ['int4', '2'])).toBe('ph')
    expect(call('substring', ['text', 'Thomas'], ['int4', '0'], ['int4', '3'])).toBe('Th')
    expect(call('substring', ['text', 'Thomas'], ['int4', '3'])).toBe('omas')
    expect(call('substring', ['text', 'Thomas'], ['text', '...$'])).toBe('mas')
    expect(() => call('substr', ['text', 'x'], ['int4', '1'], ['int4', '-1'])).toThrow(expect.objectContaining({ code: '22011' }))
    expect(call('position', ['text', 'Thomas'], ['text', 'om'])).toBe('3')
    expect(call('strpos', ['text', 'high'], ['text', 'ig'])).toBe('2')
    expect(call('replace', ['text', 'abcdefabcdef'], ['text', 'cd'], ['text', 'XX'])).toBe('abXXefabXXef')
    expect(call('btrim', ['text', 'xyxtrimyyx'], ['text', 'xyz'])).toBe('trim')
    expect(call('trim', ['text', '  x  '])).toBe('x')
    expect(call('ltrim', ['text', 'zzzytest'], ['text', 'xyz'])).toBe('test')
    expect(call('rtrim', ['text', 'testxxzx'], ['text', 'xyz'])).toBe('test')
    expect(call('lpad', ['text', 'hi'], ['int4', '5'], ['text', 'xy'])).toBe('xyxhi')
    expect(call('rpad', ['text', 'hi'], ['int4', '5'], ['text', 'xy'])).toBe('hixyx')
    expect(call('lpad', ['text', 'hello'], ['int4', '2'])).toBe('he')
    expect(call('left', ['text', 'abcde'], ['int4', '-2'])).toBe('abc')
    expect(call('right', ['text', 'abcde'], ['int4', '2'])).toBe('de')
    expect(call('right', ['text', 'abcde'], ['int4', '-2'])).toBe('cde')
    expect(call('repeat', ['text', 'Pg'], ['int4', '4'])).toBe('PgPgPgPg')
    expect(call('reverse', ['text', 'abc'])).toBe('cba')
    expect(call('split_part', ['text', 'abc~@~def~@~ghi'], ['text', '~@~'], ['int4', '2'])).toBe('def')
    expect(call('split_part', ['text', 'abc,def,ghi'], ['text', ','], ['int4', '-1'])).toBe('ghi')
    expect(call('starts_with', ['text', 'alphabet'], ['text', 'alph'])).toBe('t')
    expect(call('md5', ['text', 'abc'])).toBe('900150983cd24fb0d6963f7d28e17f72')
    expect(call('md5', ['text', ''])).toBe('d41d8cd98f00b204e9800998ecf8427e')
    expect(call('chr', ['int4', '65'])).toBe('A')
    expect(call('ascii', ['text', 'x'])).toBe('120')
    expect(call('to_hex', ['int4', '2147483647'])).toBe('7fffffff')
    expect(call('to_hex', ['int4', '-1'])).toBe('ffffffff')
    expect(call('translate', ['text', '12345'], ['text', '143'], ['text', 'ax'])).toBe('a2x5')
    expect(call('quote_ident', ['text', 'Foo bar'])).toBe('"Foo bar"')
    expect(call('quote_literal', ['text', "O'Reilly"])).toBe("'O''Reilly'")
    expect(call('encode', ['bytea', '\\x0102ff'], ['text', 'hex'])).toBe('0102ff')
    expect(call('encode', ['bytea', '\\x68656c6c6f'], ['text', 'base64'])).toBe('aGVsbG8=')
    expect(call('decode', ['text', 'aGVsbG8='], ['text', 'base64'])).toBe('\\x68656c6c6f')
  })

  it('concatenates with concat, concat_ws and format (NULLs skipped)', () => {
    expect(call('concat', ['text', 'abcde'], ['int4', '2'], ['int4', null], ['int4', '22'])).toBe('abcde222')
    expect(call('concat', ['bool', 'true'])).toBe('t')
    expect(call('concat_ws', ['text', ','], ['text', 'abcde'], ['int4', '2'], ['int4', null], ['int4', '22'])).toBe('abcde,2,22')
    expect(call('format', ['text', 'Hello %s, %1$s'], ['text', 'World'])).toBe('Hello World, World')
    expect(call('format', ['text', 'INSERT INTO %I VALUES(%L, %L)'], ['text', 'Foo bar'], ['text', "O'Reilly"], ['text', null])).toBe(
      `INSERT INTO "Foo bar" VALUES('O''Reilly', NULL)`,
    )
    expect(call('format', ['text', '|%-5s|%5s|'], ['text', 'a'], ['text', 'b'])).toBe('|a    |    b|')
  })

  it('handles regular expressions', () => {
    expect(call('regexp_replace', ['text', 'Thomas'], ['text', '.[mN]a.'], ['text', 'M'])).toBe('ThM')
    expect(call('regexp_replace', ['text', 'foobarbaz'], ['text', 'b(..)'], ['text', 'X\\1Y'], ['text', 'g'])).toBe('fooXarYXazY')
    expect(call('regexp_match', ['text', 'foobarbequebaz'], ['text', '(bar)(beque)'])).toBe('{bar,beque}')
    expect(call('regexp_match', ['text', 'abc'], ['text', 'x'])).toBe(null)
    expect(call('regexp_split_to_array', ['text', 'hello world'], ['text', '\\s+'])).toBe('{hello,world}')
    expect(call('string_to_array', ['text', 'xx~~yy~~zz'], ['text', '~~'], ['text', 'yy'])).toBe('{xx,NULL,zz}')
    expect(call('like_escape', ['text', 'a#%b'], ['text', '#'])).toBe('a\\%b')
  })
})

describe('date/time', () => {
  it('reads the statement clock for now() and current_date', () => {
    setStatementTimestamp(parseValue('2024-05-06 07:08:09', typeOf('timestamptz')) as number)
    expect(call('now')).toBe('2024-05-06 07:08:09+00')
    expect(call('current_date')).toBe('2024-05-06')
    expect(call('localtimestamp')).toBe('2024-05-06 07:08:09')
    expect(call('age', ['timestamp', '2024-01-06'])).toBe('4 mons')
    setStatementTimestamp(0)
  })

  it('truncates and extracts fields', () => {
    expect(call('date_trunc', ['text', 'hour'], ['timestamp', '2001-02-16 20:38:40'])).toBe('2001-02-16 20:00:00')
    expect(call('date_trunc', ['text', 'year'], ['timestamp', '2001-02-16 20:38:40'])).toBe('2001-01-01 00:00:00')
    expect(call('date_trunc', ['text', 'week'], ['timestamp', '2024-05-09 10:00'])).toBe('2024-05-06 00:00:00')
    expect(call('date_trunc', ['text', 'quarter'], ['timestamptz', '2024-05-09 10:00+00'])).toBe('2024-04-01 00:00:00+00')
    expect(call('date_trunc', ['text', 'hour'], ['interval', '2 days 3 hours 40 minutes'])).toBe('2 days 03:00:00')
    expect(call('extract', ['text', 'year'], ['timestamp', '2001-02-16 20:38:40'])).toBe('2001')
    expect(call('extract', ['text', 'second'], ['timestamp', '2001-02-16 20:38:40.5'])).toBe('40.500000')
    expect(call('extract', ['text', 'epoch'], ['timestamptz', '2001-02-16 20:38:40.12+00'])).toBe('982355920.120000')
    expect(call('extract', ['text', 'dow'], ['date', '2001-02-16'])).toBe('5')
    expect(call('extract', ['text', 'isodow'], ['date', '2001-02-18'])).toBe('7')
    expect(call('extract', ['text', 'doy'], ['date', '2001-02-16'])).toBe('47')
    expect(call('extract', ['text', 'week'], ['date', '2001-02-16'])).toBe('7')
    expect(call('extract', ['text', 'quarter'], ['date', '2001-02-16'])).toBe('1')
    expect(call('extract', ['text', 'century'], ['date', '2001-02-16'])).toBe('21')
    expect(call('extract', ['text', 'epoch'], ['interval', '5 days 3 hours'])).toBe('442800.000000')
    expect(call('extract', ['text', 'month'], ['interval', '2 years 3 months'])).toBe('3')
    expect(call('date_part', ['text', 'hour'], ['timestamp', '2001-02-16 20:38:40'])).toBe('20')
    expect(() => call('extract', ['text', 'hour'], ['date', '2001-02-16'])).toThrow(expect.objectContaining({ message: 'unit "hour" not supported for type date' }))
    expect(() => call('date_trunc', ['text', 'fortnight'], ['timestamp', '2001-02-16'])).toThrow(expect.objectContaining({ code: '22023' }))
  })

  it('computes age, make_* and justify_*', () => {
    expect(call('age', ['timestamp', '2001-04-10'], ['timestamp', '1957-06-13'])).toBe('43 years 9 mons 27 days')
    expect(call('age', ['timestamp', '1957-06-13'], ['timestamp', '2001-04-10'])).toBe('-43 years -9 mons -27 days')
    expect(call('make_date', ['int4', '2013'], ['int4', '7'], ['int4', '15'])).toBe('2013-07-15')
    expect(() => call('make_date', ['int4', '2013'], ['int4', '2'], ['int4', '30'])).toThrow(expect.objectContaining({ code: '22008', message: 'date field value out of range: 2013-02-30' }))
    expect(call('make_time', ['int4', '8'], ['int4', '15'], ['float8', '23.5'])).toBe('08:15:23.5')
    expect(call('make_timestamp', ['int4', '2013'], ['int4', '7'], ['int4', '15'], ['int4', '8'], ['int4', '15'], ['float8', '23.5'])).toBe('2013-07-15 08:15:23.5')
    expect(call('make_interval', ['int4', '1'], ['int4', '2'], ['int4', '0'], ['int4', '3'])).toBe('1 year 2 mons 3 days')
    expect(call('justify_hours', ['interval', '27 hours'])).toBe('1 day 03:00:00')
    expect(call('justify_days', ['interval', '35 days'])).toBe('1 mon 5 days')
    expect(call('justify_interval', ['interval', '1 mon -1 hour'])).toBe('29 days 23:00:00')
  })

  it('formats with to_char and parses with to_date/to_timestamp', () => {
    const ts: [string, string] = ['timestamp', '2024-03-05 14:07:09.5']
    expect(call('to_char', ts, ['text', 'YYYY-MM-DD HH24:MI:SS.MS'])).toBe('2024-03-05 14:07:09.500')
    expect(call('to_char', ts, ['text', 'HH12:MI AM'])).toBe('02:07 PM')
    expect(call('to_char', ts, ['text', 'Day, DD Month YYYY'])).toBe('Tuesday  , 05 March     2024')
    expect(call('to_char', ts, ['text', 'FMDay, FMDD FMMonth YYYY'])).toBe('Tuesday, 5 March 2024')
    expect(call('to_char', ts, ['text', 'Mon DDth "of" YYYY'])).toBe('Mar 05th of 2024')
    expect(call('to_char', ['interval', '15 hours 2 minutes 12 seconds'], ['text', 'HH24:MI:SS'])).toBe('15:02:12')
    expect(call('to_char', ['numeric', '125.8'], ['text', '999D99'])).toBe(' 125.80')
    expect(call('to_char', ['int4', '-125'], ['text', '999'])).toBe('-125')
    expect(call('to_char', ['numeric', '1234567.891'], ['text', 'FM9,999,999.99'])).toBe('1,234,567.89')
    expect(call('to_char', ['numeric', '0.1'], ['text', '0.99'])).toBe(' 0.10')
    expect(call('to_date', ['text', '05 Dec 2000'], ['text', 'DD Mon YYYY'])).toBe('2000-12-05')
    expect(call('to_timestamp', ['text', '2024-03-05 14:07:09'], ['text', 'YYYY-MM-DD HH24:MI:SS'])).toBe('2024-03-05 14:07:09+00')
    expect(call('to_timestamp', ['float8', '1284352323.5'])).toBe('2010-09-13 04:32:03.5+00')
  })

  it('converts AT TIME ZONE', () => {
    expect(call('timezone', ['text', 'UTC'], ['timestamptz', '2024-01-01 12:00+00'])).toBe('2024-01-01 12:00:00')
    expect(call('timezone', ['text', 'America/New_York'], ['timestamptz', '2024-01-01 12:00+00'])).toBe('2024-01-01 07:00:00')
    expect(call('timezone', ['text', 'Europe/Paris'], ['timestamp', '2024-07-01 12:00'])).toBe('2024-07-01 10:00:00+00')
    expect(() => call('timezone', ['text', 'Mars/Olympus'], ['timestamp', '2024-07-01 12:00'])).toThrow(expect.objectContaining({ message: 'time zone "Mars/Olympus" not recognized' }))
  })
})

describe('json', () => {
  it('builds and inspects json values', () => {
    expect(call('json_build_object', ['text', 'a'], ['int4', '1'], ['text', 'b'], ['text', 'x'])).toBe('{"a" : 1, "b" : "x"}')
    expect(call('jsonb_build_object', ['text', 'b'], ['int4', '1'], ['text', 'a'], ['bool', 'true'])).toBe('{"a": true, "b": 1}')
    expect(call('json_build_array', ['int4', '1'], ['text', 'a'], ['int4', null])).toBe('[1, "a", null]')
    expect(call('to_json', ['text', 'say "hi"'])).toBe('"say \\"hi\\""')
    expect(call('to_jsonb', ['timestamp', '2024-01-02 03:04:05'])).toBe('"2024-01-02T03:04:05"')
    expect(call('to_json', ['int4[]', '{1,2}'])).toBe('[1,2]')
    expect(call('to_jsonb', ['numeric', '1.50'])).toBe('1.50')
    expect(call('json_typeof', ['json', '-123.4'])).toBe('number')
    expect(call('jsonb_typeof', ['jsonb', '{"a": 1}'])).toBe('object')
    expect(call('jsonb_array_length', ['jsonb', '[1, 2, [3]]'])).toBe('3')
    expect(() => call('jsonb_array_length', ['jsonb', '{}'])).toThrow(expect.objectContaining({ code: '22023' }))
    expect(call('jsonb_set', ['jsonb', '[{"f1": 1, "f2": null}, 2]'], ['text[]', '{0,f1}'], ['jsonb', '[2, 3, 4]'])).toBe('[{"f1": [2, 3, 4], "f2": null}, 2]')
    expect(call('jsonb_strip_nulls', ['jsonb', '{"a": null, "b": [null, 1]}'])).toBe('{"b": [null, 1]}')
    expect(call('jsonb_pretty', ['jsonb', '{"a": [1]}'])).toBe('{\n    "a": [\n        1\n    ]\n}')
    expect(call('json_extract_path_text', ['json', '{"f2": {"f3": 1}}'], ['text', 'f2'], ['text', 'f3'])).toBe('1')
  })
})

describe('arrays and system functions', () => {
  it('handles arrays', () => {
    expect(call('array_length', ['int4[]', '{1,2,3}'], ['int4', '1'])).toBe('3')
    expect(call('array_length', ['int4[]', '{}'], ['int4', '1'])).toBe(null)
    expect(call('cardinality', ['int4[]', '{{1,2},{3,4}}'])).toBe('4')
    expect(call('array_append', ['int4[]', '{1,2}'], ['int4', '3'])).toBe('{1,2,3}')
    expect(call('array_prepend', ['int4', '1'], ['int4[]', '{2,3}'])).toBe('{1,2,3}')
    expect(call('array_cat', ['int4[]', '{1,2}'], ['int4[]', '{3}'])).toBe('{1,2,3}')
    expect(call('array_position', ['text[]', '{a,b,c}'], ['text', 'b'])).toBe('2')
    expect(call('array_remove', ['int4[]', '{1,2,3,2}'], ['int4', '2'])).toBe('{1,3}')
    expect(call('array_to_string', ['int4[]', '{1,2,3,NULL,5}'], ['text', ','], ['text', '*'])).toBe('1,2,3,*,5')
    expect(call('array_dims', ['int4[]', '{{1,2},{3,4}}'])).toBe('[1:2][1:2]')
    const any = resolveFunction('array_any', [ty('int4'), ty('int4[]')])!
    const eq = { fn: (a: unknown, b: unknown) => a === b }
    expect(any.fn(2, [1, 2], eq as never)).toBe(true)
    expect(any.fn(5, [1, null], eq as never)).toBe(null)
    expect(any.fn(5, [], eq as never)).toBe(false)
    const all = resolveFunction('array_all', [ty('int4'), ty('int4[]')])!
    expect(all.fn(1, [1, 1], eq as never)).toBe(true)
    expect(all.fn(1, [], eq as never)).toBe(true)
  })

  it('answers system information functions', () => {
    expect(call('version')).toMatch(/^PostgreSQL 16\.0 /)
    expect(call('current_schema')).toBe('public')
    expect(call('current_setting', ['text', 'server_version'])).toBe('16.0')
    expect(() => call('current_setting', ['text', 'nope'])).toThrow(expect.objectContaining({ code: '42704' }))
    expect(call('pg_typeof', ['numeric', '1'])).toBe('numeric')
    expect(call('pg_typeof', ['varchar(3)', 'a'])).toBe('character varying(3)')
    expect(call('gen_random_uuid')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(resolveFunction('gen_random_uuid', [])!.volatile).toBe(true)
    expect(resolveFunction('now', [])!.volatile).toBe(false)
  })
})

describe('SIMILAR TO support', () => {
  it('rewrites patterns for ~ like PostgreSQL similar_to_escape', () => {
    const matches = (s: string, p: string): boolean => new RegExp(call('similar_to_escape', ['text', p])!, 'su').test(s)
    expect(matches('abc', 'abc')).toBe(true)
    expect(matches('abc', 'a')).toBe(false)
    expect(matches('abc', '%(b|d)%')).toBe(true)
    expect(matches('abc', '(b|c)%')).toBe(false)
    expect(matches('a.c', 'a.c')).toBe(true)
    expect(matches('abc', 'a.c')).toBe(false)
    expect(matches('aaa', 'a{2,3}')).toBe(true)
    expect(matches('a_c', 'a\\_c')).toBe(true)
    expect(matches('abc', 'a\\_c')).toBe(false)
  })
})

describe('time precision typmods', () => {
  it('rounds timestamp(p) on cast, half to even like rint', async () => {
    const { resolveCast } = await import('../../../engine/catalog/functions/index.js')
    const { typeFromName } = await import('../../../engine/common/index.js')
    const t0 = typeFromName('timestamp', [0])
    const f = resolveCast(ty('timestamp'), t0, 'assignment')!
    expect(f(parseValue('2024-01-01 10:00:00.5', ty('timestamp')))).toBe(parseValue('2024-01-01 10:00:00', ty('timestamp')))
    expect(f(parseValue('2024-01-01 10:00:01.5', ty('timestamp')))).toBe(parseValue('2024-01-01 10:00:02', ty('timestamp')))
    const f3 = resolveCast(ty('timestamptz'), typeFromName('timestamptz', [3]), 'assignment')!
    expect(f3(1_234_567)).toBe(1_235_000)
  })
})

describe('function-style casts and to_number', () => {
  it('casts through type-named functions', () => {
    expect(call('int4', ['numeric', '2.5'])).toBe('3')
    expect(call('text', ['bool', 'true'])).toBe('true')
    expect(call('date', ['timestamp', '2024-01-02 10:00'])).toBe('2024-01-02')
    expect(call('numeric', ['unknown', '1.50'])).toBe('1.50')
    expect(returnTypeOf('abs', 'unknown')).toBe('float8')
  })

  it('parses numbers with to_number', () => {
    expect(call('to_number', ['text', '12,454.8-'], ['text', '99G999D9S'])).toBe('-12454.8')
    expect(call('to_number', ['text', '1,234.50'], ['text', '9,999.99'])).toBe('1234.50')
  })
})

describe('numeric transcendental scales', () => {
  it('match PostgreSQL result scales', () => {
    expect(call('ln', ['numeric', '2'])).toBe('0.6931471805599453')
    expect(call('ln', ['numeric', '10'])).toBe('2.3025850929940457')
    expect(call('exp', ['numeric', '1'])).toBe('2.7182818284590452')
    expect(call('log', ['numeric', '100'])).toBe('2.0000000000000000')
    expect(call('log', ['numeric', '2'], ['numeric', '64'])).toBe('6.0000000000000000')
    expect(call('sqrt', ['numeric', '100'])).toBe('10.000000000000000')
    expect(call('power', ['numeric', '2'], ['numeric', '0.5'])).toBe('1.4142135623730950')
    expect(call('power', ['numeric', '10'], ['numeric', '3'])).toBe('1000.0000000000000')
    expect(call('power', ['numeric', '2'], ['numeric', '-2'])).toBe('0.2500000000000000')
  })
})

describe('arbitrary-precision ln/exp', () => {
  it('agree with doubles and invert each other (property)', async () => {
    const fc = (await import('fast-check')).default
    const { Decimal } = await import('../../../engine/common/index.js')
    const { decimalExp, decimalLn } = await import('../../../engine/catalog/functions/decimal-math.js')
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1e6, noNaN: true }), (x) => {
        const d = Decimal.fromFloat(x)
        const ln = decimalLn(d, 20)
        expect(ln.toNumber()).toBeCloseTo(Math.log(d.toNumber()), 10)
        const back = decimalExp(ln, 20)
        expect(Math.abs(back.sub(d).toNumber())).toBeLessThan(1e-12 * Math.max(1, d.toNumber()))
      }),
      { numRuns: 60 },
    )
  })
})

describe('json text layout', () => {
  it('prints json (not jsonb) results like PostgreSQL', () => {
    expect(call('json_build_array', ['int4', '1'], ['json', '{"a": 1}'])).toBe('[1, {"a":1}]')
    expect(call('json_build_object', ['text', 'a'], ['json', '[1, 2]'])).toBe('{"a" : [1,2]}')
    expect(call('json_object', ['text[]', '{a,1,b,2}'])).toBe('{"a" : "1", "b" : "2"}')
  })
})

describe('date_trunc in a time zone', () => {
  it('truncates in local time', () => {
    expect(call('date_trunc', ['text', 'day'], ['timestamptz', '2024-01-02 03:00+00'], ['text', 'America/New_York'])).toBe('2024-01-01 05:00:00+00')
    expect(call('date_trunc', ['text', 'day'], ['timestamptz', '2024-01-02 03:00+00'], ['text', 'UTC'])).toBe('2024-01-02 00:00:00+00')
  })
})

describe('to_char numbers', () => {
  it('matches PostgreSQL digit, sign and FM rules', () => {
    const tc = (v: string, f: string): string | null => call('to_char', ['numeric', v], ['text', f])
    expect(tc('-0.1', '99.99')).toBe('  -.10')
    expect(tc('0.5', '9.9')).toBe('  .5')
    expect(tc('0.5', '0.9')).toBe(' 0.5')
    expect(tc('-5', '999')).toBe('  -5')
    expect(tc('5', '999')).toBe('   5')
    expect(tc('0', '999')).toBe('   0')
    expect(tc('1234.5', 'FM9,999.00')).toBe('1,234.50')
    expect(tc('5', 'FM9.99')).toBe('5.')
    expect(tc('12', '9')).toBe(' #')
    expect(tc('485', 'S999')).toBe('+485')
    expect(tc('-485', '999MI')).toBe('485-')
    expect(tc('-485', '999PR')).toBe('<485>')
    expect(tc('148.5', '0999.9')).toBe(' 0148.5')
  })
})

describe('bad arguments', () => {
  it('text functions fail only with RustyErrors (property)', async () => {
    const fc = (await import('fast-check')).default
    const names: [string, string[]][] = [
      ['regexp_replace', ['text', 'text', 'text']],
      ['regexp_match', ['text', 'text']],
      ['regexp_split_to_array', ['text', 'text']],
      ['format', ['text', 'text']],
      ['to_char', ['timestamp', 'text']],
      ['to_char', ['numeric', 'text']],
      ['to_date', ['text', 'text']],
      ['to_timestamp', ['text', 'text']],
      ['to_number', ['text', 'text']],
      ['like_escape', ['text', 'text']],
      ['similar_to_escape', ['text']],
      ['decode', ['text', 'text']],
      ['date_trunc', ['text', 'timestamp']],
      ['extract', ['text', 'timestamptz']],
      ['timezone', ['text', 'timestamptz']],
      ['split_part', ['text', 'text', 'int4']],
    ]
    const value = (t: string, s: string, n: number): unknown =>
      t === 'text' ? s : t === 'int4' ? n : t === 'numeric' ? parseValue(String(n), ty('numeric')) : n * 1_000_000
    for (const [name, types] of names) {
      const impl = resolveFunction(name, types.map(ty))!
      fc.assert(
        fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom('(', '[', '\\', '%', 'YYYY', 'FM9.99', 'hex', '*')), { minLength: 3, maxLength: 3 }), fc.integer({ min: -1000, max: 1000 }), (ss, n) => {
          try {
            impl.fn(...(types.map((t, i) => value(t, ss[i], n)) as never[]))
          } catch (e) {
            expect((e as { name?: string }).name).toBe('RustyError')
          }
        }),
        { numRuns: 150 },
      )
    }
  })
})
