//! Sending speed: 1,000 messages to a fake Tencent IM server on 127.0.0.1 that
//! answers after 10, 50 or 200 ms, at the default rate (200/s) and concurrency.
//! Run with `cargo bench --bench send`.

use std::time::{Duration, Instant};

use timl::testing::{busiest_second, FakeConfig, FakeIm};
use timl::Secret;
use timl::{deliver_all, DeliverOptions, Status};
use timl::{Auth, Credentials};
use timl::{Delivery, Sender};

const KEY: &str = "bench-key-0123456789abcdef";
const MESSAGES: usize = 1000;

fn main() {
    println!("{MESSAGES} messages, --rate 200, --concurrency 64 (the defaults)");
    println!("| server latency | wall time | achieved rate | busiest second |");
    println!("|---|---|---|---|");
    for latency in [10, 50, 200] {
        let fake = FakeIm::start(FakeConfig {
            sdkappid: 1,
            identifier: "admin".into(),
            key: KEY.into(),
            latency: Duration::from_millis(latency),
            connect_delay: Duration::ZERO,
            groups: None,
            journal: None,
        });
        let sender = Sender::new(Credentials {
            sdkappid: 1,
            identifier: "admin".into(),
            auth: Auth::SecretKey(Secret::new(KEY)),
            endpoint: fake.endpoint(),
        });
        let requests = (0..MESSAGES).map(|i| {
            format!(r#"{{"GroupId":"g{:04}","Random":{i},"MsgBody":[{{"MsgType":"TIMTextElem","MsgContent":{{"Text":"hello"}}}}]}}"#, i % 500)
        });
        let options = DeliverOptions {
            rate: 200.0,
            concurrency: 64,
            retries: 4,
            resend_uncertain: false,
        };
        let start = Instant::now();
        let mut delivered = 0;
        deliver_all(&sender, requests, &options, None, &mut |report| {
            if matches!(report.status, Status::Sent(Delivery::Delivered { .. })) {
                delivered += 1;
            }
        })
        .expect("the batch runs");
        let wall = start.elapsed().as_secs_f64();
        assert_eq!(delivered, MESSAGES);
        let seen = fake.seen();
        let times = seen.arrivals(None);
        let span = times.last().unwrap().duration_since(times[0]).as_secs_f64();
        let busiest = busiest_second(&times);
        println!(
            "| {latency} ms | {wall:.2} s | {:.0} messages/s (limit 200) | {busiest} requests |",
            (times.len() - 1) as f64 / span
        );
    }
}
