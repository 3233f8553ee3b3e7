//! Compile speed: a typical template, and a body of 1,000 elements and 1,000 mentions.
//! Run with `cargo bench --bench compile`.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use timl::{compile_markup, Options};

const TYPICAL: &str = include_str!("../templates/announcement.timl");

fn large_body() -> String {
    let mut source = String::from("---\ngroup: @TGS#2C5SZEAEF\ntype: Public\n---\n");
    for i in 0..1000 {
        source.push_str(&format!("Hello @member_{i} [face {}] ", i % 200));
    }
    source
}

fn bench(c: &mut Criterion) {
    let options = Options::default();
    let mut group = c.benchmark_group("compile");
    group.throughput(Throughput::Bytes(TYPICAL.len() as u64));
    group.bench_function("typical template to JSON", |b| {
        b.iter(|| {
            let compiled = compile_markup("announcement.timl", black_box(TYPICAL), &options);
            compiled.message.expect("compiles").to_pretty_json()
        })
    });
    let large = large_body();
    // The body is far over the server's 8000 bytes; lift the limit to measure the
    // whole path to JSON.
    let unlimited = Options {
        max_bytes: usize::MAX,
        ..Options::default()
    };
    group.throughput(Throughput::Bytes(large.len() as u64));
    group.bench_function("1000 elements + 1000 mentions to JSON", |b| {
        b.iter(|| {
            let compiled = compile_markup("large.timl", black_box(&large), &unlimited);
            compiled.message.expect("compiles").to_pretty_json()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
