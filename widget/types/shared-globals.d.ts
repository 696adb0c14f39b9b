// The helpers of widget/shared/ as chat-widget.js sees them: core assembles the widget script
// with the shared modules in the same function scope (protocol/widget_bundle.rs), so the widget
// calls them by name instead of importing them. The console imports the modules themselves.

declare const createElement: typeof import('../shared/dom.js').createElement;
declare const fillTemplate: typeof import('../shared/text.js').fillTemplate;
declare const requestJson: typeof import('../shared/http.js').requestJson;
declare const ApiError: typeof import('../shared/http.js').ApiError;
type ApiError = import('../shared/http.js').ApiError;
