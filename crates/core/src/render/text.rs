pub fn text(r: &crate::Report) -> String {
    serde_json::to_string_pretty(r).unwrap()
}
