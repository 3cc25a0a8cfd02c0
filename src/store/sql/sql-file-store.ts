import { randomBytes } from 'node:crypto';
import type { FileStore, StoredFile } from '../file-port.js';
import type { SqlScope } from './database.js';
import { json } from './rows.js';

const SIGNING_KEY = 'file_signing_key';

export class SqlFileStore implements FileStore {
  private key: Buffer | undefined;

  /** Over the database, or over a write transaction (the unit of work): see database.ts's `SqlScope`. */
  constructor(private readonly scope: SqlScope) {}

  async saveFile(file: StoredFile & { data: Buffer }): Promise<void> {
    await this.scope.db
      .insertInto('files')
      .values({
        id: file.id,
        filename: file.filename,
        content_type: file.contentType,
        size: file.size,
        data: file.data,
        uploaded_by: file.uploadedBy,
        created_at: file.createdAt,
      })
      .execute();
  }

  async readFile(id: string): Promise<(StoredFile & { data: Buffer }) | undefined> {
    const row = await this.scope.db.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    return {
      id: row.id,
      filename: row.filename,
      contentType: row.content_type,
      size: row.size,
      uploadedBy: row.uploaded_by,
      createdAt: row.created_at,
      data: Buffer.from(row.data),
    };
  }

  async fileSigningKey(): Promise<Buffer> {
    if (this.key) return this.key;
    const { db } = this.scope;
    // Several nodes may start at once: the first insert wins, and everyone reads the winner.
    await db
      .insertInto('settings')
      .values({ key: SIGNING_KEY, value: JSON.stringify({ key: randomBytes(32).toString('base64') }), updated_at: new Date().toISOString() })
      .onConflict((conflict) => conflict.column('key').doNothing())
      .execute();
    const row = await db.selectFrom('settings').select('value').where('key', '=', SIGNING_KEY).executeTakeFirstOrThrow();
    // An object, not a bare string: jsonb hands strings back already parsed, and json() would parse again.
    this.key = Buffer.from(json<{ key: string }>(row.value).key, 'base64');
    return this.key;
  }
}
