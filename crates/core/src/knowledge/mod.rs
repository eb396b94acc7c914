//! What the explainer knows about Django, its libraries and Python itself, as static tables.

pub mod django_frames;
pub mod stdlib_modules;
