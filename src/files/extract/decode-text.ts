import { detect } from "chardet";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Bun types decoder labels as a closed union; detected names are checked by the constructor instead. */
type DecoderLabel = ConstructorParameters<typeof TextDecoder>[0];

/**
 * Decodes the bytes of a text document. UTF-8 (with or without BOM) and BOM-marked UTF-16 are
 * read as such; anything else goes through charset detection, as Dify does with
 * charset_normalizer, so GBK or Windows-1252 uploads read correctly instead of as mojibake.
 */
export function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes.subarray(2));
  try {
    // The decoder drops a UTF-8 BOM itself.
    return utf8.decode(bytes);
  } catch {
    return new TextDecoder(supportedEncoding(detect(bytes)) as DecoderLabel).decode(bytes);
  }
}

/** Detected names the platform cannot decode fall back to Windows-1252, which maps every byte. */
function supportedEncoding(detected: string | null): string {
  if (detected === null) return "windows-1252";
  try {
    return new TextDecoder(detected as DecoderLabel).encoding;
  } catch {
    return "windows-1252";
  }
}

/** The bytes of a binary document as a fresh ArrayBuffer, which some readers require. */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer;
}
