//! Snippet templates: `{name}` placeholders filled with values found in the paste.

/// Replace every `{key}` in `template` with its value; unknown placeholders are left as they are.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}');
        let key = close.map(|c| &after[..c]);
        match key.and_then(|k| values.iter().find(|(name, _)| *name == k)) {
            Some((k, v)) => {
                out.push_str(v);
                rest = &after[k.len() + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::fill;

    #[test]
    fn fills_known_keys_only() {
        assert_eq!(fill("{host}:{port} {x} {", &[("host", "db"), ("port", "5432")]), "db:5432 {x} {");
        assert_eq!(fill("d = {\"a\": 1}", &[("a", "b")]), "d = {\"a\": 1}");
    }
}
