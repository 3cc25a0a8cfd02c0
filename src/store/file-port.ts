/** Files agents attach to replies, and the key that signs their URLs. */
export interface StoredFile {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  uploadedBy: string | null;
  createdAt: string;
}

export interface FileStore {
  saveFile(file: StoredFile & { data: Buffer }): Promise<void>;
  readFile(id: string): Promise<(StoredFile & { data: Buffer }) | undefined>;
  /** The key that signs file URLs: made once per database, the same on every node. */
  fileSigningKey(): Promise<Buffer>;
}
