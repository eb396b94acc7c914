//! The frame to look at first: the last frame of the user's own code, preferring the exception finally
//! raised; when no frame is theirs, the frame where the error rose in library code, said plainly.

use crate::model::{Focus, Frame, Origin, Traceback};

/// Choose the focus frame of a traceback, with the reason in plain English.
pub fn choose(tb: &Traceback) -> Option<Focus> {
    // The last app frame, searching the final exception first, then its causes from newest to oldest.
    for (ei, exc) in tb.exceptions.iter().enumerate().rev() {
        if let Some(fi) = exc.frames.iter().rposition(|f| f.origin == Origin::App) {
            let f = &exc.frames[fi];
            let below = exc.frames[fi + 1..].iter().find(|g| g.origin != Origin::App && g.origin != Origin::Stdlib);
            let mut reason = format!("The last frame of your own code: {}.", place(f));
            if let Some(g) = below {
                reason.push_str(&format!(
                    " From here the call went into {} ({}), where the error was raised.",
                    owner(g),
                    g.function
                ));
            }
            if ei + 1 < tb.exceptions.len() {
                reason.push_str(" It is in an earlier exception of the chain: the final one has no frame of yours.");
            }
            return Some(Focus { exception: ei, frame: fi, reason });
        }
    }
    // No app frame: point at where the error rose, and say where it came from.
    let ei = tb.exceptions.iter().rposition(|e| !e.frames.is_empty())?;
    let exc = &tb.exceptions[ei];
    let fi = exc.frames.iter().rposition(|f| f.origin != Origin::Stdlib).unwrap_or(exc.frames.len() - 1);
    let f = &exc.frames[fi];
    let entry = exc.frames.first().map(place).unwrap_or_default();
    let reason = format!(
        "No frame in this paste is your code: the error rose inside {} at {}. The paste starts at {}, so the line of \
         your code that led here is not shown; look at what your program was doing when it called into it \
         (a request, a management command, a test).",
        owner(f),
        place(f),
        entry
    );
    Some(Focus { exception: ei, frame: fi, reason })
}

fn owner(f: &Frame) -> String {
    match (f.origin, f.package.as_deref()) {
        (Origin::Django, _) => "Django".to_string(),
        (Origin::Library, Some(p)) => format!("the library {p}"),
        (Origin::Stdlib, Some(p)) => format!("the standard library ({p})"),
        (Origin::Stdlib, None) => "the standard library".to_string(),
        _ => "code that is not yours".to_string(),
    }
}

/// `views.py line 12, in index`
fn place(f: &Frame) -> String {
    let name = f.file.rsplit(['/', '\\']).next().unwrap_or(&f.file);
    match f.line {
        Some(l) => format!("{name} line {l}, in {}", f.function),
        None => format!("{name}, in {}", f.function),
    }
}
