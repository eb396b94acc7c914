//! Native throughput benchmark: `cargo run --release -p traceback-explainer-core --example throughput -- FILE [RUNS]`.
//!
//! Parses (and fully explains) FILE several times and prints one JSON line with the best MB/s for parsing
//! alone and for the whole explanation. Make a 1 MB log with `python3 ../shared/peers/make_biglog.py`.

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: throughput FILE [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(20);
    let bytes = std::fs::read(&path).expect("readable file");
    let text = String::from_utf8_lossy(&bytes);
    let mb = text.len() as f64 / 1e6;
    let best = |f: &dyn Fn() -> usize| {
        let mut best = f64::MAX;
        let mut found = 0;
        for _ in 0..runs {
            let t = Instant::now();
            found = f();
            best = best.min(t.elapsed().as_secs_f64());
        }
        (best, found)
    };
    let (parse_s, tracebacks) = best(&|| traceback_explainer_core::parse::parse(&text).tracebacks.len());
    let (explain_s, _) = best(&|| traceback_explainer_core::explain(&text).tracebacks.len());
    println!(
        "{{\"file\":{:?},\"bytes\":{},\"tracebacks\":{},\"parse_mb_s\":{:.1},\"explain_mb_s\":{:.1},\"runs\":{}}}",
        path,
        text.len(),
        tracebacks,
        mb / parse_s,
        mb / explain_s,
        runs
    );
}
