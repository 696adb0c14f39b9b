// @ts-check
// Owns filling `{name}` placeholders of user-facing strings, shared by the agent console (an ES
// module import) and the customer widget (assembled into chat-widget.js by core at build time).

/**
 * `template` with every `{name}` replaced by `values[name]` (empty when absent).
 * @param {string} template
 * @param {Record<string, string | number | null | undefined>} [values]
 * @returns {string}
 */
export function fillTemplate(template, values) {
  return String(template).replace(/\{(\w+)\}/g, (_placeholder, name) => {
    const value = values ? values[name] : undefined;
    return value == null ? '' : String(value);
  });
}
