//! The agent console's pages (`widget/console/`, native ES modules with no build step) and the
//! helpers it shares with the customer widget (`widget/shared/`), compiled into the library and
//! served below the API's mount point when [`super::ApiConfig::serve_console`] is on:
//! `console/` (the page) and `console/{file}` for each file of [`CONSOLE_FILES`], `shared/{file}`
//! for each of [`SHARED_FILES`]. `console` without the slash redirects to `console/`, so the
//! page's relative links resolve below whatever prefix the host mounted the API under; the
//! modules find the API one level up from their own URL (`new URL('..', import.meta.url)`).
//! This module owns the file tables; it knows nothing of what the scripts do.

use super::http::ApiResponse;

const JAVASCRIPT: &str = "application/javascript; charset=utf-8";

/// A file served from a table: its name, content type and text.
struct StaticFile {
    name: &'static str,
    content_type: &'static str,
    body: &'static str,
}

/// A JavaScript file of `widget/{folder}/{name}`.
macro_rules! script {
    ($folder:literal, $name:literal) => {
        StaticFile {
            name: $name,
            content_type: JAVASCRIPT,
            body: include_str!(concat!("../../../widget/", $folder, "/", $name)),
        }
    };
}

/// Every file below `console/`; the first is the page.
const CONSOLE_FILES: &[StaticFile] = &[
    StaticFile {
        name: "index.html",
        content_type: "text/html; charset=utf-8",
        body: include_str!("../../../widget/console/index.html"),
    },
    StaticFile {
        name: "console.css",
        content_type: "text/css; charset=utf-8",
        body: include_str!("../../../widget/console/console.css"),
    },
    script!("console", "console.js"),
    script!("console", "alerts.js"),
    script!("console", "api.js"),
    script!("console", "composer.js"),
    script!("console", "conversation.js"),
    script!("console", "customer.js"),
    script!("console", "dialogs.js"),
    script!("console", "events.js"),
    script!("console", "layout.js"),
    script!("console", "queue-page.js"),
    script!("console", "quick.js"),
    script!("console", "quick-page.js"),
    script!("console", "sending.js"),
    script!("console", "sessions.js"),
    script!("console", "shortcuts.js"),
    script!("console", "socket.js"),
    script!("console", "state.js"),
    script!("console", "strings.js"),
    script!("console", "widgets.js"),
];

/// Every file below `shared/`: ES modules the console imports and the widget is assembled from.
const SHARED_FILES: &[StaticFile] = &[
    script!("shared", "dom.js"),
    script!("shared", "http.js"),
    script!("shared", "text.js"),
];

/// The text of every shared module, in the order the widget bundle concatenates them.
pub(super) fn shared_sources() -> impl Iterator<Item = &'static str> {
    SHARED_FILES.iter().map(|file| file.body)
}

/// Headers of every console file, and of any page a host serves beside the API (the
/// reference server's demo page uses them too). `no-referrer`: a console URL never reaches
/// another site, not even its path.
pub const PAGE_HEADERS: &[(&str, &str)] = &[
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("cache-control", "no-cache"),
];

/// The console's Content-Security-Policy: scripts, styles and connections (REST and the
/// socket) only from the server itself, no inline script or style, no plugins, no `<base>`;
/// images also from `https:` (agent avatars are URLs the host chose), `data:` and `blob:`
/// (attachments fetched with the agent's token). `frame_ancestors` is who may frame the
/// console ([`super::ApiConfig::console_frame_ancestors`], `'self'` by default).
pub fn console_content_security_policy(frame_ancestors: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data: blob:; \
         media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors {frame_ancestors}"
    )
}

/// The console file at `file` (the path segment after `console/`; empty for the page), or
/// `None` when there is no such file.
pub(crate) fn console_file(file: &str) -> Option<ApiResponse> {
    let name = if file.is_empty() { "index.html" } else { file };
    served(CONSOLE_FILES, name)
}

/// The shared module at `file` (the path segment after `shared/`), or `None`.
pub(crate) fn shared_file(file: &str) -> Option<ApiResponse> {
    served(SHARED_FILES, file)
}

fn served(table: &[StaticFile], name: &str) -> Option<ApiResponse> {
    let file = table.iter().find(|file| file.name == name)?;
    let mut headers = vec![("content-type".to_owned(), file.content_type.to_owned())];
    headers.extend(
        PAGE_HEADERS
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned())),
    );
    Some(ApiResponse {
        status: 200,
        headers,
        body: bytes::Bytes::from_static(file.body.as_bytes()),
    })
}

/// `console` → `console/` below the mount point.
pub(crate) fn redirect_to_console(mount_prefix: &str) -> ApiResponse {
    ApiResponse {
        status: 308,
        headers: vec![("location".to_owned(), format!("{mount_prefix}/console/"))],
        body: bytes::Bytes::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX_HTML: &str = include_str!("../../../widget/console/index.html");

    #[test]
    fn the_page_links_its_files_relatively_so_any_prefix_works() {
        assert!(INDEX_HTML.contains(r#"href="console.css""#));
        assert!(INDEX_HTML.contains(r#"src="console.js""#));
        assert!(!INDEX_HTML.contains(r#""/console/"#));
    }

    #[test]
    fn the_page_loads_the_console_as_an_es_module() {
        assert!(INDEX_HTML.contains(r#"<script type="module" src="console.js">"#));
    }

    #[test]
    fn unknown_console_files_are_not_found() {
        assert!(console_file("../secret").is_none());
        assert!(console_file("console.js").is_some());
        assert!(shared_file("../console/console.js").is_none());
        assert!(shared_file("dom.js").is_some());
    }

    #[test]
    fn scripts_are_served_as_javascript_and_the_page_as_html() {
        let content_type = |response: ApiResponse| {
            response
                .headers
                .into_iter()
                .find(|(name, _)| name == "content-type")
                .map(|(_, value)| value)
        };
        assert_eq!(
            content_type(console_file("").unwrap()).as_deref(),
            Some("text/html; charset=utf-8")
        );
        for file in ["console.js", "widgets.js"] {
            assert_eq!(
                content_type(console_file(file).unwrap()).as_deref(),
                Some(JAVASCRIPT)
            );
        }
        assert_eq!(
            content_type(shared_file("http.js").unwrap()).as_deref(),
            Some(JAVASCRIPT)
        );
    }

    /// The module specifiers of `source`'s static imports, one a line: `import … from '…';` or
    /// `import '…';` (the console writes every import on one line).
    fn imports_of(source: &str) -> Vec<&str> {
        source
            .lines()
            .filter_map(|line| line.strip_prefix("import "))
            .map(|rest| rest.rsplit(" from ").next().unwrap_or(rest))
            .map(|specifier| specifier.trim().trim_end_matches(';'))
            .map(|specifier| specifier.trim_matches(|c| c == '\'' || c == '"'))
            .collect()
    }

    /// Whether `specifier`, imported by a file in `folder`, names a served file.
    fn is_served(folder: &str, specifier: &str) -> bool {
        match (folder, specifier.split('/').collect::<Vec<_>>().as_slice()) {
            ("console", [".", file]) => console_file(file).is_some(),
            ("shared", [".", file]) => shared_file(file).is_some(),
            (_, ["..", "shared", file]) => shared_file(file).is_some(),
            (_, ["..", "console", file]) => console_file(file).is_some(),
            _ => false,
        }
    }

    #[test]
    fn every_import_of_the_console_modules_names_a_served_file() {
        let scripts = CONSOLE_FILES
            .iter()
            .map(|file| ("console", file))
            .chain(SHARED_FILES.iter().map(|file| ("shared", file)))
            .filter(|(_, file)| file.content_type == JAVASCRIPT);
        let mut checked = 0;
        for (folder, file) in scripts {
            for specifier in imports_of(file.body) {
                assert!(
                    is_served(folder, specifier),
                    "{folder}/{} imports {specifier}, which is not served",
                    file.name
                );
                checked += 1;
            }
        }
        assert!(checked > 10, "only {checked} imports found");
    }

    #[test]
    fn every_console_module_in_the_folder_is_served() {
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/../widget/console");
        for entry in std::fs::read_dir(folder).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            assert!(
                console_file(&name).is_some(),
                "console/{name} is not served"
            );
        }
    }

    #[test]
    fn the_bare_path_redirects_below_the_prefix() {
        let response = redirect_to_console("/support");
        assert_eq!(response.status, 308);
        assert_eq!(
            response.headers,
            vec![("location".to_owned(), "/support/console/".to_owned())]
        );
    }
}
