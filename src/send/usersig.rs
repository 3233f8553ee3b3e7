//! UserSig (TLSSigAPIv2): the signature an App admin sends with every REST call.
//!
//! The signed text is `TLS.identifier:…\nTLS.sdkappid:…\nTLS.time:…\nTLS.expire:…\n`;
//! `TLS.sig` is the standard base64 of its HMAC-SHA256 keyed with the secret key's
//! bytes; the JSON object holding it is zlib-compressed and base64-encoded with
//! `+/=` replaced by `*-_`.

use std::io::{Read, Write};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// The fields of a UserSig.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Always `2.0`.
    #[serde(rename = "TLS.ver")]
    pub version: String,
    /// The admin account.
    #[serde(rename = "TLS.identifier")]
    pub identifier: String,
    /// The app.
    #[serde(rename = "TLS.sdkappid")]
    pub sdkappid: u64,
    /// Seconds of validity from `time`.
    #[serde(rename = "TLS.expire")]
    pub expire: u64,
    /// When it was signed (Unix seconds).
    #[serde(rename = "TLS.time")]
    pub time: u64,
    /// The signature.
    #[serde(rename = "TLS.sig")]
    pub sig: String,
}

fn signature(key: &str, identifier: &str, sdkappid: u64, time: u64, expire: u64) -> String {
    let text = format!(
        "TLS.identifier:{identifier}\nTLS.sdkappid:{sdkappid}\nTLS.time:{time}\nTLS.expire:{expire}\n"
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes any key");
    mac.update(text.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Signs a UserSig for `identifier` of app `sdkappid`, valid `expire` seconds from
/// `time` (Unix seconds).
pub fn sign(key: &str, sdkappid: u64, identifier: &str, time: u64, expire: u64) -> String {
    let claims = Claims {
        version: "2.0".to_owned(),
        identifier: identifier.to_owned(),
        sdkappid,
        expire,
        time,
        sig: signature(key, identifier, sdkappid, time, expire),
    };
    let json = serde_json::to_vec(&claims).expect("claims serialize");
    let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    zlib.write_all(&json).expect("writing to memory");
    let compressed = zlib.finish().expect("writing to memory");
    STANDARD
        .encode(compressed)
        .replace('+', "*")
        .replace('/', "-")
        .replace('=', "_")
}

/// Why a UserSig was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// Not base64, not zlib, or not the JSON of a UserSig.
    Malformed,
    /// The signature does not match the key.
    BadSignature,
    /// `time + expire` is in the past.
    Expired,
}

/// The zlib-compressed bytes a UserSig is the base64 of.
pub fn compressed(usersig: &str) -> Result<Vec<u8>, Invalid> {
    let standard = usersig
        .replace('*', "+")
        .replace('-', "/")
        .replace('_', "=");
    STANDARD.decode(standard).map_err(|_| Invalid::Malformed)
}

/// The fields of a UserSig, its signature not checked.
pub fn decode(usersig: &str) -> Result<Claims, Invalid> {
    let compressed = compressed(usersig)?;
    let mut json = Vec::new();
    flate2::read::ZlibDecoder::new(compressed.as_slice())
        .take(64 * 1024)
        .read_to_end(&mut json)
        .map_err(|_| Invalid::Malformed)?;
    serde_json::from_slice(&json).map_err(|_| Invalid::Malformed)
}

/// Decodes and checks a UserSig against `key` at `now` (Unix seconds).
pub fn verify(usersig: &str, key: &str, now: u64) -> Result<Claims, Invalid> {
    let claims = decode(usersig)?;
    let expected = signature(
        key,
        &claims.identifier,
        claims.sdkappid,
        claims.time,
        claims.expire,
    );
    if expected != claims.sig {
        return Err(Invalid::BadSignature);
    }
    if claims.time.saturating_add(claims.expire) < now {
        return Err(Invalid::Expired);
    }
    Ok(claims)
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";

    #[test]
    fn signs_what_the_reference_algorithm_verifies() {
        let usersig = sign(KEY, 1400000000, "admin", 1_700_000_000, 86400);
        assert!(!usersig.contains(['+', '/', '=']));
        let claims = verify(&usersig, KEY, 1_700_000_100).unwrap();
        assert_eq!(claims.identifier, "admin");
        assert_eq!(claims.sdkappid, 1400000000);
        assert_eq!((claims.time, claims.expire), (1_700_000_000, 86400));
        // The signature is HMAC-SHA256 of the documented text, keyed with the key as
        // it is (not hex-decoded).
        let text = "TLS.identifier:admin\nTLS.sdkappid:1400000000\nTLS.time:1700000000\nTLS.expire:86400\n";
        let mut mac = Hmac::<Sha256>::new_from_slice(KEY.as_bytes()).unwrap();
        mac.update(text.as_bytes());
        assert_eq!(claims.sig, STANDARD.encode(mac.finalize().into_bytes()));
    }

    #[test]
    fn long_identifiers_decode() {
        // The claims of a 3,000-character identifier take over 3 KB: still read.
        let identifier = "a".repeat(3000);
        let usersig = sign(KEY, 1, &identifier, 1000, 60);
        assert_eq!(decode(&usersig).unwrap().identifier, identifier);
        assert_eq!(verify(&usersig, KEY, 1000).unwrap().identifier, identifier);
    }

    #[test]
    fn wrong_key_expiry_and_garbage_are_refused() {
        let usersig = sign(KEY, 1, "admin", 1000, 60);
        assert_eq!(verify(&usersig, "other", 1001), Err(Invalid::BadSignature));
        assert_eq!(verify(&usersig, KEY, 2000), Err(Invalid::Expired));
        // Valid through its last second, `time + expire`, and not one after.
        assert!(verify(&usersig, KEY, 1060).is_ok());
        assert_eq!(verify(&usersig, KEY, 1061), Err(Invalid::Expired));
        assert_eq!(verify("not*a-sig", KEY, 0), Err(Invalid::Malformed));
    }
}
