//! Authentication. Without configured credentials the server accepts any
//! request carrying a well-formed SigV4 `Authorization` header, as DynamoDB
//! Local does. With credentials it verifies the signature exactly as AWS
//! does: canonical request, string to sign, derived signing key, constant-
//! time comparison, credential scope, and a 15-minute clock skew.

use axum::http::{HeaderMap, Method, Uri};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::time::{SystemTime, UNIX_EPOCH};

/// An access key, its secret, and what it may do.
#[derive(Clone)]
pub struct Credentials {
    /// The user the key belongs to, named in `AccessDeniedException`s.
    pub user: String,
    /// The access key id.
    pub access_key: String,
    /// The secret access key.
    pub secret_key: String,
    /// Whether the key may only call operations that change nothing.
    pub read_only: bool,
    /// If set, the key may only touch tables whose names start with this.
    pub table_prefix: Option<String>,
}

impl Credentials {
    /// A key with full access, for user `local`.
    pub fn new(access_key: impl Into<String>, secret_key: impl Into<String>) -> Self {
        Self {
            user: "local".to_owned(),
            access_key: access_key.into(),
            secret_key: secret_key.into(),
            read_only: false,
            table_prefix: None,
        }
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("access_key", &self.access_key)
            .field("secret_key", &"<redacted>")
            .field("read_only", &self.read_only)
            .field("table_prefix", &self.table_prefix)
            .finish()
    }
}

/// Why a request was not authenticated.
#[derive(Debug)]
pub(crate) enum AuthFailure {
    /// No `Authorization` header.
    Missing,
    /// The header lacks parts (`IncompleteSignatureException`).
    Incomplete(String),
    /// Unknown access key (`UnrecognizedClientException`).
    Unrecognized,
    /// Wrong signature, scope or time (`InvalidSignatureException`).
    InvalidSignature(String),
}

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
const MAX_SKEW_SECONDS: i64 = 15 * 60;

struct Authorization<'a> {
    credential: &'a str,
    signed_headers: &'a str,
    signature: &'a str,
}

fn parse_authorization(value: &str) -> Result<Authorization<'_>, AuthFailure> {
    let Some(rest) = value.strip_prefix(ALGORITHM) else {
        return Err(AuthFailure::Incomplete(format!(
            "Unsupported AWS 'algorithm': '{}'",
            value.split_whitespace().next().unwrap_or("")
        )));
    };
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split([',', ' ']).filter(|p| !p.is_empty()) {
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed_headers = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let mut missing = Vec::new();
    if credential.is_none() {
        missing.push("Credential");
    }
    if signed_headers.is_none() {
        missing.push("SignedHeaders");
    }
    if signature.is_none() {
        missing.push("Signature");
    }
    match (credential, signed_headers, signature) {
        (Some(credential), Some(signed_headers), Some(signature)) => Ok(Authorization {
            credential,
            signed_headers,
            signature,
        }),
        _ => Err(AuthFailure::Incomplete(format!(
            "Authorization header requires '{}' parameter. Authorization={value}",
            missing.join("' and '")
        ))),
    }
}

/// Checks a request's authentication as configured: with no keys, any
/// well-formed signature passes (`Ok(None)`); with keys, the signature must
/// verify against the key it names, which is returned.
pub(crate) fn check<'k>(
    keys: &'k [Credentials],
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Option<&'k Credentials>, AuthFailure> {
    let Some(value) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        return Err(AuthFailure::Missing);
    };
    if !value.starts_with("AWS4-") {
        return Err(AuthFailure::Missing);
    }
    let authorization = parse_authorization(value)?;
    let date = headers
        .get("x-amz-date")
        .or_else(|| headers.get("date"))
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            AuthFailure::Incomplete(
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
                    .to_owned(),
            )
        })?;
    if keys.is_empty() {
        return Ok(None);
    }
    verify(keys, &authorization, date, method, uri, headers, body).map(Some)
}

fn invalid(message: impl Into<String>) -> AuthFailure {
    AuthFailure::InvalidSignature(message.into())
}

fn verify<'k>(
    keys: &'k [Credentials],
    authorization: &Authorization,
    date: &str,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<&'k Credentials, AuthFailure> {
    let scope: Vec<&str> = authorization.credential.split('/').collect();
    let [access_key, day, region, service, terminator] = scope.as_slice() else {
        return Err(AuthFailure::Incomplete(format!(
            "Credential should be scoped to a valid region. Credential={}",
            authorization.credential
        )));
    };
    let request_time =
        parse_amz_date(date).ok_or_else(|| invalid(format!("Invalid X-Amz-Date: {date}")))?;
    if !date.starts_with(day) || day.len() != 8 {
        return Err(invalid(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{day}' != '{}', from '{date}'.",
            date.get(..8).unwrap_or(date)
        )));
    }
    if *service != "dynamodb" {
        return Err(invalid(format!(
            "Credential should be scoped to correct service: 'dynamodb'. Credential={}",
            authorization.credential
        )));
    }
    if *terminator != "aws4_request" {
        return Err(invalid(format!(
            "Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'."
        )));
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    if (now - request_time).abs() > MAX_SKEW_SECONDS {
        let stamp = |t: i64| format_amz_date(t);
        return Err(invalid(if request_time < now {
            format!(
                "Signature expired: {date} is now earlier than {} ({} - 15 min.)",
                stamp(now - MAX_SKEW_SECONDS),
                stamp(now)
            )
        } else {
            format!(
                "Signature not yet current: {date} is still later than {} ({} + 15 min.)",
                stamp(now + MAX_SKEW_SECONDS),
                stamp(now)
            )
        }));
    }
    let Some(credentials) = keys.iter().find(|k| k.access_key == *access_key) else {
        return Err(AuthFailure::Unrecognized);
    };
    let signed: Vec<&str> = authorization.signed_headers.split(';').collect();
    if !signed.contains(&"host") {
        return Err(invalid(
            "'Host' must be a 'SignedHeader' in the AWS Authorization.",
        ));
    }
    let canonical = canonical_request(
        method,
        uri,
        headers,
        &signed,
        authorization.signed_headers,
        body,
    );
    let string_to_sign = format!(
        "{ALGORITHM}\n{date}\n{day}/{region}/{service}/{terminator}\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let key = signing_key(&credentials.secret_key, day, region, service);
    let mut mac = hmac(&key);
    mac.update(string_to_sign.as_bytes());
    let expected = decode_hex(authorization.signature).ok_or_else(signature_mismatch)?;
    mac.verify_slice(&expected)
        .map_err(|_| signature_mismatch())?;
    Ok(credentials)
}

fn signature_mismatch() -> AuthFailure {
    invalid(
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    )
}

fn hmac(key: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length, so this never fails.
    <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"))
}

fn hmac_bytes(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = hmac(key);
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The SigV4 signing key for a day, region and service.
pub(crate) fn signing_key(secret: &str, day: &str, region: &str, service: &str) -> Vec<u8> {
    let k_date = hmac_bytes(format!("AWS4{secret}").as_bytes(), day);
    let k_region = hmac_bytes(&k_date, region);
    let k_service = hmac_bytes(&k_region, service);
    hmac_bytes(&k_service, "aws4_request")
}

fn canonical_request(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    signed: &[&str],
    signed_headers: &str,
    body: &[u8],
) -> String {
    let mut canonical_headers = String::new();
    let mut names: Vec<&str> = signed.to_vec();
    names.sort_unstable();
    for name in names {
        let values: Vec<String> = headers
            .get_all(name)
            .iter()
            .map(|v| {
                String::from_utf8_lossy(v.as_bytes())
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        canonical_headers.push_str(name);
        canonical_headers.push(':');
        canonical_headers.push_str(&values.join(","));
        canonical_headers.push('\n');
    }
    let payload_hash = headers
        .get("x-amz-content-sha256")
        .and_then(|v| v.to_str().ok())
        .map_or_else(|| hex(&Sha256::digest(body)), str::to_owned);
    let mut query: Vec<(&str, &str)> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .collect();
    query.sort_unstable();
    let query: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let path = if uri.path().is_empty() {
        "/"
    } else {
        uri.path()
    };
    format!(
        "{method}\n{path}\n{}\n{canonical_headers}\n{signed_headers}\n{payload_hash}",
        query.join("&")
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Epoch seconds of `yyyymmddTHHMMSSZ`.
fn parse_amz_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (h, mi, se) = (num(9..11)?, num(11..13)?, num(13..15)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se)
}

/// `yyyymmddTHHMMSSZ` of epoch seconds.
fn format_amz_date(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amz_dates_round_trip() {
        for t in [0, 951_782_400, 1_704_110_400, 1_732_512_345, 4_102_444_800] {
            assert_eq!(parse_amz_date(&format_amz_date(t)), Some(t));
        }
        assert_eq!(format_amz_date(1_704_110_400), "20240101T120000Z");
        assert_eq!(parse_amz_date("2024-01-01"), None);
    }

    #[test]
    fn the_signing_key_matches_the_aws_documentation_example() {
        // AWS SigV4 documentation: secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY,
        // 20120215, us-east-1, iam.
        let key = signing_key(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "20120215",
            "us-east-1",
            "iam",
        );
        assert_eq!(
            hex(&key),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
    }
}
