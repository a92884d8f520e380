import { describe, expect, it } from 'vitest';
import { guardSelect, tokenizeCql } from './cql-guard';
import { HttpError } from '../../../engine/shared/http-error';

function rejected(cql: string): HttpError {
  try {
    guardSelect(cql, 100);
  } catch (e) {
    expect(e).toBeInstanceOf(HttpError);
    expect((e as HttpError).status).toBe(400);
    expect((e as HttpError).field).toBe('cql');
    return e as HttpError;
  }
  throw new Error(`accepted: ${cql}`);
}

describe('tokenizeCql', () => {
  it('keeps strings, quoted identifiers, $$ strings and comments whole', () => {
    const t = tokenizeCql(`SELECT "a""b", 'it''s; -- no' , $$x;y$$ /* c; */ -- end\nFROM k.t // x`);
    const kinds = t.filter((x) => x.kind !== 'space').map((x) => [x.kind, x.text]);
    expect(kinds).toEqual([
      ['word', 'SELECT'],
      ['qident', '"a""b"'],
      ['punct', ','],
      ['string', "'it''s; -- no'"],
      ['punct', ','],
      ['string', '$$x;y$$'],
      ['comment', '/* c; */'],
      ['comment', '-- end'],
      ['word', 'FROM'],
      ['word', 'k'],
      ['punct', '.'],
      ['word', 't'],
      ['comment', '// x'],
    ]);
  });

  it('rejects unterminated strings, identifiers and comments', () => {
    expect(rejected(`SELECT * FROM t WHERE a = 'x`).code).toBe('invalid_cql');
    expect(rejected(`SELECT "x FROM t`).code).toBe('invalid_cql');
    expect(rejected(`SELECT * FROM t /* x`).code).toBe('invalid_cql');
    expect(rejected(`SELECT $$ FROM t`).code).toBe('invalid_cql');
  });
});

describe('guardSelect', () => {
  it('appends a LIMIT when there is none', () => {
    expect(guardSelect('select * from ks.t where a = 1', 50)).toEqual({ cql: 'select * from ks.t where a = 1 LIMIT 50', limit: 50 });
    expect(guardSelect('SELECT * FROM ks.t;  ', 10).cql).toBe('SELECT * FROM ks.t LIMIT 10');
  });

  it('clamps an existing LIMIT, keeps a smaller one, ignores PER PARTITION LIMIT', () => {
    expect(guardSelect('SELECT * FROM t LIMIT 5000', 100)).toEqual({ cql: 'SELECT * FROM t LIMIT 100', limit: 100 });
    expect(guardSelect('SELECT * FROM t limit 7;', 100)).toEqual({ cql: 'SELECT * FROM t limit 7', limit: 7 });
    expect(guardSelect('SELECT * FROM t PER PARTITION LIMIT 2', 100).cql).toBe('SELECT * FROM t PER PARTITION LIMIT 2 LIMIT 100');
    expect(guardSelect('SELECT * FROM t PER PARTITION LIMIT 2 LIMIT 3', 100).cql).toBe('SELECT * FROM t PER PARTITION LIMIT 2 LIMIT 3');
  });

  it('does not mistake words inside strings or quoted identifiers for keywords', () => {
    const r = guardSelect(`SELECT "limit" FROM t WHERE k = 'x LIMIT 99999; DROP TABLE t' AND c = $$ALLOW FILTERING$$`, 20);
    expect(r.cql).toBe(`SELECT "limit" FROM t WHERE k = 'x LIMIT 99999; DROP TABLE t' AND c = $$ALLOW FILTERING$$ LIMIT 20`);
  });

  it('keeps unquoted uuid and number literals as written', () => {
    expect(guardSelect('SELECT * FROM t WHERE id = 550e8400-e29b-41d4-a716-446655440000 AND x = -1.5e3', 5).cql).toBe(
      'SELECT * FROM t WHERE id = 550e8400-e29b-41d4-a716-446655440000 AND x = -1.5e3 LIMIT 5',
    );
  });

  it('drops comments, replacing them by a space', () => {
    expect(guardSelect('SELECT/* hi */*\nFROM t -- trailing', 5).cql).toBe('SELECT *\nFROM t LIMIT 5');
  });

  it.each(['INSERT INTO t (a) VALUES (1)', 'UPDATE t SET a = 1 WHERE k = 1', 'DELETE FROM t WHERE k = 1', 'DROP TABLE t', 'TRUNCATE t', 'ALTER TABLE t ADD x int', 'CREATE TABLE x (a int PRIMARY KEY)', 'BEGIN BATCH INSERT INTO t (a) VALUES (1); APPLY BATCH', 'USE system', 'GRANT SELECT ON ALL KEYSPACES TO bob', 'LIST ROLES', '(SELECT * FROM t)'])(
    'refuses %s',
    (cql) => {
      expect(rejected(cql).code).toBe('not_select');
    },
  );

  it('names the statement it refused', () => {
    expect(rejected('  insert into t (a) values (1)').message).toMatch(/starts with INSERT/);
  });

  it('refuses two statements, also when a comment hides the second', () => {
    expect(rejected('SELECT * FROM t; DROP TABLE t').code).toBe('multiple_statements');
    expect(rejected('SELECT * FROM t; SELECT * FROM u').code).toBe('multiple_statements');
    expect(rejected('SELECT * FROM t;/* */DROP TABLE t').code).toBe('multiple_statements');
    expect(rejected('SELECT * FROM t;;').code).toBe('multiple_statements');
    // a comment that *looks* like it hides a statement is just a comment
    expect(guardSelect('SELECT * FROM t -- ; DROP TABLE t', 5).cql).toBe('SELECT * FROM t LIMIT 5');
    // and a comment cannot hide the start of a non-SELECT
    expect(rejected('/* SELECT */ DROP TABLE t').code).toBe('not_select');
  });

  it('refuses ALLOW FILTERING in any case or spacing', () => {
    expect(rejected('SELECT * FROM t WHERE a = 1 ALLOW FILTERING').code).toBe('allow_filtering');
    expect(rejected('select * from t where a = 1 allow /* x */\n filtering;').code).toBe('allow_filtering');
    expect(rejected('SELECT * FROM t WHERE a = 1 LIMIT 5 ALLOW FILTERING').code).toBe('allow_filtering');
  });

  it('refuses bind markers, a bad LIMIT, empty input and huge input', () => {
    expect(rejected('SELECT * FROM t WHERE k = ?').code).toBe('bind_marker');
    expect(rejected('SELECT * FROM t LIMIT :n').code).toBe('bind_marker');
    expect(rejected('SELECT * FROM t LIMIT x').code).toBe('invalid_cql');
    expect(rejected('   -- nothing\n').code).toBe('empty_cql');
    expect(rejected(';').code).toBe('empty_cql');
    expect(rejected(`SELECT * FROM t WHERE k = '${'x'.repeat(30_000)}'`).code).toBe('cql_too_long');
  });
});
