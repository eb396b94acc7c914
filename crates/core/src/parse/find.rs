//! Substring search for the markers every line is checked for, with searchers built once.
//!
//! `str::find` builds a new Two-Way searcher on each call, which dominated the parse profile; these keep one
//! prebuilt SIMD searcher per marker.

use memchr::memmem::Finder;
use std::sync::OnceLock;

macro_rules! finder {
    ($(#[$doc:meta])* $name:ident, $needle:expr) => {
        $(#[$doc])*
        pub fn $name(haystack: &str) -> Option<usize> {
            static FINDER: OnceLock<Finder<'static>> = OnceLock::new();
            FINDER.get_or_init(|| Finder::new($needle)).find(haystack.as_bytes())
        }
    };
}

finder!(
    /// `Traceback (most recent call last):`
    header,
    super::syntax::HEADER
);
finder!(
    /// `Exception Group Traceback (most recent call last):`
    group_header,
    super::syntax::GROUP_HEADER
);
finder!(
    /// `File "` — the start of a frame line.
    file_mark,
    "File \""
);
finder!(
    /// `.py:` — the end of a file name in pytest locations.
    py_colon,
    ".py:"
);
finder!(
    /// `Environment:` — the start of Django's debug page.
    environment,
    "Environment:"
);
