/**
 * The only door from the bench into the test suite's harness: a throwaway PostgreSQL server (the
 * one the tests start) and the reading of Finch's first-start banner. Both modules are plain Node
 * (no test framework), and test/architecture.test.ts keeps it so: no other bench file may import
 * from test/, and these may not import vitest or the rest of test/.
 */
export { createDatabase, startPostgres } from '../../test/support/postgres-server.js';
export { finClientFromBanner } from '../../test/support/process.js';
