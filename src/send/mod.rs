//! Send: compiled request bodies in, each delivered at most once, results out.
//!
//! ```text
//! credentials (flags > env > timl.toml) -> endpoint + UserSig
//! bodies --deliver--> journal check --rate schedule--> sender (one POST, retries) --> results
//! ```
//!
//! [`deliver`] runs a batch over workers sharing the [`rate`] schedule and the
//! [`journal`] (exactly-once re-runs); [`sender`] sends one body with retries, always
//! with the same body and `Random`; [`codes`] says what each server error means;
//! [`redact`] keeps the UserSig and the key out of every text. Nothing here compiles:
//! it takes bodies that were compiled and checked.

pub mod api;
pub mod codes;
pub mod config_file;
mod config_shape;
pub mod credentials;
pub mod deliver;
pub mod endpoint;
pub mod groups;
pub mod journal;
pub mod rate;
pub mod redact;
pub mod secret;
pub mod sender;
#[cfg(feature = "testing")]
pub mod testing;
mod transport;
pub mod usersig;
