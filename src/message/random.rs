//! `Random`: where a message's de-duplication number comes from.
//!
//! Unless the header or the command line fixes it, `Random` is derived from the
//! message itself: the first four bytes, big-endian, of the SHA-256 of the compact
//! JSON of the body with `Random` left out. The same message always gets the same
//! number, so compiling twice gives the same bytes and the server drops an accidental
//! second send as a repeat. Changing this function changes what counts as a
//! duplicate, so it is fixed and pinned by a test.

use sha2::{Digest, Sha256};

use crate::message::encode::Encoded;

/// How to choose `Random`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RandomChoice {
    /// The header's `random:` if set, else derived from the message.
    #[default]
    Derived,
    /// This number (`--random N`), whatever the header says.
    Fixed(u32),
    /// A new number from the operating system (`--fresh-random`).
    Fresh,
}

/// The number derived from `message`'s content (its own `Random` is ignored).
#[cfg(test)]
pub fn derive(message: &crate::message::Message) -> u32 {
    derive_encoded(&Encoded::new(message))
}

fn derive_encoded(encoded: &Encoded) -> u32 {
    let digest = Sha256::digest(encoded.without_random().as_bytes());
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// The `attempt`-th number derived again for a message whose compact JSON without its
/// `Random` is `without_random`, when the first (or an earlier attempt) is taken by
/// an earlier message of the batch to the same group: the first four bytes,
/// big-endian, of the SHA-256 of that JSON, a line feed and the attempt in decimal.
/// Fixed, like [`derive_encoded`]: the same batch gives the same numbers.
pub fn derive_again(without_random: &str, attempt: u32) -> u32 {
    let mut hasher = Sha256::new();
    hasher.update(without_random.as_bytes());
    hasher.update(format!("\n{attempt}").as_bytes());
    let digest = hasher.finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// The `Random` to send: as `choice` says, the message's own (`existing`, from the
/// header) before a derived one.
pub fn choose(existing: Option<u32>, choice: RandomChoice, encoded: &Encoded) -> u32 {
    match choice {
        RandomChoice::Fixed(n) => n,
        RandomChoice::Fresh => fresh(),
        RandomChoice::Derived => existing.unwrap_or_else(|| derive_encoded(encoded)),
    }
}

/// A number from the operating system's random source.
pub fn fresh() -> u32 {
    let mut bytes = [0u8; 4];
    // Without OS randomness, fall back to the clock: still fresh, never a panic.
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos() ^ d.as_secs() as u32)
            .unwrap_or(0);
        bytes = nanos.to_be_bytes();
    }
    u32::from_be_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Message;
    use crate::message::{Element, TextElem};

    fn message(text: &str) -> Message {
        Message {
            group_id: Some("@TGS#2C5SZEAEF".into()),
            body: vec![Element::TIMTextElem(TextElem { text: text.into() })],
            ..Message::default()
        }
    }

    #[test]
    fn derivation_is_pinned() {
        // Changing the derivation changes what the server treats as a duplicate:
        // this value must only change on purpose.
        assert_eq!(derive(&message("red packet")), 0x729c_9ce9);
        let json = Encoded::new(&message("red packet")).without_random();
        assert_eq!(derive_again(&json, 1), derive_again(&json, 1));
        assert_ne!(derive_again(&json, 1), derive_again(&json, 2));
        assert_eq!(derive_again("{}", 1), 0xf603_2d88);
    }

    #[test]
    fn derivation_is_content_sensitive_and_ignores_random() {
        let mut a = message("hello");
        assert_ne!(derive(&a), derive(&message("hello!")));
        let before = derive(&a);
        a.random = Some(7);
        assert_eq!(derive(&a), before);
    }

    #[test]
    fn choices() {
        let m = message("x");
        let encoded = Encoded::new(&m);
        // The header's own Random beats derivation; a fixed one beats both.
        assert_eq!(choose(Some(5), RandomChoice::Derived, &encoded), 5);
        assert_eq!(choose(None, RandomChoice::Derived, &encoded), derive(&m));
        assert_eq!(choose(Some(5), RandomChoice::Fixed(9), &encoded), 9);
    }
}
