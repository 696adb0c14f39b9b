// @ts-check
// Owns the console's calls to the chat API: where the API is (one level above the console, so
// a host may mount everything under any prefix such as /support), the agent's bearer token on
// every REST call, and signing out when the server stops accepting the token.

import { requestJson } from '../shared/http.js';
import { state } from './state.js';

/** The API's path: `/support/console/api.js` talks to `/support/v1/chat/...`. */
export const API_BASE = new URL('..', import.meta.url).pathname.replace(/\/$/, '');

/** @type {() => void} */
let onSignedOut = () => {};

/**
 * What to do when the server answers 401 (the token expired or was revoked).
 * @param {() => void} handler
 */
export function whenSignedOut(handler) {
  onSignedOut = handler;
}

/**
 * A REST call as the signed-in agent; `path` starts with `/v1/chat/`.
 * @param {string} method
 * @param {string} path
 * @param {unknown} [json] the body, sent as JSON
 * @param {Blob} [rawBody] a file, sent as it is
 * @returns {Promise<any>}
 */
export async function callApi(method, path, json, rawBody) {
  try {
    return await requestJson(API_BASE + path, { method, token: state.token, json, rawBody });
  } catch (error) {
    if (/** @type {{ status?: number }} */ (error).status === 401) onSignedOut();
    throw error;
  }
}

/**
 * The path of session `sessionId`, followed by `rest`.
 * @param {string} sessionId
 * @param {string} [rest]
 */
export function sessionPath(sessionId, rest) {
  return '/v1/chat/sessions/' + encodeURIComponent(sessionId) + (rest || '');
}

/**
 * Downloads attachment `attachmentId` with the agent's token.
 * @param {string} attachmentId
 * @returns {Promise<Blob>}
 */
export async function fetchAttachment(attachmentId) {
  const response = await fetch(API_BASE + '/v1/chat/attachments/' + encodeURIComponent(attachmentId), {
    headers: { Authorization: 'Bearer ' + state.token },
  });
  if (!response.ok) throw new Error(response.statusText);
  return response.blob();
}

/**
 * The socket URL for a one-time `ticket`.
 * @param {string} ticket
 */
export function socketUrl(ticket) {
  return location.origin.replace(/^http/, 'ws') + API_BASE + '/v1/chat/ws?ticket=' + encodeURIComponent(ticket);
}
