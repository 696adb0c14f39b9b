// @ts-check
// Owns one REST call to the chat API: the bearer token, a JSON or raw body, and turning the
// server's error body into an `ApiError`. Shared by the agent console (an ES module import) and
// the customer widget (assembled into chat-widget.js by core at build time).

/** @typedef {import('../types/protocol').ErrorBody} ErrorBody */

/** A refused REST call: the HTTP status and the server's error code and field, if it sent them. */
export class ApiError extends Error {
  /**
   * @param {string} message
   * @param {number} status
   * @param {string | undefined} code
   * @param {string | undefined} field
   */
  constructor(message, status, code, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

/**
 * @typedef {object} ApiCall
 * @property {string} method
 * @property {string | null} [token] the bearer token, if any
 * @property {unknown} [json] a body sent as JSON
 * @property {Blob} [rawBody] a body sent as it is (a file upload)
 */

/**
 * Calls `url` and answers its JSON body (`null` for 204); a non-2xx answer throws `ApiError`.
 * @param {string} url
 * @param {ApiCall} call
 * @returns {Promise<any>}
 */
export async function requestJson(url, call) {
  /** @type {Record<string, string>} */
  const headers = {};
  if (call.token) headers.Authorization = 'Bearer ' + call.token;
  /** @type {BodyInit | undefined} */
  let body;
  if (call.rawBody !== undefined) {
    body = call.rawBody;
  } else if (call.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(call.json);
  }
  const response = await fetch(url, { method: call.method, headers, body });
  if (response.status === 204) return null;
  const parsed = await response.json().catch(() => ({}));
  if (!response.ok) {
    /** @type {Partial<ErrorBody['error']>} */
    const detail = (parsed && parsed.error) || {};
    throw new ApiError(detail.message || response.statusText, response.status, detail.code, detail.field || undefined);
  }
  return parsed;
}
