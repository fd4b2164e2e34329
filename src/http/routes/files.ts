/**
 * File routes: `POST /v1/files/upload` (§4.11), `GET /v1/files/{id}/preview` (§4.12) and the
 * signed link `GET /files/{id}/file-preview` (§10.2), served outside `/v1` without a key.
 */
import { Type } from "@sinclair/typebox";
import { Elysia } from "elysia";
import { badRequest } from "../../errors";
import { fileNotFound } from "../../files/file-errors";
import { fileResponse } from "../../files/file-response";
import { authorizePreview } from "../../files/preview-access";
import { isUuid } from "../../uuid";
import { receiveUpload } from "../../files/receive-upload";
import { signFileUrl, verifyFileSignature } from "../../files/signed-url";
import type { Services } from "../../services";
import { toSeconds } from "../../store/clock";
import { findUploadFile, type UploadFile } from "../../store/upload-files";
import { apiKeyGuard } from "../api-key-guard";
import { jsonResponse } from "../json-response";
import { validateQuery } from "../request-input";

const PreviewQuery = Type.Object({
  as_attachment: Type.Optional(Type.Boolean()),
  user: Type.Optional(Type.String()),
});

const SignedPreviewQuery = Type.Object({
  timestamp: Type.Optional(Type.String()),
  nonce: Type.Optional(Type.String()),
  sign: Type.Optional(Type.String()),
  as_attachment: Type.Optional(Type.Boolean()),
});

/** The §4.11 upload body: the documented fields plus the ones Dify always sends. */
function uploadFileJson(services: Services, file: UploadFile) {
  return {
    id: file.id,
    name: file.name,
    size: file.size,
    extension: file.extension,
    mime_type: file.mimeType,
    created_by: file.createdByEndUserId,
    created_at: toSeconds(file.createdAt),
    preview_url: null,
    source_url: signFileUrl(services, file.id),
    original_url: null,
    user_id: null,
    tenant_id: file.appId,
    conversation_id: null,
    file_key: null,
  };
}

const v1FileRoutes = (services: Services) =>
  new Elysia({ prefix: "/v1" })
    .use(apiKeyGuard(services))
    .post(
      "/files/upload",
      async ({ app, request }) => {
        const upload = await receiveUpload(services, app, request, (user) => services.endUsers.resolve(app, user, false).id);
        return jsonResponse(uploadFileJson(services, upload), 201);
      },
      // The body is streamed by the handler; Elysia must not read it first.
      { parse: "none" },
    )
    .get("/files/:file_id/preview", ({ app, request, params }) => {
      const query = validateQuery(PreviewQuery, request);
      const endUser = services.endUsers.resolve(app, query.user, false);
      const upload = authorizePreview(services.db, app, endUser, params.file_id);
      return fileResponse(services.settings.dataDir, upload, {
        asAttachment: query.as_attachment ?? false,
        range: request.headers.get("range"),
        cacheable: true,
      });
    });

const INVALID_SIGNATURE = "File not found or signature is invalid";

/** `/files/<id>/file-preview`: at the root, outside `/v1` and without an API key. */
const signedFileRoutes = (services: Services) =>
  new Elysia().get("/files/:file_id/file-preview", ({ request, params }) => {
    const query = validateQuery(SignedPreviewQuery, request);
    const { timestamp, nonce, sign } = query;
    if (!timestamp || !nonce || !sign) throw badRequest("Invalid request.");
    if (!isUuid(params.file_id) || !verifyFileSignature(services, params.file_id, { timestamp, nonce, sign })) {
      throw fileNotFound(INVALID_SIGNATURE);
    }
    const upload = findUploadFile(services.db, params.file_id);
    if (!upload) throw fileNotFound(INVALID_SIGNATURE);
    return fileResponse(services.settings.dataDir, upload, {
      asAttachment: query.as_attachment ?? false,
      range: request.headers.get("range"),
      cacheable: false,
    });
  });

/** Every file route. The signed link comes first so the `/v1` key guard never covers it. */
export const fileRoutes = (services: Services) => new Elysia().use(signedFileRoutes(services)).use(v1FileRoutes(services));
