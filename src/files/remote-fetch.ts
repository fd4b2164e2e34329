/**
 * Requests to client-supplied URLs (`remote_url` files), guarded against server-side request
 * forgery: only http(s); every address the host resolves to must be public unicast — loopback,
 * private, link-local (169.254.x.x, where cloud metadata lives, and fe80::), unique-local,
 * carrier-grade NAT, unspecified, multicast and reserved ranges are refused, IPv4-mapped IPv6
 * included; redirects are followed by hand (at most five) and each target is checked again.
 * `KILN_ALLOW_PRIVATE_REMOTE_FILES` lifts the check wholly (`true`) or for listed CIDR ranges.
 *
 * Known limit: the check resolves the name, then `fetch` resolves it again, so a DNS server
 * that answers differently within that instant (rebinding with a zero TTL) is not stopped.
 */
import { lookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";
import { invalidParam, KilnError } from "../errors";
import type { RemoteAccessPolicy } from "./files-settings";

const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface RemoteRequestOptions {
  method: "GET" | "HEAD";
  access: RemoteAccessPolicy;
  signal: AbortSignal;
}

function isReachable(address: string, access: RemoteAccessPolicy): boolean {
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  if (parsed.range() === "unicast") return true;
  return access.allowedNetworks.some(([network, bits]) => network.kind() === parsed.kind() && parsed.match(network, bits));
}

async function assertReachable(url: URL, access: RemoteAccessPolicy): Promise<void> {
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  let addresses: string[];
  if (ipaddr.isValid(host)) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
    } catch {
      throw invalidParam(`Failed to resolve remote file host: ${host}`);
    }
  }
  if (addresses.length === 0 || !addresses.every((address) => isReachable(address, access))) {
    throw invalidParam(`Remote file URL is not allowed: ${host} is a private or reserved address`);
  }
}

/** Parses a client's URL; only http and https are fetched (§5.2: `Invalid file url`). */
export function parseRemoteUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidParam("Invalid file url");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw invalidParam("Invalid file url");
  return url;
}

/** Fetches a remote URL through the guard; the answer of the last hop, and its URL. */
export async function fetchRemote(raw: string, options: RemoteRequestOptions): Promise<{ response: Response; url: URL }> {
  let url = parseRemoteUrl(raw);
  for (let hop = 0; ; hop++) {
    if (!options.access.allowAll) await assertReachable(url, options.access);
    let response: Response;
    try {
      response = await fetch(url, { method: options.method, redirect: "manual", signal: options.signal });
    } catch (error) {
      if (options.signal.aborted) throw invalidParam(`Timed out fetching remote file: ${url.href}`);
      throw invalidParam(`Failed to fetch remote file: ${(error as Error).message}`);
    }
    const location = response.headers.get("location");
    if (!REDIRECT_STATUSES.has(response.status) || !location) return { response, url };
    await response.body?.cancel();
    if (hop >= MAX_REDIRECTS) throw invalidParam(`Too many redirects fetching remote file: ${raw}`);
    url = parseRemoteUrl(new URL(location, url).href);
  }
}

/** Reads a response body, refusing it once it passes `maxBytes`. */
export async function readCapped(response: Response, maxBytes: number, label: string): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? 0);
  const tooLarge = () => new KilnError("file_too_large", 413, `Remote file ${label} exceeds the size limit of ${maxBytes} bytes`);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of (response.body ?? []) as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    // Leaving the loop cancels the body, so the rest is never downloaded.
    if (total > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
