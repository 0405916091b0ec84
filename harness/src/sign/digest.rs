//! Digests and signatures: HMAC-SHA1/256/512 and Ed25519, and the encodings a signature is
//! written in.

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};

use crate::spec::extensions::{Digest, Encoding};
use crate::spec::signing::Algorithm;

/// HMAC-SHA256 of `message` under `key`.
#[must_use]
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// HMAC of `message` under `key` with the digest `$digest`.
macro_rules! mac {
    ($digest:ty, $key:expr, $message:expr) => {{
        let mut mac = <Hmac<$digest> as KeyInit>::new_from_slice($key)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update($message);
        mac.finalize().into_bytes().to_vec()
    }};
}

/// The raw signature of `message` with `key` under `algorithm`. An Ed25519 key is the 32-byte
/// seed, or the 64 bytes of seed and public key; another length signs nothing (`None`).
#[must_use]
pub fn sign(algorithm: Algorithm, key: &[u8], message: &[u8]) -> Option<Vec<u8>> {
    Some(match algorithm {
        Algorithm::Hmac(Digest::Sha1) => mac!(sha1::Sha1, key, message),
        Algorithm::Hmac(Digest::Sha256) => mac!(sha2::Sha256, key, message),
        Algorithm::Hmac(Digest::Sha512) => mac!(sha2::Sha512, key, message),
        Algorithm::Ed25519 => {
            use ed25519_dalek::Signer as _;
            let seed: [u8; 32] = ed25519_seed(key)?;
            ed25519_dalek::SigningKey::from_bytes(&seed)
                .sign(message)
                .to_bytes()
                .to_vec()
        }
    })
}

/// The 32-byte seed of an Ed25519 secret key given as the seed or as seed and public key.
fn ed25519_seed(key: &[u8]) -> Option<[u8; 32]> {
    match key.len() {
        32 | 64 => key[..32].try_into().ok(),
        _ => None,
    }
}

/// The Ed25519 public key of a secret key (seed, or seed and public key).
#[must_use]
pub fn ed25519_public(key: &[u8]) -> Option<[u8; 32]> {
    let seed = ed25519_seed(key)?;
    Some(
        ed25519_dalek::SigningKey::from_bytes(&seed)
            .verifying_key()
            .to_bytes(),
    )
}

/// A digest in lowercase hex, standard padded Base64, or URL-safe unpadded Base64.
#[must_use]
pub fn encode(digest: &[u8], encoding: Encoding) -> String {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    match encoding {
        Encoding::Hex => {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            let mut out = String::with_capacity(digest.len() * 2);
            for b in digest {
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 15)] as char);
            }
            out
        }
        Encoding::Base64 => STANDARD.encode(digest),
        Encoding::Base64url => URL_SAFE_NO_PAD.encode(digest),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_4231_test_case_2() {
        let digest = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            encode(&digest, Encoding::Hex),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            encode(&digest, Encoding::Base64),
            "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="
        );
        let sha512 = sign(
            Algorithm::Hmac(Digest::Sha512),
            b"Jefe",
            b"what do ya want for nothing?",
        )
        .unwrap();
        assert_eq!(
            encode(&sha512, Encoding::Hex),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
        );
        let sha1 = sign(
            Algorithm::Hmac(Digest::Sha1),
            b"Jefe",
            b"what do ya want for nothing?",
        )
        .unwrap();
        assert_eq!(
            encode(&sha1, Encoding::Hex),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
    }

    #[test]
    fn rfc_8032_test_1() {
        // RFC 8032, section 7.1, TEST 1: the empty message.
        let seed: Vec<u8> = (0..32)
            .map(|i| {
                u8::from_str_radix(
                    &"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
                        [2 * i..2 * i + 2],
                    16,
                )
                .unwrap()
            })
            .collect();
        let signature = sign(Algorithm::Ed25519, &seed, b"").unwrap();
        assert_eq!(
            encode(&signature, Encoding::Hex),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        );
        assert_eq!(
            encode(&ed25519_public(&seed).unwrap(), Encoding::Hex),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
        assert!(sign(Algorithm::Ed25519, b"short", b"").is_none());
    }
}
