//! Secrets in a paste: passwords in URLs and DSNs, `PASSWORD`/`SECRET_KEY`/token settings, session cookies,
//! well-known token shapes and private keys; found so the page can warn, masked before a paste is shared.
//!
//! One pass over the lines, byte by byte, no regex. Each finding names what it was (`SECRET_KEY`,
//! `password in postgres://app:•••@db:5432/app`) but never repeats the value. Masking writes [`MASK`] in place
//! of each value and leaves every other byte (and so the line count) as it was. A value that is already masked —
//! Django's debug page shows `'********************'` for settings whose names match
//! `API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE` (`SafeExceptionReporterFilter`) — is not a secret.
//!
//! Code is not a secret: a name followed by an expression (`password=settings.DATABASES[…]`,
//! `conn_params['password'] = settings_dict['PASSWORD']`, `password=pw,`) is left alone; a quoted literal
//! (`'PASSWORD': 'x'`, `password = 'x'`) or an unquoted value in env/DSN/query form (`DB_PASS=x`,
//! `dbname=x password=y`, `?token=x&`) is a secret.

use crate::model::{Masked, Secret, SecretKind};

/// What replaces a secret's value.
pub const MASK: &str = "********";

/// Every secret in `text`, in the order they appear. Values are never part of the result.
pub fn find(text: &str) -> Vec<Secret> {
    masked(text, false).secrets
}

/// `text` with each secret's value replaced by [`MASK`], and the secrets that were masked.
pub fn mask(text: &str) -> Masked {
    masked(text, true)
}

/// The secrets of `text`, and the text masked when `write` (else empty).
fn masked(text: &str, write: bool) -> Masked {
    let mut out = Masked { text: String::new(), secrets: Vec::new() };
    let mut last = 0;
    for h in scan(text) {
        if write {
            out.text.push_str(&text[last..h.start]);
            out.text.push_str(MASK);
        }
        last = h.end;
        out.secrets.extend(h.secret);
    }
    if write {
        out.text.push_str(&text[last..]);
    }
    out
}

/// A value to mask (byte range of the text) and, unless it continues one already reported, what it is.
struct Hit {
    start: usize,
    end: usize,
    secret: Option<Secret>,
}

fn scan(text: &str) -> Vec<Hit> {
    let b = text.as_bytes();
    let mut kept: Vec<Hit> = Vec::new();
    let mut hits = Vec::new();
    let mut at = 0;
    let mut no = 0;
    // A name alone on its line: Django's debug page copied from the browser puts the value on the next line.
    let mut pending: Option<(usize, usize, SecretKind)> = None;
    // Inside a multi-line private key.
    let mut pem: Option<Pem> = None;
    // Inside an indented docstring, as pytest lists a library function's source (psycopg2's `connect` shows
    // `psycopg2.connect("dbname=test user=postgres password=secret")`): examples, not the paste's secrets.
    // A line that is not indented ends it, so a stray `"""` cannot hide more than one listing.
    let mut doc = false;
    while at <= b.len() {
        let end = memchr::memchr(b'\n', &b[at..]).map_or(b.len(), |i| at + i);
        let line = if end > at && b[end - 1] == b'\r' { at..end - 1 } else { at..end };
        no += 1;
        let mut s = Scan { text, l: &b[line], base: at, no, hits: &mut hits };
        at = end + 1;
        let indented = s.l.first() == Some(&b' ');
        let quotes = || count(s.l, b"\"\"\"") + count(s.l, b"\'\'\'");
        let opens = indented && matches!(s.l.trim_ascii_start(), [b'"' | b'\'', ..]) && quotes() == 1;
        if doc || opens {
            doc = indented && !(doc && quotes() > 0);
            if doc || indented {
                pending = None;
                continue;
            }
        }
        if let Some(p) = pem.as_mut() {
            if !s.pem_body(p) {
                pem = None;
            }
        } else {
            pem = s.pem_begin();
        }
        if let Some((ks, ke, kind)) = pending.take() {
            let lead = s.l.iter().take_while(|c| matches!(c, b' ' | b'\t')).count();
            if matches!(s.l.get(lead), Some(b'\'' | b'"')) {
                if let Some((vs, ve, _)) = quoted(s.l, lead) {
                    s.push_value(vs, ve, kind, &text[ks..ke], false);
                }
            }
        }
        pending = s.pairs();
        s.urls();
        s.tokens();
        // A line's few findings in order of where they start (an insertion sort: among those starting together
        // the first found, the most specific name, stays first); anything overlapping an earlier one goes.
        for i in 1..hits.len() {
            let mut j = i;
            while j > 0 && hits[j - 1].start > hits[j].start {
                hits.swap(j - 1, j);
                j -= 1;
            }
        }
        for h in hits.drain(..) {
            if kept.last().is_none_or(|k| h.start >= k.end) {
                kept.push(h);
            }
        }
    }
    kept
}

/// One line being scanned: its bytes, where it starts in the text, its 1-based number.
struct Scan<'a, 'h> {
    text: &'a str,
    l: &'a [u8],
    base: usize,
    no: usize,
    hits: &'h mut Vec<Hit>,
}

impl Scan<'_, '_> {
    fn push(&mut self, start: usize, end: usize, kind: SecretKind, name: Option<String>) {
        let (start, end) = (self.base + start, self.base + end);
        // Ranges always fall on ASCII delimiters; `get` keeps a surprise from ever panicking.
        if start < end && self.text.get(start..end).is_some() {
            let secret = name.map(|name| Secret { kind, line: self.no, name });
            self.hits.push(Hit { start, end, secret });
        }
    }

    /// A value found after a sensitive name, unless it is shorter than 3 bytes, already masked, a placeholder
    /// (`${X}`, `$X`, `%(password)s`, `<password>`, `{{ x }}`), a dotted path, a file's path (`/run/secrets/db`,
    /// `PWD=/app`), a key's name (`"_auth_user_id"`) or words (`"CSRF token missing."`: only a password or
    /// passphrase holds spaces). Django's generated keys use `!@#$%^&*(-_=+)`, so only a placeholder's first
    /// bytes tell it apart.
    fn push_value(&mut self, vs: usize, ve: usize, kind: SecretKind, name: &str, cookie_line: bool) {
        let v = &self.l[vs..ve];
        if v.len() < 3
            || is_masked(v)
            || matches!(v[0], b'<' | b'{')
            || matches!(v, [b'%', b's' | b'd' | b'r' | b'(', ..] | [b'$', b'{' | b'A'..=b'Z', ..])
            || dotted(v)
            || v[0] == b'/'
            || (v[0] == b'_' && v.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_'))
            || (v.contains(&b' ') && !contains_ci(name.as_bytes(), b"pass"))
        {
            return;
        }
        let kind = if kind == SecretKind::Setting && cookie_line { SecretKind::Cookie } else { kind };
        self.push(vs, ve, kind, Some(name.to_string()));
    }

    /// `NAME = 'value'`, `'NAME': 'value'`, `NAME=value`, `NAME: value`, `NAME\t'value'`, `name=value` in a DSN
    /// or a query string. Returns a sensitive name left alone at the end of the line (value on the next).
    fn pairs(&mut self) -> Option<(usize, usize, SecretKind)> {
        let l = self.l;
        // Django's debug page copied from the browser: the first name on a line, a tab, and the value after it
        // or on the next line; also `NAME  'value'`.
        let ks = l.iter().take_while(|c| matches!(c, b' ' | b'\t')).count();
        let ke = ks + l[ks..].iter().take_while(|c| is_tok(**c)).count();
        let gap = ke + l[ke..].iter().take_while(|c| matches!(c, b' ' | b'\t')).count();
        let tab = l[ke..gap].contains(&b'\t');
        if ke > ks + 1 {
            match l.get(gap) {
                None if tab => return classify(&l[ks..ke]).map(|k| (self.base + ks, self.base + ke, k)),
                Some(b'\'' | b'"') if tab || gap - ke >= 2 => {
                    self.value(ks, ke, gap, Sep::Gap);
                }
                _ => {}
            }
        }
        // `=` and `:`: from each separator back to the name before it.
        let mut from = 0;
        for j in 0..l.len() {
            if !matches!(l[j], b'=' | b':') {
                continue;
            }
            let next = l.get(j + 1).copied();
            let sep = if l[j] == b'=' {
                if j < from || matches!(next, Some(b'=' | b'>')) || matches!(l[..j], [.., b'=' | b'!' | b'<' | b'>']) {
                    continue;
                }
                Sep::Eq { spaced: false, quoted: false }
            } else if j >= from && matches!(next, None | Some(b' ' | b'\t' | b'\'' | b'"')) {
                Sep::Colon { quoted: false }
            } else {
                continue;
            };
            let mut ke = j - l[..j].iter().rev().take_while(|c| matches!(c, b' ' | b'\t')).count();
            let spaced = ke < j;
            let q = ke.checked_sub(1).map(|k| l[k]).filter(|c| matches!(c, b'\'' | b'"'));
            ke -= usize::from(q.is_some());
            let mut ks = ke - l[..ke].iter().rev().take_while(|c| is_tok(**c)).count();
            ks += l[ks..ke].iter().take_while(|c| matches!(c, b'-' | b'.')).count();
            if ke < ks + 2 || matches!(l[ke - 1], b'-' | b'.') || (q.is_some() && ks.checked_sub(1).map(|k| l[k]) != q)
            {
                continue;
            }
            let quoted = q.is_some();
            let sep = match sep {
                Sep::Eq { .. } => Sep::Eq { spaced, quoted },
                _ => Sep::Colon { quoted },
            };
            from = from.max(self.value(ks, ke, j + 1, sep));
        }
        None
    }

    /// The value after the name `l[ks..ke]` and its separator, from `j`, if the name is a secret's: checked and
    /// pushed. Returns where scanning for names may go on (after a value taken whole, else `j`).
    fn value(&mut self, ks: usize, ke: usize, mut j: usize, sep: Sep) -> usize {
        let (l, n) = (self.l, self.l.len());
        let Some(kind) = classify(&l[ks..ke]) else { return j };
        let name = &self.text[self.base + ks..self.base + ke];
        let auth = kind == SecretKind::Token;
        j += l[j..].iter().take_while(|c| matches!(c, b' ' | b'\t')).count();
        let (mut vs, mut ve, after);
        if let Some((qs, qe, a)) = quoted(l, j) {
            (vs, ve, after) = (qs, qe, a);
        } else {
            // After a quoted name (a dict) or `NAME = ` (code) an unquoted value is an expression.
            let colon = match sep {
                Sep::Eq { spaced: false, quoted: false } => false,
                Sep::Colon { quoted: false } => true,
                _ => return j,
            };
            // Unquoted: env, shell, DSN and query form. Code (`password=pw,`, `password=get()`) is not.
            let lower = l[ks..ke].iter().any(u8::is_ascii_lowercase);
            if colon && !auth && lower && !l[ks..ke].contains(&b'-') {
                return j;
            }
            (vs, ve) = (j, j);
            while ve < n && !bare_end(l[ve], auth || colon) {
                ve += 1;
            }
            while ve > vs && l[ve - 1] == b' ' {
                ve -= 1;
            }
            after = ve;
            let v = &l[vs..ve];
            // In a DSN (`dbname=x password=y host=z`) a lowercase name's value is followed by another pair
            // or the end; in code (`session_key=await get_key()`) by more code.
            let query = matches!(l[..ks], [.., b'?' | b'&']);
            let next = ve + l[ve..].iter().take_while(|c| matches!(c, b' ' | b'\t')).count();
            let pair = matches!(l.get(next), None | Some(b'\'' | b'"'))
                || l[next..].iter().position(|c| !is_tok(*c)).is_some_and(|k| k > 0 && l[next + k] == b'=');
            if matches!(l.get(ve), Some(b',' | b')' | b']' | b'}'))
                || (next > ve && !pair && !query && lower)
                || v.iter().any(|c| matches!(c, b'(' | b'[' | b'{' | b')' | b']' | b'}'))
                || (colon && !auth && v.contains(&b' '))
                || v.eq_ignore_ascii_case(&l[ks..ke])
                || [&b"None"[..], b"True", b"False", b"null", b"true", b"false"].contains(&v)
            {
                return j;
            }
        }
        if auth {
            // `Bearer abc`, `Token abc`, `Basic dXNlcjpw`: the scheme stays, the credential goes.
            let w = l[vs..ve].iter().take_while(|c| c.is_ascii_alphabetic()).count();
            if w == ve - vs {
                return after;
            }
            if w > 0 && l.get(vs + w) == Some(&b' ') {
                vs += w + l[vs + w..ve].iter().take_while(|c| **c == b' ').count();
            }
            ve = vs + l[vs..ve].iter().take_while(|c| !matches!(c, b' ' | b'\t')).count();
        }
        // A name after "cookie" is a cookie's (`HTTP_COOKIE = 'sessionid=…'`, `Cookie: …`).
        self.push_value(vs, ve, kind, name, contains_ci(&l[..ks], b"cookie"));
        after
    }

    /// `scheme://user:password@host`: the password, percent-encoded or not. `scheme://user@host` has none.
    fn urls(&mut self) {
        let l = self.l;
        let mut from = 0;
        while let Some(p) = index(&l[from..], b"://") {
            let at = from + p;
            from = at + 3;
            let mut s = at;
            while s > 0 && (l[s - 1].is_ascii_alphanumeric() || matches!(l[s - 1], b'+' | b'.' | b'-')) {
                s -= 1;
            }
            let a = at + 3;
            let e = a + l[a..].iter().take_while(|c| !url_end(**c) && **c != b'/').count();
            let Some(atp) = l[a..e].iter().rposition(|c| *c == b'@') else { continue };
            let Some(colon) = l[a..a + atp].iter().position(|c| *c == b':') else { continue };
            let (ps, pe) = (a + colon + 1, a + atp);
            let v = &l[ps..pe];
            if at - s < 2 || v.is_empty() || is_masked(v) || matches!(v[0], b'$' | b'{' | b'<') {
                continue;
            }
            // The name shows where the password goes, not the password; a long user or path could be a token.
            let path = e + l[e..].iter().take_while(|c| !url_end(**c)).count();
            let t = |r: std::ops::Range<usize>, max: usize| match self.text.get(self.base + r.start..self.base + r.end)
            {
                Some(x) if r.len() <= max => x,
                _ => "…",
            };
            let mut name = String::from("password in ");
            for (part, r, max) in
                [("", s..at, 20), ("://", a..a + colon, 24), (":•••@", pe + 1..e, 64), ("", e..path, 24)]
            {
                name.push_str(part);
                name.push_str(t(r, max));
            }
            self.push(ps, pe, SecretKind::UrlPassword, Some(name));
            from = pe;
        }
    }

    /// Well-known token shapes: cloud keys, GitHub/GitLab/Slack/Stripe tokens, JWTs, `Bearer` credentials.
    fn tokens(&mut self) {
        // Prefix (`?` is any letter: `AKIA`/`ASIA`, `ghp_`/`gho_`/`ghs_`…, `xoxb-`/`xoxp-`…, `sk_`/`rk_`),
        // what the rest is made of (a class of [`CLASS`]), its least length.
        const SHAPES: &[(&str, u8, u8, &str)] = &[
            ("A?IA", UPPER, 16, "AWS access key id"),
            ("gh?_", ALNUM, 30, "GitHub token"),
            ("github_pat_", WORD, 22, "GitHub token"),
            ("glpat-", WORD, 20, "GitLab token"),
            ("xox?-", WORD, 10, "Slack token"),
            ("?k_live_", ALNUM, 10, "Stripe key"),
            ("?k_test_", ALNUM, 10, "Stripe key"),
            ("whsec_", ALNUM, 20, "Stripe webhook secret"),
            ("AIza", WORD, 35, "Google API key"),
            ("npm_", ALNUM, 36, "npm token"),
            ("pypi-", WORD, 50, "PyPI token"),
            ("sk-", WORD, 32, "API key"),
        ];
        let l = self.l;
        let span =
            |from: usize, set: u8| from + l[from..].iter().take_while(|c| CLASS[usize::from(**c)] & set != 0).count();
        let run = |from: usize| span(from, WORD);
        let mut i = 0;
        while i < l.len() {
            // Only where a word starts (whole words are skipped at once) and only the first letters of a shape.
            if CLASS[usize::from(l[i])] & WORD == 0 || l[i] == b'-' {
                i += 1;
                continue;
            }
            if !matches!(l[i], b'A' | b'g' | b'x' | b's' | b'r' | b'w' | b'n' | b'p' | b'e' | b'B' | b'b') {
                i = run(i);
                continue;
            }
            let r = &l[i..];
            let mut found = None;
            if r.starts_with(b"eyJ") {
                // A JWT: base64url header `.` payload (both JSON objects, so both start `eyJ`) `.` signature.
                let a = run(i);
                if a - i >= 10 && l.get(a) == Some(&b'.') && l[a + 1..].starts_with(b"eyJ") {
                    let b = run(a + 1);
                    if b - a > 10 && l.get(b) == Some(&b'.') {
                        found = Some((i, run(b + 1), "JWT"));
                    }
                }
            } else if r.len() > 7 && r[..6].eq_ignore_ascii_case(b"bearer") && r[6] == b' ' {
                let s = i + 7 + r[7..].iter().take_while(|c| **c == b' ').count();
                let e = s + l[s..]
                    .iter()
                    .take_while(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'~' | b'+' | b'/' | b'=' | b'-')
                    })
                    .count();
                // A credential, not prose ("Bearer authentication"): long enough and not only letters.
                if e - s >= 8 && l[s..e].iter().any(u8::is_ascii_digit) {
                    found = Some((s, e, "Bearer token"));
                }
            } else {
                for (prefix, set, min, name) in SHAPES {
                    let p = prefix.as_bytes();
                    if r.len() > p.len()
                        && p.iter().zip(r).all(|(p, c)| p == c || *p == b'?' && c.is_ascii_alphabetic())
                    {
                        let e = span(i + prefix.len(), *set);
                        if e - i - prefix.len() >= usize::from(*min) && !l.get(e).is_some_and(u8::is_ascii_alphanumeric)
                        {
                            found = Some((i, e, *name));
                        }
                        break;
                    }
                }
            }
            if let Some((s, e, name)) = found {
                self.push(s, e, SecretKind::Token, Some(name.to_string()));
                i = i.max(e);
            }
            i = run(i).max(i + 1);
        }
    }

    /// `-----BEGIN … PRIVATE KEY-----`: a key on one line (`\n` escapes in JSON) is masked whole; a key on
    /// several lines continues in [`Scan::pem_body`]. Returns the state for the lines that follow.
    fn pem_begin(&mut self) -> Option<Pem> {
        let l = self.l;
        let b = index(l, b"-----BEGIN ")? + 11;
        let e = b + index(&l[b..], b"-----")?;
        index(&l[b..e], b"PRIVATE KEY")?;
        let body = e + 5;
        let (ls, le) = (self.base + b, self.base + e);
        match index(&l[body..], b"-----END") {
            Some(end) => {
                let v = &l[body..body + end];
                if !v.is_empty() && !is_masked(v) {
                    self.push(body, body + end, SecretKind::PrivateKey, Some(self.text[ls..le].to_string()));
                }
                None
            }
            None => {
                // Whether the block ends (a look ahead, not a second pass): a truncated key ends at its last
                // base64 line instead.
                let rest = &self.text.as_bytes()[self.base + l.len()..];
                let closed = index(&rest[..rest.len().min(16384)], b"-----END").is_some();
                Some(Pem { name: ls..le, line: self.no, reported: false, closed })
            }
        }
    }

    /// One line inside a multi-line private key: masks its base64 (after any log prefix); false at the end.
    fn pem_body(&mut self, p: &mut Pem) -> bool {
        let l = self.l;
        if index(l, b"-----END").is_some() {
            return false;
        }
        let end = l.iter().rposition(|c| !matches!(c, b' ' | b'\t')).map_or(0, |i| i + 1);
        let start = l[..end].iter().rposition(|c| matches!(c, b' ' | b'\t' | b'|' | b'"' | b'\'')).map_or(0, |i| i + 1);
        let v = &l[start..end];
        if v.len() >= 4 && v.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=')) {
            let name = (!p.reported).then(|| self.text[p.name.clone()].to_string());
            p.reported = true;
            let no = std::mem::replace(&mut self.no, p.line);
            self.push(start, end, SecretKind::PrivateKey, name);
            self.no = no;
            true
        } else {
            // Up to its END everything is inside a closed block; a truncated one keeps only blank and header
            // lines (`Proc-Type: 4,ENCRYPTED`) before its base64, and masked lines.
            p.closed || (!v.is_empty() && is_masked(v)) || (!p.reported && (v.is_empty() || l.contains(&b':')))
        }
    }
}

/// What separates a name from its value: `=` (with spaces before it or not, after a quoted name or not),
/// `:` (after a quoted name or not), or the tab or spaces of the debug page's table.
#[derive(Clone, Copy)]
enum Sep {
    Eq { spaced: bool, quoted: bool },
    Colon { quoted: bool },
    Gap,
}

/// Where `n` first occurs in `h`. The needles are short and fixed: `memchr` finds their first byte, which
/// keeps this fast without `memmem`'s searchers (they cost the wasm more than they save here).
fn index(h: &[u8], n: &[u8]) -> Option<usize> {
    let mut i = 0;
    while let Some(k) = memchr::memchr(n[0], &h[i..]) {
        if h[i + k..].starts_with(n) {
            return Some(i + k);
        }
        i += k + 1;
    }
    None
}

/// How many times `n` occurs in `h`: 0, 1 or 2 (more).
fn count(h: &[u8], n: &[u8]) -> usize {
    index(h, n).map_or(0, |i| 1 + usize::from(index(&h[i + n.len()..], n).is_some()))
}

/// A multi-line private key being read: its label's range in the text, the line of its BEGIN, whether it was
/// reported, whether its END follows.
struct Pem {
    name: std::ops::Range<usize>,
    line: usize,
    reported: bool,
    closed: bool,
}

/// Classes of bytes, one bit each, for the loops that run over every byte: `A-Z 0-9`, letters and digits,
/// and `_` `-` (a token's body), and `.` (a name: `DB_PASSWORD`, `X-Api-Key`, `spring.datasource.password`).
const UPPER: u8 = 1;
const ALNUM: u8 = 2;
const WORD: u8 = 4;
const NAME: u8 = 8;
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = if b.is_ascii_uppercase() || b.is_ascii_digit() {
            UPPER | ALNUM | WORD | NAME
        } else if b.is_ascii_lowercase() {
            ALNUM | WORD | NAME
        } else if b == b'_' || b == b'-' {
            WORD | NAME
        } else if b == b'.' {
            NAME
        } else {
            0
        };
        c += 1;
    }
    t
};

fn is_tok(c: u8) -> bool {
    CLASS[usize::from(c)] & NAME != 0
}

/// Where an unquoted value ends. Header-style values (`Authorization: Token abc`, YAML) run to the line end.
fn bare_end(c: u8, to_line_end: bool) -> bool {
    matches!(c, b'\'' | b'"' | b'`' | b'\\')
        || (!to_line_end && matches!(c, b' ' | b'\t' | b',' | b';' | b'&' | b')' | b']' | b'}'))
}

fn contains_ci(h: &[u8], n: &[u8]) -> bool {
    h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

fn url_end(c: u8) -> bool {
    matches!(c, b'?' | b'#' | b' ' | b'\t' | b'\'' | b'"' | b'<' | b'>' | b'`' | b'\\')
}

/// A quoted literal at `i` (`'x'`, `"x"`, `b'x'`): the content's range and the index after the closing quote.
fn quoted(l: &[u8], mut i: usize) -> Option<(usize, usize, usize)> {
    if matches!(l.get(i), Some(b'b' | b'r' | b'u')) && matches!(l.get(i + 1), Some(b'\'' | b'"')) {
        i += 1;
    }
    let q = *l.get(i).filter(|c| matches!(c, b'\'' | b'"'))?;
    let mut k = i + 1;
    while k < l.len() && l[k] != q {
        k += if l[k] == b'\\' { 2 } else { 1 };
    }
    (k < l.len()).then_some((i + 1, k, k + 1))
}

/// Already masked: stars (Django's `'********************'`, ours, `:****`), dots, bullets, `[REDACTED]`,
/// `[Filtered]`.
fn is_masked(v: &[u8]) -> bool {
    v.iter().all(|c| matches!(c, b'*' | b'.' | 0xE2 | 0x80 | 0xA2))
        || index(v, b"***").is_some()
        || contains_ci(v, b"redacted")
        || contains_ci(v, b"filtered")
}

/// A Python name or dotted path (`settings.SECRET_KEY`, `django.contrib.auth.hashers`): code, not a value.
fn dotted(v: &[u8]) -> bool {
    v.contains(&b'.')
        && v.split(|c| *c == b'.').all(|p| {
            p.first().is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
                && p.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
        })
}

/// Is a value under this name a secret, and of which kind? ASCII case-insensitive, on the name's parts
/// (`DB_PASS` → `db`, `pass`; `dbPassword` → `db`, `password`) and on the name without separators.
fn classify(name: &[u8]) -> Option<SecretKind> {
    if name.len() > 64 {
        return None;
    }
    let mut flat = [0u8; 64];
    let mut n = 0;
    for c in name.iter().filter(|c| c.is_ascii_alphanumeric()) {
        flat[n] = c.to_ascii_lowercase();
        n += 1;
    }
    let flat = &flat[..n];
    let has = |w: &[u8]| flat.windows(w.len()).any(|x| x == w);
    // Word parts, split at `_`, `-`, `.` and lowerUpper.
    let mut parts: [&[u8]; 12] = [&[]; 12];
    let mut np = 0;
    let mut s = 0;
    for i in 1..=name.len() {
        let cut = i == name.len()
            || !name[i].is_ascii_alphanumeric()
            || (name[i].is_ascii_uppercase() && name[i - 1].is_ascii_lowercase());
        if cut {
            if i > s && np < parts.len() {
                parts[np] = &name[s..i];
                np += 1;
            }
            s = if i < name.len() && !name[i].is_ascii_alphanumeric() { i + 1 } else { i };
        }
    }
    let parts = &parts[..np];
    let part = |w: &str| parts.iter().any(|p| p.eq_ignore_ascii_case(w.as_bytes()));
    let last = |w: &str| parts.last().is_some_and(|p| p.eq_ignore_ascii_case(w.as_bytes()));
    if ["sessionid", "sessionkey", "sessid", "session"].iter().any(|w| flat.ends_with(w.as_bytes()))
        || flat == b"csrftoken"
    {
        return Some(SecretKind::Cookie);
    }
    // Names that contain a secret's word but end in what they hold instead (the last word of a name is its
    // head): `AUTH_PASSWORD_VALIDATORS`, `PASSWORD_RESET_TIMEOUT`, `POSTGRES_PASSWORD_FILE`, `token_type`.
    const NOT: &str = "file path dir url uri host port name field id type prefix model class backend backends \
        validators hashers timeout days age lifetime expiry expires length min max header algorithm enabled \
        required domain count source";
    const WORDS: &str = "password passwd passphrase secret token apikey privatekey accesskey credential signature \
        authorization";
    if !(WORDS.split(' ').any(|w| has(w.as_bytes())) || part("pass") || part("pwd") || part("pw") || last("auth"))
        || NOT.split(' ').any(last)
    {
        return None;
    }
    Some(if has(b"authorization") { SecretKind::Token } else { SecretKind::Setting })
}
