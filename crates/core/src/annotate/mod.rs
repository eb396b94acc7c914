//! Annotation of parsed frames: whose code each frame is, what it was doing, and which frame to read first.

pub mod focus;
pub mod origin;

use crate::knowledge::django_frames::{django_doing, library_doing};
use crate::model::{Origin, Traceback};

/// Fill `origin`, `origin_rule`, `package`, `django` and `note` of every frame, then the traceback's focus.
pub fn annotate(tb: &mut Traceback) {
    for exc in &mut tb.exceptions {
        for frame in exc.frames.iter_mut().chain(exc.group.iter_mut().flat_map(|g| g.frames.iter_mut())) {
            let c = origin::classify(&frame.file);
            frame.origin = c.origin;
            frame.origin_rule = c.rule;
            frame.package = c.package;
            match frame.origin {
                Origin::Django => frame.django = django_doing(&frame.file, &frame.function),
                Origin::Library | Origin::Stdlib => frame.note = library_doing(&frame.file, &frame.function),
                Origin::App | Origin::Other => {}
            }
        }
    }
    tb.focus = focus::choose(tb);
}
