/** Uploaded files' metadata and the message attachments that reference them. */
import { and, eq } from "drizzle-orm";
import type { Db } from "./database";
import { messageFiles, messages, uploadFiles } from "./schema";

export type UploadFile = typeof uploadFiles.$inferSelect;
export type MessageFile = typeof messageFiles.$inferSelect;

export function insertUploadFile(db: Db, file: UploadFile): void {
  db.insert(uploadFiles).values(file).run();
}

export function findUploadFile(db: Db, id: string): UploadFile | undefined {
  return db.select().from(uploadFiles).where(eq(uploadFiles.id, id)).get();
}

/** An upload of this app: files are isolated per app (Kiln's tenant). */
export function findAppUploadFile(db: Db, appId: string, id: string): UploadFile | undefined {
  return db
    .select()
    .from(uploadFiles)
    .where(and(eq(uploadFiles.id, id), eq(uploadFiles.appId, appId)))
    .get();
}

/** The apps whose messages reference an upload, for the preview access rule (§4.12). */
export function appsReferencingUpload(db: Db, uploadFileId: string): string[] {
  return db
    .selectDistinct({ appId: messages.appId })
    .from(messageFiles)
    .innerJoin(messages, eq(messages.id, messageFiles.messageId))
    .where(eq(messageFiles.uploadFileId, uploadFileId))
    .all()
    .map((row) => row.appId);
}

/** Records a message's attachments and marks the uploads among them as used. */
export function insertMessageFiles(db: Db, rows: MessageFile[]): void {
  if (rows.length === 0) return;
  db.transaction((tx) => {
    tx.insert(messageFiles).values(rows).run();
    for (const row of rows) {
      if (row.uploadFileId) tx.update(uploadFiles).set({ used: true }).where(eq(uploadFiles.id, row.uploadFileId)).run();
    }
  });
}
