//! Timestamps as attributes. `SystemTime` is stored as an ISO-8601 (RFC
//! 3339) UTC string with nine fractional digits, so that string order is
//! time order and every instant round-trips exactly; a field marked
//! `#[dynamo(with = dynamo::epoch_seconds)]` (and every `#[dynamo(ttl)]`
//! field) is stored as a number of seconds since the Unix epoch instead,
//! the format DynamoDB's TTL reads.

use crate::item::{Attribute, AttributeError};
use crate::value::{AttributeValue, Number};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Seconds and nanoseconds since the epoch (seconds negative before 1970).
fn split(time: SystemTime) -> (i64, u32) {
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => (d.as_secs() as i64, d.subsec_nanos()),
        Err(e) => {
            let d = e.duration();
            let (secs, nanos) = (d.as_secs() as i64, d.subsec_nanos());
            if nanos == 0 {
                (-secs, 0)
            } else {
                (-secs - 1, 1_000_000_000 - nanos)
            }
        }
    }
}

fn join(secs: i64, nanos: u32) -> Option<SystemTime> {
    if secs >= 0 {
        UNIX_EPOCH.checked_add(Duration::new(secs as u64, nanos))
    } else {
        UNIX_EPOCH
            .checked_sub(Duration::from_secs(secs.unsigned_abs()))?
            .checked_add(Duration::from_nanos(u64::from(nanos)))
    }
}

/// `2026-11-25T16:39:41.000000000Z`.
pub fn format_rfc3339(time: SystemTime) -> Result<String, AttributeError> {
    let (secs, nanos) = split(time);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    if !(0..=9999).contains(&year) {
        return Err(AttributeError::invalid(format!(
            "year {year} cannot be written as an ISO-8601 timestamp"
        )));
    }
    Ok(format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{nanos:09}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    ))
}

/// Reads `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`.
pub fn parse_rfc3339(text: &str) -> Result<SystemTime, AttributeError> {
    let invalid = || AttributeError::invalid(format!("`{text}` is not an ISO-8601 timestamp"));
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Result<u32, AttributeError> {
        let part = text.get(range).ok_or_else(invalid)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().map_err(|_| invalid())
        } else {
            Err(invalid())
        }
    };
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return Err(invalid());
    }
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    let month_days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let max_day = if month == 2 && leap {
        29
    } else {
        *month_days
            .get(month.wrapping_sub(1) as usize)
            .ok_or_else(invalid)?
    };
    if day == 0 || day > max_day || hour > 23 || minute > 59 || second > 59 {
        return Err(invalid());
    }
    let mut pos = 19;
    let mut nanos = 0u32;
    if b.get(pos) == Some(&b'.') {
        pos += 1;
        let start = pos;
        while pos < b.len() && b[pos].is_ascii_digit() {
            pos += 1;
        }
        let fraction = &text[start..pos];
        if fraction.is_empty() || fraction.len() > 9 {
            return Err(invalid());
        }
        nanos =
            fraction.parse::<u32>().map_err(|_| invalid())? * 10u32.pow(9 - fraction.len() as u32);
    }
    let offset = match &text[pos..] {
        "Z" | "z" => 0,
        zone if zone.len() == 6 && matches!(&zone[..1], "+" | "-") && &zone[3..4] == ":" => {
            let hours = digits(pos + 1..pos + 3)?;
            let minutes = digits(pos + 4..pos + 6)?;
            let offset = i64::from(hours * 3600 + minutes * 60);
            if zone.starts_with('-') {
                -offset
            } else {
                offset
            }
        }
        _ => return Err(invalid()),
    };
    let days = days_from_civil(i64::from(year), month, day);
    let secs = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second) - offset;
    join(secs, nanos).ok_or_else(invalid)
}

impl Attribute for SystemTime {
    fn to_attribute(&self) -> Result<AttributeValue, AttributeError> {
        format_rfc3339(*self).map(AttributeValue::S)
    }
    fn from_attribute(value: AttributeValue) -> Result<Self, AttributeError> {
        match value {
            AttributeValue::S(s) => parse_rfc3339(&s),
            other => Err(AttributeError::mismatch("S", &other)),
        }
    }
}

/// A time that can be stored as epoch seconds (`#[dynamo(ttl)]`, or
/// `#[dynamo(with = dynamo::epoch_seconds)]`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a time, so it cannot be stored as epoch seconds",
    label = "`#[dynamo(ttl)]` and `epoch_seconds` need a `SystemTime` or `Option<SystemTime>`"
)]
pub trait EpochSeconds: Sized {
    /// Seconds since the epoch (with a fraction when not whole), or `None`
    /// to leave the attribute out.
    fn to_epoch(&self) -> Result<Option<Number>, AttributeError>;
    /// Reads the value back; `None` when the attribute is absent.
    fn from_epoch(value: Option<AttributeValue>) -> Result<Self, AttributeError>;
}

fn epoch_number(time: SystemTime) -> Result<Number, AttributeError> {
    let (secs, nanos) = split(time);
    let text = if nanos == 0 {
        secs.to_string()
    } else if secs >= 0 {
        format!("{secs}.{nanos:09}")
    } else {
        // -1.25 is -2 seconds plus 0.75: write it the decimal way.
        let total = i128::from(secs) * 1_000_000_000 + i128::from(nanos);
        let (whole, frac) = (total.abs() / 1_000_000_000, total.abs() % 1_000_000_000);
        format!("-{whole}.{frac:09}")
    };
    text.parse()
        .map_err(|e: crate::value::NumberError| AttributeError::invalid(e.to_string()))
}

fn time_from_epoch(value: AttributeValue) -> Result<SystemTime, AttributeError> {
    let AttributeValue::N(n) = value else {
        return Err(AttributeError::mismatch("N", &value));
    };
    let text = n.to_string();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let invalid = || AttributeError::invalid(format!("{text} is not a time in epoch seconds"));
    let whole: i64 = whole.parse().map_err(|_| invalid())?;
    let mut fraction = fraction.to_owned();
    if fraction.len() > 9 {
        return Err(invalid());
    }
    while fraction.len() < 9 {
        fraction.push('0');
    }
    let nanos: u32 = fraction.parse().map_err(|_| invalid())?;
    let (secs, nanos) = match (negative, nanos) {
        (false, n) => (whole, n),
        (true, 0) => (-whole, 0),
        (true, n) => (-whole - 1, 1_000_000_000 - n),
    };
    join(secs, nanos).ok_or_else(invalid)
}

impl EpochSeconds for SystemTime {
    fn to_epoch(&self) -> Result<Option<Number>, AttributeError> {
        epoch_number(*self).map(Some)
    }
    fn from_epoch(value: Option<AttributeValue>) -> Result<Self, AttributeError> {
        match value {
            Some(v) => time_from_epoch(v),
            None => Err(AttributeError::Missing {
                path: String::new(),
            }),
        }
    }
}

impl EpochSeconds for Option<SystemTime> {
    fn to_epoch(&self) -> Result<Option<Number>, AttributeError> {
        self.map(epoch_number).transpose()
    }
    fn from_epoch(value: Option<AttributeValue>) -> Result<Self, AttributeError> {
        match value {
            None | Some(AttributeValue::Null) => Ok(None),
            Some(v) => time_from_epoch(v).map(Some),
        }
    }
}

/// A time as the number of epoch seconds it is stored as: the value type of
/// the typed path of a `#[dynamo(ttl)]` or epoch-seconds field, so that
/// `Session::EXPIRES_AT.lt(SystemTime::now())` compares numbers with
/// numbers. Accepts the time itself wherever a value is expected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct EpochTime<T>(pub T);

impl<T: EpochSeconds> Attribute for EpochTime<T> {
    fn to_attribute(&self) -> Result<AttributeValue, AttributeError> {
        match self.0.to_epoch()? {
            Some(n) => Ok(AttributeValue::N(n)),
            None => Ok(AttributeValue::Null),
        }
    }
    fn from_attribute(value: AttributeValue) -> Result<Self, AttributeError> {
        T::from_epoch(Some(value)).map(EpochTime)
    }
}

impl<T: EpochSeconds> crate::typed_path::Ordered for EpochTime<T> {}

impl<T: EpochSeconds> crate::typed_path::ValueArg<EpochTime<T>> for T {
    fn into_value(self) -> EpochTime<T> {
        EpochTime(self)
    }
}

/// Field codec `#[dynamo(with = dynamo::epoch_seconds)]`: a `SystemTime`
/// (or `Option<SystemTime>`) stored as a number of epoch seconds, with a
/// decimal fraction when the time is not a whole second.
pub mod epoch_seconds {
    use super::EpochSeconds;
    use crate::item::AttributeError;
    use crate::value::AttributeValue;

    /// The attribute of `value`, or `None` to leave it out.
    pub fn to_field<T: EpochSeconds>(value: &T) -> Result<Option<AttributeValue>, AttributeError> {
        value.to_epoch().map(|n| n.map(AttributeValue::N))
    }

    /// Reads the field from its attribute, `None` when absent.
    pub fn from_field<T: EpochSeconds>(value: Option<AttributeValue>) -> Result<T, AttributeError> {
        T::from_epoch(value)
    }
}

/// A field type the client can set to the current time
/// (`#[dynamo(created_at)]`, `#[dynamo(updated_at)]`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a time, so the client cannot stamp it",
    label = "`#[dynamo(created_at)]` and `#[dynamo(updated_at)]` need a `SystemTime` or `Option<SystemTime>`"
)]
pub trait Timestamp {
    /// The value for `now`.
    fn from_time(now: SystemTime) -> Self;
}

impl Timestamp for SystemTime {
    fn from_time(now: SystemTime) -> Self {
        now
    }
}

impl Timestamp for Option<SystemTime> {
    fn from_time(now: SystemTime) -> Self {
        Some(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_timestamps_round_trip_and_sort_as_time() {
        for secs in [0i64, 1, -1, 951_782_400, 1_764_089_981, -86_400 * 365 * 300] {
            for nanos in [0u32, 1, 500_000_000, 999_999_999] {
                let t = join(secs, nanos).unwrap();
                let text = format_rfc3339(t).unwrap();
                assert_eq!(parse_rfc3339(&text).unwrap(), t, "{text}");
                assert_eq!(
                    time_from_epoch(AttributeValue::N(epoch_number(t).unwrap())).unwrap(),
                    t
                );
            }
        }
        assert_eq!(
            format_rfc3339(join(1_764_089_981, 5).unwrap()).unwrap(),
            "2025-11-25T16:59:41.000000005Z"
        );
        assert_eq!(
            parse_rfc3339("2025-11-25T17:59:41+01:00").unwrap(),
            join(1_764_089_981, 0).unwrap()
        );
        assert!(parse_rfc3339("2025-02-29T00:00:00Z").is_err());
        assert!(parse_rfc3339("yesterday").is_err());
    }
}
