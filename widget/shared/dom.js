// @ts-check
// Owns building DOM nodes from plain data, shared by the agent console (imported as an ES module)
// and the customer widget (core assembles it into chat-widget.js at build time). User content
// only ever becomes text: `text` sets textContent and string children become text nodes.

/**
 * Attribute values `createElement` accepts: `text` is the node's text, `on<event>` a listener,
 * `value` / `checked` / `selected` / `disabled` / `hidden` set the element's property, anything
 * else an attribute (`true` as an empty attribute; `false`, `null` and `undefined` leave it out).
 * @typedef {Record<string, any>} ElementAttributes
 */

/** @typedef {Node | string | null | undefined | false} ElementChild */

const BOOLEAN_PROPERTIES = ['checked', 'selected', 'disabled', 'hidden'];

/**
 * A new `tag` element with `attributes` and `children`.
 * @template {keyof HTMLElementTagNameMap} Tag
 * @param {Tag} tag
 * @param {ElementAttributes} [attributes]
 * @param {ElementChild[]} [children]
 * @returns {HTMLElementTagNameMap[Tag]}
 */
export function createElement(tag, attributes, children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (name === 'text') {
      element.textContent = value;
    } else if (name.startsWith('on')) {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'value') {
      /** @type {any} */ (element).value = value == null ? '' : value;
    } else if (BOOLEAN_PROPERTIES.includes(name)) {
      /** @type {any} */ (element)[name] = Boolean(value);
    } else if (value != null && value !== false) {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children || []) {
    if (child == null || child === false) continue;
    element.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}
