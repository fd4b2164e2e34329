/**
 * Who may preview an upload through `/v1/files/{id}/preview` (§4.12, adapted to Kiln, where the
 * app is the unit of isolation):
 * - an upload attached to messages may be previewed by any end user of an app whose messages
 *   reference it (Dify's message-context rule);
 * - Kiln addition: an upload not yet attached to any message may be previewed by the end user
 *   who uploaded it, through the same app, so a client can show what it is about to send.
 * Everything else answers as Dify does: 404 when no message context exists, 403 when the
 * context belongs to another app.
 */
import type { Db } from "../store/database";
import type { App, EndUser } from "../store/schema";
import { appsReferencingUpload, findUploadFile, type UploadFile } from "../store/upload-files";
import { isUuid } from "../uuid";
import { fileAccessDenied, fileNotFound } from "./file-errors";


/** The upload the caller may preview, or the contract error that says why not. */
export function authorizePreview(db: Db, app: App, endUser: EndUser, fileId: string): UploadFile {
  if (!isUuid(fileId)) throw fileNotFound("File not found in message context");
  const upload = findUploadFile(db, fileId);
  const referencingApps = appsReferencingUpload(db, fileId);
  if (referencingApps.length === 0) {
    const ownUnattachedUpload = upload?.appId === app.id && upload.createdByEndUserId === endUser.id;
    if (!ownUnattachedUpload) throw fileNotFound("File not found in message context");
    return upload;
  }
  if (!referencingApps.includes(app.id)) throw fileAccessDenied("File access denied: not owned by requesting app");
  if (!upload) throw fileNotFound("Upload file record not found");
  if (upload.appId !== app.id) throw fileAccessDenied("File access denied: tenant mismatch");
  return upload;
}
