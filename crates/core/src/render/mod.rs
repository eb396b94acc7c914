//! Renderers: the report as plain text (terminal) and Markdown (issues, chat). JSON is serde's job.

mod markdown;
mod text;

pub use markdown::markdown;
pub use text::text;
