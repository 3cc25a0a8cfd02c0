/**
 * Queries built and compiled once, then run with new parameters. Kysely builds and compiles a
 * query on every call; for the reads Fin makes on every sync that cost more CPU than running them.
 *
 * The builder is called once per dialect with placeholder values; the compiled SQL keeps them as
 * bound parameters, so later calls only put the real values in their places.
 *
 *   const byId = prepared((db, id: string) => db.selectFrom('end_users').selectAll().where('id', '=', id));
 *   const rows = await byId.run(executor, dialect, userId);
 */
import { CompiledQuery, type Compilable, type Kysely } from 'kysely';
import type { Dialect } from './database.js';
import { DEFERRABLE } from './named-statements.js';
import type { Schema } from './schema.js';

/** Stands for the index-th argument while the query is built. */
class Placeholder {
  constructor(readonly index: number) {}
}

interface Compiled {
  sql: string;
  /** For each bound parameter: the argument it takes, or the constant the builder wrote. */
  parameters: ({ argument: number } | { constant: unknown })[];
}

export interface PreparedQuery<Args extends unknown[], Row> {
  run(db: Kysely<Schema>, dialect: Dialect, ...args: Args): Promise<Row[]>;
  /**
   * Runs it for its effect only: in a transaction on PostgreSQL it is held and sent with the
   * transaction's next statement (named-statements.ts), so it resolves at once and its error, if
   * any, fails that statement instead. Elsewhere the same as `run`.
   */
  send(db: Kysely<Schema>, dialect: Dialect, ...args: Args): Promise<void>;
}

/**
 * `arity`: how many arguments the builder takes after `db`; by default its declared parameters,
 * which a builder with rest parameters (`(db, ...columns)`) has none of, so it must say.
 */
export function prepared<Args extends unknown[], Row>(
  build: (db: Kysely<Schema>, ...args: Args) => Compilable<Row>,
  arity = build.length - 1,
): PreparedQuery<Args, Row> {
  const compiled = new Map<Dialect, Compiled>();
  const compile = (db: Kysely<Schema>, dialect: Dialect): Compiled => {
    let query = compiled.get(dialect);
    if (!query) {
      const placeholders = Array.from({ length: arity }, (_, index) => new Placeholder(index)) as unknown as Args;
      const { sql, parameters } = build(db, ...placeholders).compile();
      query = {
        sql,
        parameters: parameters.map((value) => (value instanceof Placeholder ? { argument: value.index } : { constant: value })),
      };
      compiled.set(dialect, query);
    }
    return query;
  };
  const execute = (db: Kysely<Schema>, query: Compiled, sql: string, args: Args) =>
    db.executeQuery<Row>(
      CompiledQuery.raw(
        sql,
        query.parameters.map((parameter) => ('argument' in parameter ? args[parameter.argument] : parameter.constant)),
      ),
    );
  return {
    async run(db, dialect, ...args) {
      const query = compile(db, dialect);
      return (await execute(db, query, query.sql, args)).rows;
    },
    async send(db, dialect, ...args) {
      const query = compile(db, dialect);
      await execute(db, query, dialect === 'postgres' ? query.sql + DEFERRABLE : query.sql, args);
    },
  };
}
