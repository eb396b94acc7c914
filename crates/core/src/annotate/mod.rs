//! Annotation of parsed frames: whose code each frame is, and what it was doing.

pub mod origin;
