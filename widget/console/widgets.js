// @ts-check
// Owns the widgets page: the widget list and the editor form (general settings, appearance,
// uploads, data retention, business hours), saving with field-level errors, the embed code
// and deleting.
// A new widget's form starts from the defaults the server sends; nothing here repeats them.

/** @typedef {import('../types/protocol').WidgetView} WidgetView */
/** @typedef {import('../types/protocol').WidgetDefaults} WidgetDefaults */
/** @typedef {import('../types/protocol').BusinessHours} BusinessHours */
/** @typedef {import('../shared/http.js').ApiError} ApiError */

import { createElement } from '../shared/dom.js';
import { callApi } from './api.js';
import { copyToClipboard } from './dialogs.js';
import { drawShell, reportError, toast } from './layout.js';
import { state } from './state.js';
import { say } from './strings.js';

const MEGABYTE = 1048576;
const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
/** Time zones offered by browsers that cannot list their own. */
const FALLBACK_TIME_ZONES = [
  'UTC', 'Europe/Berlin', 'Europe/London', 'America/New_York', 'America/Los_Angeles', 'Asia/Tokyo',
];
const THEMES = [
  ['auto', 'Follow the visitor\'s system'],
  ['light', 'Light'],
  ['dark', 'Dark'],
];
const OFFLINE_BEHAVIOURS = [
  ['show_message', 'Show offline message'],
  ['collect_contact', 'Collect contact information'],
  ['redirect', 'Redirect to contact form'],
];

/** The widgets page's elements. */
const widgetsPage = {
  grid: /** @type {HTMLElement | null} */ (null),
  list: /** @type {HTMLElement | null} */ (null),
  editor: /** @type {HTMLElement | null} */ (null),
};

/**
 * The form's values: a widget's settings, or a new widget's defaults.
 * @typedef {Omit<WidgetDefaults, 'max_upload_bytes_ceiling'> & {
 *   name: string, domain: string, allowed_domains: string[], business_hours: BusinessHours | null
 * }} WidgetForm
 */

/**
 * Draws the widgets page with the widget being edited (or the first) in the editor.
 * @param {() => void} signOut
 */
export function drawWidgetsPage(signOut) {
  const main = drawShell('widgets', signOut);
  const grid = createElement('div', { class: 'widgets' });
  const list = createElement('ul', { class: 'list', 'aria-label': say('widgets') });
  const editor = createElement('section', { class: 'editor', 'aria-label': 'Widget settings' });
  const create = createElement('button', {
    class: 'btn primary', type: 'button', text: say('createWidget'), onclick: () => editWidget(null, signOut),
  });
  grid.appendChild(createElement('section', { class: 'col listcol' }, [
    createElement('div', { class: 'toolbar' }, [create]),
    list,
  ]));
  grid.appendChild(editor);
  main.appendChild(grid);
  Object.assign(widgetsPage, { grid, list, editor });
  renderWidgetList(signOut);
  const editing = state.editingWidgetId ? state.widgets.find((widget) => widget.id === state.editingWidgetId) : null;
  editWidget(state.editingWidgetId ? editing || null : state.widgets[0] || null, signOut);
}

/** @param {() => void} signOut */
function renderWidgetList(signOut) {
  const list = widgetsPage.list;
  if (!list) return;
  list.textContent = '';
  state.widgets.forEach((widget) => {
    list.appendChild(createElement('li', {}, [createElement('button', {
      type: 'button',
      'aria-current': String(state.editingWidgetId === widget.id),
      onclick: () => editWidget(widget, signOut),
    }, [
      createElement('span', { class: 'dot', style: 'background:' + widget.primary_color, 'aria-hidden': 'true' }),
      createElement('span', { class: 'name', text: widget.name }),
      createElement('span'),
      createElement('span', { class: 'sub', text: widget.domain }),
    ])]));
  });
}

/**
 * The form's starting values: `widget`'s, or the server's defaults for a new one.
 * @param {WidgetView | null} widget
 * @returns {WidgetForm}
 */
function formValues(widget) {
  if (widget) return widget;
  const { max_upload_bytes_ceiling: _ceiling, ...defaults } = /** @type {WidgetDefaults} */ (state.widgetDefaults);
  return { ...defaults, name: '', domain: '', allowed_domains: [], business_hours: null };
}

/** @typedef {HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement} FormInput */

/**
 * The editor's inputs by wire field name, and the error slot of each field (and of the
 * business hours as a whole).
 * @typedef {object} EditorFields
 * @property {Map<string, FormInput>} inputs
 * @property {Map<string, HTMLElement>} errors
 */

/**
 * Opens `widget` (or a new one, `null`) in the editor.
 * @param {WidgetView | null} widget
 * @param {() => void} signOut
 */
function editWidget(widget, signOut) {
  state.editingWidgetId = widget ? widget.id : null;
  renderWidgetList(signOut);
  widgetsPage.grid?.classList.add('open');
  const values = formValues(widget);
  /** @type {EditorFields} */
  const fields = { inputs: new Map(), errors: new Map() };
  const hours = businessHoursFields(values.business_hours);
  const hoursError = createElement('span', { class: 'err wide' });
  fields.errors.set('business_hours', hoursError);
  const embedBox = createElement('textarea', {
    class: 'embed wide', readonly: true, hidden: true, 'aria-label': 'Embed code',
  });
  const save = () => saveWidget(widget, fields, hours, signOut);
  const editor = /** @type {HTMLElement} */ (widgetsPage.editor);
  editor.textContent = '';
  editor.appendChild(createElement('form', {
    novalidate: true,
    onsubmit: (/** @type {Event} */ event) => {
      event.preventDefault();
      save();
    },
  }, [
    editorTitleRow(widget, embedBox, signOut),
    embedBox,
    generalFieldset(values, fields),
    appearanceFieldset(values, fields),
    settingsFieldset(values, fields),
    retentionFieldset(values, fields),
    hours.fieldset(hoursError),
  ]));
}

/**
 * The title with "Copy embed code", "Delete" (existing widgets) and "Save".
 * @param {WidgetView | null} widget
 * @param {HTMLTextAreaElement} embedBox
 * @param {() => void} signOut
 */
function editorTitleRow(widget, embedBox, signOut) {
  const title = createElement('h1', {
    text: widget ? widget.name : say('createWidget'), style: 'margin:0;font-size:20px;flex:1',
  });
  const save = createElement('button', { class: 'btn primary', type: 'submit', text: say('save') });
  if (!widget) return createElement('div', { class: 'row' }, [title, save]);
  const widgetPath = '/v1/chat/widgets/' + encodeURIComponent(widget.id);
  const embed = createElement('button', {
    class: 'btn',
    type: 'button',
    text: say('embed'),
    onclick: () => {
      callApi('GET', widgetPath + '/embed').then((answer) => {
        embedBox.hidden = false;
        embedBox.value = answer.embed_code;
        embedBox.select();
        copyToClipboard(answer.embed_code);
      }, reportError);
    },
  });
  const remove = createElement('button', {
    class: 'btn danger',
    type: 'button',
    text: say('del'),
    onclick: () => {
      if (!confirm('Delete widget ' + widget.name + '?')) return;
      callApi('DELETE', widgetPath).then(() => {
        state.widgets = state.widgets.filter((other) => other.id !== widget.id);
        state.editingWidgetId = null;
        drawWidgetsPage(signOut);
      }, reportError);
    },
  });
  return createElement('div', { class: 'row' }, [title, embed, remove, save]);
}

/**
 * A labelled input registered under `key`, with an optional hint and its error slot.
 * @param {EditorFields} fields
 * @param {string} key
 * @param {string} label
 * @param {HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement} input
 * @param {{ wide?: boolean, hint?: string }} [layout]
 */
function field(fields, key, label, input, layout) {
  const error = createElement('span', { class: 'err', id: 'err-' + key });
  fields.inputs.set(key, input);
  fields.errors.set(key, error);
  input.setAttribute('aria-describedby', 'err-' + key);
  const hint = layout && layout.hint ? createElement('span', { class: 'hint', text: layout.hint }) : null;
  const wide = Boolean(layout && layout.wide);
  return createElement('label', { class: wide ? 'wide' : '' }, [label, input, hint, error]);
}

/**
 * A colour as a picker and a hex text box kept in step.
 * @param {EditorFields} fields
 * @param {'primary_color' | 'secondary_color'} key
 * @param {string} label
 * @param {string} value
 */
function colourField(fields, key, label, value) {
  const text = createElement('input', { type: 'text', value, 'aria-label': label });
  const picker = createElement('input', {
    type: 'color', value, 'aria-label': label + ' picker', oninput: () => { text.value = picker.value; },
  });
  text.addEventListener('input', () => {
    if (/^#[0-9a-f]{6}$/i.test(text.value)) picker.value = text.value;
  });
  const error = createElement('span', { class: 'err' });
  fields.inputs.set(key, text);
  fields.errors.set(key, error);
  return createElement('div', {}, [
    createElement('label', {}, [label, createElement('div', { class: 'color' }, [picker, text])]),
    error,
  ]);
}

/**
 * A checkbox registered under `key`.
 * @param {EditorFields} fields
 * @param {string} key
 * @param {string} label
 * @param {boolean} checked
 */
function checkField(fields, key, label, checked) {
  const box = createElement('input', { type: 'checkbox', checked });
  fields.inputs.set(key, box);
  return createElement('label', { class: 'check' }, [box, label]);
}

/**
 * @param {WidgetForm} values
 * @param {EditorFields} fields
 */
function generalFieldset(values, fields) {
  return createElement('fieldset', {}, [
    createElement('legend', { text: 'General' }),
    field(fields, 'name', 'Name', createElement('input', { type: 'text', value: values.name, required: true })),
    field(fields, 'domain', 'Domain', createElement('input', {
      type: 'text', value: values.domain, required: true, placeholder: 'yourwebsite.com',
    }), { hint: 'Where the widget is embedded.' }),
    field(fields, 'allowed_domains', 'More allowed domains', createElement('textarea', {
      rows: 2, value: (values.allowed_domains || []).join('\n'),
    }), { wide: true, hint: 'One per line; *.example.com allows subdomains.' }),
    field(fields, 'welcome_message', 'Welcome message', createElement('input', {
      type: 'text', value: values.welcome_message,
    }), { wide: true }),
    field(fields, 'offline_message', 'Offline message', createElement('input', {
      type: 'text', value: values.offline_message,
    }), { wide: true }),
  ]);
}

/**
 * @param {WidgetForm} values
 * @param {EditorFields} fields
 */
function appearanceFieldset(values, fields) {
  const position = createElement('select', {}, [
    createElement('option', {
      value: 'bottom-right', text: 'Bottom right', selected: values.position === 'bottom-right',
    }),
    createElement('option', {
      value: 'bottom-left', text: 'Bottom left', selected: values.position === 'bottom-left',
    }),
  ]);
  const autoOpen = createElement('input', {
    type: 'number', min: '0', value: values.auto_open_delay ? values.auto_open_delay / 1000 : '',
  });
  const theme = createElement('select', {}, THEMES.map(([value, text]) =>
    createElement('option', { value, text, selected: values.theme === value })));
  return createElement('fieldset', {}, [
    createElement('legend', { text: 'Appearance' }),
    colourField(fields, 'primary_color', 'Primary colour', values.primary_color),
    colourField(fields, 'secondary_color', 'Secondary colour', values.secondary_color),
    field(fields, 'position', 'Position', position),
    field(fields, 'theme', 'Theme', theme, { hint: 'Text colours keep WCAG AA contrast on any primary colour.' }),
    field(fields, 'auto_open_delay', 'Auto-open after (seconds)', autoOpen, { hint: 'Empty: never.' }),
    checkField(fields, 'show_agent_avatars', 'Show agent avatars', values.show_agent_avatars),
  ]);
}

/**
 * @param {WidgetForm} values
 * @param {EditorFields} fields
 */
function settingsFieldset(values, fields) {
  const ceiling = /** @type {WidgetDefaults} */ (state.widgetDefaults).max_upload_bytes_ceiling;
  const uploadLimit = createElement('input', {
    type: 'number',
    min: '1',
    max: String(Math.floor(ceiling / MEGABYTE)),
    value: Math.round(values.max_upload_bytes / MEGABYTE),
  });
  return createElement('fieldset', {}, [
    createElement('legend', { text: 'Settings' }),
    checkField(fields, 'allow_file_uploads', 'Allow file uploads', values.allow_file_uploads),
    field(fields, 'max_upload_bytes', 'Max upload size (MB)', uploadLimit),
    checkField(fields, 'require_email', 'Require email before chat', values.require_email),
    checkField(fields, 'auto_create_ticket', 'Create a ticket when a chat ends', values.auto_create_ticket),
    checkField(fields, 'typing_preview', 'Agents see what the customer is typing', values.typing_preview),
  ]);
}

/**
 * Data retention: `retention_days`, how long ended chats are kept (empty: forever).
 * @param {WidgetForm} values
 * @param {EditorFields} fields
 */
function retentionFieldset(values, fields) {
  // A new widget's defaults carry no retention: it keeps everything.
  const current = /** @type {{ retention_days?: number | null }} */ (values).retention_days;
  const days = createElement('input', {
    type: 'number',
    min: '1',
    max: '3650',
    step: '1',
    placeholder: 'Keep forever',
    value: current == null ? '' : String(current),
  });
  return createElement('fieldset', {}, [
    createElement('legend', { text: 'Data retention' }),
    field(fields, 'retention_days', 'Delete ended chats after (days)', days, {
      hint: 'Empty: keep forever. Older ended chats are deleted with their messages, notes and files.',
    }),
  ]);
}

/**
 * The `retention_days` to save from the box's text: `null` (keep forever) when empty.
 * @param {string} text
 */
function retentionDays(text) {
  return text.trim() === '' ? null : Number(text);
}

/**
 * @typedef {object} DayInputs
 * @property {string} day
 * @property {HTMLInputElement} open whether the widget is open that day
 * @property {HTMLInputElement} opens
 * @property {HTMLInputElement} closes
 */

/**
 * The business-hours inputs, their fieldset, and the hours they describe.
 * @param {BusinessHours | null} current
 */
function businessHoursFields(current) {
  const hours = /** @type {Record<string, any>} */ (current || {
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
  });
  const useHours = createElement('input', { type: 'checkbox', checked: Boolean(current) });
  const listed = /** @type {any} */ (Intl).supportedValuesOf
    ? /** @type {string[]} */ (/** @type {any} */ (Intl).supportedValuesOf('timeZone'))
    : FALLBACK_TIME_ZONES;
  // Browsers list canonical zones only (no `UTC`): keep a stored zone that is not listed.
  const zones = listed.includes(hours.timezone) ? listed : [hours.timezone, ...listed];
  const timeZone = createElement('select', { 'aria-label': 'Time zone' }, zones.map((zone) =>
    createElement('option', { value: zone, text: zone, selected: zone === hours.timezone })));
  /** @type {DayInputs[]} */
  const days = DAYS.map((day) => ({
    day,
    open: createElement('input', { type: 'checkbox', checked: Boolean(hours[day]), 'aria-label': day + ' open' }),
    opens: createElement('input', {
      type: 'time', value: hours[day] ? hours[day].open : '09:00', 'aria-label': day + ' opens',
    }),
    closes: createElement('input', {
      type: 'time',
      value: hours[day] ? (hours[day].close === '24:00' ? '23:59' : hours[day].close) : '17:00',
      'aria-label': day + ' closes',
    }),
  }));
  const behaviour = hours.offline_behavior || 'show_message';
  const behaviourOptions = OFFLINE_BEHAVIOURS.map(([value, text]) =>
    createElement('option', { value, text, selected: behaviour === value }));
  const whenClosed = createElement('select', { 'aria-label': 'Offline behaviour' }, behaviourOptions);
  const redirect = createElement('input', {
    type: 'url',
    value: hours.offline_redirect_url || '',
    'aria-label': 'Redirect URL',
    placeholder: 'https://example.com/contact',
  });
  const exceptions = exceptionRows(hours.exceptions || []);
  const dayRows = days.flatMap((inputs) => [
    createElement('span', { text: inputs.day.charAt(0).toUpperCase() + inputs.day.slice(1) }),
    createElement('label', { class: 'check' }, [inputs.open, 'Open']),
    inputs.opens,
    inputs.closes,
  ]);
  return {
    /** @param {HTMLElement} error */
    fieldset: (error) => createElement('fieldset', {}, [
      createElement('legend', { text: 'Business Hours' }),
      createElement('label', { class: 'check wide' }, [useHours, 'Limit chat to business hours']),
      createElement('label', { class: 'wide' }, ['Time zone', timeZone]),
      createElement('div', { class: 'hours' }, dayRows),
      exceptions.node,
      createElement('label', {}, ['When closed', whenClosed]),
      createElement('label', {}, ['Redirect URL', redirect]),
      error,
    ]),
    /** @returns {Record<string, unknown> | null} the hours to save; `null` when not limited */
    chosen: () => {
      if (!useHours.checked) return null;
      /** @type {Record<string, unknown>} */
      const chosen = { timezone: timeZone.value, offline_behavior: whenClosed.value };
      if (redirect.value.trim()) chosen.offline_redirect_url = redirect.value.trim();
      days.forEach((inputs) => {
        if (inputs.open.checked) chosen[inputs.day] = { open: inputs.opens.value, close: inputs.closes.value };
      });
      chosen.exceptions = exceptions.chosen();
      return chosen;
    },
  };
}

/**
 * Holidays and special days: a row per date (closed, or its own hours in place of the
 * weekday's), with Add date and Remove.
 * @param {{ date: string, closed?: boolean, open?: string, close?: string }[]} current
 */
function exceptionRows(current) {
  const rows = createElement('div', { class: 'exceptions' });
  /** @type {{ date: HTMLInputElement, kind: HTMLSelectElement, opens: HTMLInputElement, closes: HTMLInputElement }[]} */
  const entries = [];
  const label = (/** @type {number} */ n, /** @type {string} */ what) => 'Special day ' + n + ' ' + what;
  const relabel = () => entries.forEach((entry, i) => {
    entry.date.setAttribute('aria-label', label(i + 1, 'date'));
    entry.kind.setAttribute('aria-label', label(i + 1, 'hours'));
    entry.opens.setAttribute('aria-label', label(i + 1, 'opens'));
    entry.closes.setAttribute('aria-label', label(i + 1, 'closes'));
    /** @type {HTMLElement} */ (entry.date.closest('.exception')?.querySelector('button')).setAttribute('aria-label', label(i + 1, 'remove'));
  });
  const add = (/** @type {{ date: string, closed?: boolean, open?: string, close?: string }} */ value) => {
    const closed = value.closed !== false && !value.open;
    const entry = {
      date: createElement('input', { type: 'date', value: value.date }),
      kind: createElement('select', {}, [
        createElement('option', { value: 'closed', text: 'Closed', selected: closed }),
        createElement('option', { value: 'hours', text: 'Special hours', selected: !closed }),
      ]),
      opens: createElement('input', { type: 'time', value: value.open || '09:00' }),
      closes: createElement('input', { type: 'time', value: value.close === '24:00' ? '23:59' : value.close || '17:00' }),
    };
    const showTimes = () => { entry.opens.hidden = entry.closes.hidden = entry.kind.value === 'closed'; };
    entry.kind.addEventListener('change', showTimes);
    showTimes();
    const row = createElement('div', { class: 'exception' }, [entry.date, entry.kind, entry.opens, entry.closes,
      createElement('button', {
        class: 'btn', type: 'button', text: 'Remove',
        onclick: () => {
          entries.splice(entries.indexOf(entry), 1);
          row.remove();
          relabel();
          addButton.focus();
        },
      })]);
    entries.push(entry);
    rows.appendChild(row);
    relabel();
    return entry;
  };
  const addButton = createElement('button', {
    class: 'btn', type: 'button', text: 'Add date',
    onclick: () => add({ date: '', closed: true }).date.focus(),
  });
  current.forEach(add);
  return {
    node: createElement('div', { class: 'wide' }, [
      createElement('span', { text: 'Holidays and special days' }),
      rows,
      addButton,
    ]),
    chosen: () => entries.map((entry) => (entry.kind.value === 'closed'
      ? { date: entry.date.value, closed: true }
      : { date: entry.date.value, open: entry.opens.value, close: entry.closes.value })),
  };
}

/**
 * The body of the create/update call, read from the form.
 * @param {EditorFields} fields
 * @param {Record<string, unknown> | null} businessHours
 */
function widgetBody(fields, businessHours) {
  const input = (/** @type {string} */ key) => /** @type {FormInput} */ (fields.inputs.get(key));
  const value = (/** @type {string} */ key) => input(key).value;
  const checked = (/** @type {string} */ key) => /** @type {HTMLInputElement} */ (input(key)).checked;
  const defaults = /** @type {WidgetDefaults} */ (state.widgetDefaults);
  return {
    name: value('name'),
    domain: value('domain'),
    allowed_domains: value('allowed_domains').split(/[\n,]/).map((domain) => domain.trim()).filter(Boolean),
    welcome_message: value('welcome_message'),
    offline_message: value('offline_message'),
    primary_color: value('primary_color'),
    secondary_color: value('secondary_color'),
    position: value('position'),
    theme: value('theme'),
    typing_preview: checked('typing_preview'),
    auto_open_delay: value('auto_open_delay') ? Math.round(Number(value('auto_open_delay')) * 1000) : null,
    show_agent_avatars: checked('show_agent_avatars'),
    allow_file_uploads: checked('allow_file_uploads'),
    require_email: checked('require_email'),
    auto_create_ticket: checked('auto_create_ticket'),
    max_upload_bytes: Math.round(Number(value('max_upload_bytes')) * MEGABYTE) || defaults.max_upload_bytes,
    retention_days: retentionDays(value('retention_days')),
    business_hours: businessHours,
  };
}

/**
 * Creates or updates the widget; a refused field shows its error beside the field.
 * @param {WidgetView | null} widget
 * @param {EditorFields} fields
 * @param {{ chosen: () => Record<string, unknown> | null }} hours
 * @param {() => void} signOut
 */
function saveWidget(widget, fields, hours, signOut) {
  fields.errors.forEach((slot) => { slot.textContent = ''; });
  const body = widgetBody(fields, hours.chosen());
  const saved = widget
    ? callApi('PUT', '/v1/chat/widgets/' + encodeURIComponent(widget.id), body)
    : callApi('POST', '/v1/chat/widgets', body);
  saved.then((/** @type {WidgetView} */ answer) => {
    state.widgets = state.widgets.filter((other) => other.id !== answer.id).concat([answer]);
    state.editingWidgetId = answer.id;
    toast(say('saved'));
    drawWidgetsPage(signOut);
  }, (/** @type {ApiError} */ error) => {
    const key = (error.field || '').split(/[.[]/)[0];
    const slot = /** @type {HTMLElement} */ (fields.errors.get(key) || fields.errors.get('business_hours'));
    slot.textContent = (error.field ? error.field + ': ' : '') + error.message;
    fields.inputs.get(key)?.focus();
    toast(error.message);
  });
}
