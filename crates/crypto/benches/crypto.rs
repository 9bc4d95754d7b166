//! Criterion benches for rpoco-crypto (filled in below).

fn main() {}
