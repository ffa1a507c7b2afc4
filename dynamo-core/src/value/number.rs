//! DynamoDB's number type: an exact decimal of at most 38 significant digits.
//!
//! Invariants kept by every constructor:
//! - `mantissa` has no trailing decimal zeros and fewer than 39 digits;
//! - zero is exactly `{ negative: false, mantissa: 0, exponent: 0 }` (so `-0` is `0`);
//! - the magnitude lies in `1E-130 ..= 9.99…9E+125` (38 nines).
//!
//! Because the representation is canonical, derived equality and hashing are
//! numeric equality (`1.0 == 1`, `1e2 == 100`), and `Display` prints the plain
//! decimal form DynamoDB returns (`"1.5E2"` reads back as `"150"`).
//! Nothing here goes through `f64`.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// Most significant digits a DynamoDB number may carry.
pub const MAX_DIGITS: u32 = 38;
/// Largest decimal exponent of the leading digit (`9.99…E+125`).
pub const MAX_EXPONENT: i64 = 125;
/// Smallest decimal exponent of the leading digit (`1E-130`).
pub const MIN_EXPONENT: i64 = -130;

/// An exact DynamoDB number (`N`).
///
/// ```
/// use dynamo_core::Number;
/// let a: Number = "1.50".parse().unwrap();
/// let b: Number = "15e-1".parse().unwrap();
/// assert_eq!(a, b);
/// assert_eq!(a.to_string(), "1.5");
/// assert!("1e126".parse::<Number>().is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Number {
    negative: bool,
    mantissa: u128,
    exponent: i16,
}

/// Why a string or native value is not a DynamoDB number. `Display` gives
/// DynamoDB's ValidationException message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    /// The string was empty.
    #[error("The parameter cannot be converted to a numeric value")]
    Empty,
    /// The string is not a decimal number.
    #[error("The parameter cannot be converted to a numeric value: {0}")]
    Invalid(String),
    /// The magnitude is above `9.99…E+125`.
    #[error(
        "Number overflow. Attempting to store a number with magnitude larger than supported range"
    )]
    Overflow,
    /// The magnitude is non-zero and below `1E-130`.
    #[error(
        "Number underflow. Attempting to store a number with magnitude smaller than supported range"
    )]
    Underflow,
    /// More than 38 significant digits.
    #[error("Attempting to store more than 38 significant digits in a Number")]
    Precision,
    /// A floating-point NaN or infinity.
    #[error("The parameter cannot be converted to a numeric value: {0}")]
    NotFinite(String),
}

/// A number did not fit the native type asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("number {number} does not fit in {target}")]
pub struct NumberRangeError {
    /// The number, in canonical form.
    pub number: String,
    /// The Rust type it was converted to.
    pub target: &'static str,
}

const fn pow10(n: u32) -> u128 {
    10u128.pow(n)
}

fn digit_count(m: u128) -> u32 {
    m.checked_ilog10().map_or(0, |l| l + 1)
}

impl Number {
    /// Zero.
    pub const ZERO: Number = Number {
        negative: false,
        mantissa: 0,
        exponent: 0,
    };

    /// Builds `(-1)^negative × mantissa × 10^exponent`, normalising it and
    /// checking DynamoDB's precision and range rules.
    pub fn from_parts(negative: bool, mantissa: u128, exponent: i64) -> Result<Self, NumberError> {
        if mantissa == 0 {
            return Ok(Self::ZERO);
        }
        let mut m = mantissa;
        let mut e = exponent;
        while m.is_multiple_of(10) {
            m /= 10;
            e = e.saturating_add(1);
        }
        let digits = digit_count(m);
        let adjusted = e.saturating_add(i64::from(digits) - 1);
        if adjusted > MAX_EXPONENT {
            return Err(NumberError::Overflow);
        }
        if adjusted < MIN_EXPONENT {
            return Err(NumberError::Underflow);
        }
        if digits > MAX_DIGITS {
            return Err(NumberError::Precision);
        }
        // adjusted is within [-130, 125] and digits <= 38, so e fits in i16.
        let exponent = i16::try_from(e).map_err(|_| NumberError::Overflow)?;
        Ok(Self {
            negative,
            mantissa: m,
            exponent,
        })
    }

    /// True for zero.
    pub fn is_zero(&self) -> bool {
        self.mantissa == 0
    }

    /// True for numbers below zero.
    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// The significant digits as an integer (no trailing zeros).
    pub fn mantissa(&self) -> u128 {
        self.mantissa
    }

    /// The power of ten the mantissa is multiplied by.
    pub fn exponent(&self) -> i32 {
        i32::from(self.exponent)
    }

    /// How many significant digits the number has (0 for zero).
    pub fn significant_digits(&self) -> u32 {
        digit_count(self.mantissa)
    }

    /// The decimal exponent of the leading digit (`123` → 2, `0.05` → -2).
    fn adjusted_exponent(&self) -> i64 {
        i64::from(self.exponent) + i64::from(self.significant_digits()) - 1
    }

    /// Exact sum, or DynamoDB's error when the result leaves the range or
    /// needs more than 38 digits.
    pub fn checked_add(self, other: Number) -> Result<Number, NumberError> {
        if self.is_zero() {
            return Ok(other);
        }
        if other.is_zero() {
            return Ok(self);
        }
        let e = self.exponent.min(other.exponent);
        // Scaling overflows u128 only when the exact sum has more than 38
        // digits: the other mantissa ends in a non-zero digit, so the sum does too.
        let scale = |n: Number| -> Result<u128, NumberError> {
            let shift = u32::try_from(i32::from(n.exponent) - i32::from(e))
                .map_err(|_| NumberError::Precision)?;
            10u128
                .checked_pow(shift)
                .and_then(|p| n.mantissa.checked_mul(p))
                .ok_or(NumberError::Precision)
        };
        let (a, b) = (scale(self)?, scale(other)?);
        let (negative, mantissa) = if self.negative == other.negative {
            (
                self.negative,
                a.checked_add(b).ok_or(NumberError::Precision)?,
            )
        } else if a >= b {
            (self.negative, a - b)
        } else {
            (other.negative, b - a)
        };
        Number::from_parts(negative, mantissa, i64::from(e))
    }

    /// Exact difference `self - other`.
    pub fn checked_sub(self, other: Number) -> Result<Number, NumberError> {
        self.checked_add(-other)
    }

    /// The value as an `i128`, if it is an integer that fits.
    pub fn to_i128(&self) -> Option<i128> {
        if self.exponent < 0 {
            return None;
        }
        let magnitude = 10u128
            .checked_pow(u32::try_from(self.exponent).ok()?)?
            .checked_mul(self.mantissa)?;
        if self.negative {
            0i128.checked_sub_unsigned(magnitude)
        } else {
            i128::try_from(magnitude).ok()
        }
    }

    /// The value as a `u128`, if it is a non-negative integer that fits.
    pub fn to_u128(&self) -> Option<u128> {
        if self.negative || self.exponent < 0 {
            return None;
        }
        10u128
            .checked_pow(u32::try_from(self.exponent).ok()?)?
            .checked_mul(self.mantissa)
    }

    /// The nearest `f64` (correctly rounded from the exact decimal).
    pub fn to_f64(&self) -> f64 {
        // The scientific form is short and f64's parser rounds correctly.
        let s = format!(
            "{}{}e{}",
            if self.negative { "-" } else { "" },
            self.mantissa,
            self.exponent
        );
        s.parse().unwrap_or(f64::NAN)
    }

    /// The exact decimal of a finite `f64`'s shortest round-trip form
    /// (`0.1f64` becomes `0.1`), or an error for NaN, infinities and values
    /// outside DynamoDB's range.
    pub fn from_f64(value: f64) -> Result<Number, NumberError> {
        if !value.is_finite() {
            return Err(NumberError::NotFinite(value.to_string()));
        }
        format!("{value:e}").parse()
    }

    /// As [`Number::from_f64`], for `f32`'s shortest round-trip form.
    pub fn from_f32(value: f32) -> Result<Number, NumberError> {
        if !value.is_finite() {
            return Err(NumberError::NotFinite(value.to_string()));
        }
        format!("{value:e}").parse()
    }

    fn cmp_magnitude(&self, other: &Self) -> Ordering {
        self.adjusted_exponent()
            .cmp(&other.adjusted_exponent())
            .then_with(|| {
                // Same leading exponent: align both mantissas to 38 digits.
                let a = self.mantissa * pow10(MAX_DIGITS - self.significant_digits());
                let b = other.mantissa * pow10(MAX_DIGITS - other.significant_digits());
                a.cmp(&b)
            })
    }

    fn sign(&self) -> i8 {
        match (self.negative, self.mantissa) {
            (_, 0) => 0,
            (true, _) => -1,
            (false, _) => 1,
        }
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sign()
            .cmp(&other.sign())
            .then_with(|| match self.sign() {
                0 => Ordering::Equal,
                1 => self.cmp_magnitude(other),
                _ => other.cmp_magnitude(self),
            })
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl FromStr for Number {
    type Err = NumberError;

    /// Accepts `[+-]digits[.digits][(e|E)[+-]digits]` (digits on at least one
    /// side of the point), as DynamoDB does.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            return Err(NumberError::Empty);
        }
        let invalid = || NumberError::Invalid(s.to_owned());
        let bytes = s.as_bytes();
        let mut i = 0;
        let negative = match bytes[0] {
            b'-' => {
                i += 1;
                true
            }
            b'+' => {
                i += 1;
                false
            }
            _ => false,
        };
        let int_start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let int_digits = &bytes[int_start..i];
        let mut frac_digits: &[u8] = &[];
        if i < bytes.len() && bytes[i] == b'.' {
            i += 1;
            let frac_start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            frac_digits = &bytes[frac_start..i];
        }
        if int_digits.is_empty() && frac_digits.is_empty() {
            return Err(invalid());
        }
        let mut exponent: i64 = 0;
        if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
            i += 1;
            let exp_negative = match bytes.get(i) {
                Some(b'-') => {
                    i += 1;
                    true
                }
                Some(b'+') => {
                    i += 1;
                    false
                }
                _ => false,
            };
            let exp_start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                // Saturate: any exponent this large is out of range anyway.
                exponent = exponent
                    .saturating_mul(10)
                    .saturating_add(i64::from(bytes[i] - b'0'));
                i += 1;
            }
            if i == exp_start {
                return Err(invalid());
            }
            if exp_negative {
                exponent = -exponent;
            }
        }
        if i != bytes.len() {
            return Err(invalid());
        }

        // Significant digits: skip leading zeros, drop trailing zeros.
        let all = int_digits.iter().chain(frac_digits.iter());
        let significant: Vec<u8> = all.skip_while(|&&d| d == b'0').copied().collect();
        let trimmed_len = significant
            .iter()
            .rposition(|&d| d != b'0')
            .map_or(0, |p| p + 1);
        if trimmed_len == 0 {
            return Ok(Self::ZERO);
        }
        let trailing = (significant.len() - trimmed_len) as i64;
        let frac_len = frac_digits.len() as i64;
        let e = exponent.saturating_sub(frac_len).saturating_add(trailing);
        let digits = &significant[..trimmed_len];
        let adjusted = e.saturating_add(trimmed_len as i64 - 1);
        if adjusted > MAX_EXPONENT {
            return Err(NumberError::Overflow);
        }
        if adjusted < MIN_EXPONENT {
            return Err(NumberError::Underflow);
        }
        if trimmed_len > MAX_DIGITS as usize {
            return Err(NumberError::Precision);
        }
        let mantissa = digits
            .iter()
            .fold(0u128, |m, &d| m * 10 + u128::from(d - b'0'));
        Number::from_parts(negative, mantissa, e)
    }
}

impl fmt::Display for Number {
    /// Plain decimal notation, as DynamoDB returns numbers.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negative {
            f.write_str("-")?;
        }
        let digits = self.mantissa.to_string();
        let e = i64::from(self.exponent);
        if e >= 0 {
            f.write_str(&digits)?;
            for _ in 0..e {
                f.write_str("0")?;
            }
            return Ok(());
        }
        let point = digits.len() as i64 + e;
        if point > 0 {
            let (int, frac) = digits.split_at(point as usize);
            write!(f, "{int}.{frac}")
        } else {
            f.write_str("0.")?;
            for _ in 0..-point {
                f.write_str("0")?;
            }
            f.write_str(&digits)
        }
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Number({self})")
    }
}

impl std::ops::Neg for Number {
    type Output = Number;

    /// The negation; zero stays zero (there is no negative zero).
    fn neg(self) -> Number {
        if self.is_zero() {
            self
        } else {
            Self {
                negative: !self.negative,
                ..self
            }
        }
    }
}

impl Default for Number {
    fn default() -> Self {
        Self::ZERO
    }
}

macro_rules! from_integer {
    ($($t:ty),*) => {$(
        impl From<$t> for Number {
            fn from(value: $t) -> Self {
                let negative = (value as i128) < 0;
                let magnitude = (value as i128).unsigned_abs();
                // At most 20 digits: always within precision and range.
                Number::from_parts(negative, magnitude, 0).unwrap_or(Number::ZERO)
            }
        }

        impl TryFrom<Number> for $t {
            type Error = NumberRangeError;
            fn try_from(n: Number) -> Result<Self, Self::Error> {
                n.to_i128()
                    .and_then(|v| <$t>::try_from(v).ok())
                    .ok_or_else(|| NumberRangeError { number: n.to_string(), target: stringify!($t) })
            }
        }
    )*};
}
from_integer!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl TryFrom<i128> for Number {
    type Error = NumberError;
    fn try_from(value: i128) -> Result<Self, Self::Error> {
        Number::from_parts(value < 0, value.unsigned_abs(), 0)
    }
}

impl TryFrom<u128> for Number {
    type Error = NumberError;
    fn try_from(value: u128) -> Result<Self, Self::Error> {
        Number::from_parts(false, value, 0)
    }
}

impl TryFrom<Number> for i128 {
    type Error = NumberRangeError;
    fn try_from(n: Number) -> Result<Self, Self::Error> {
        n.to_i128().ok_or_else(|| NumberRangeError {
            number: n.to_string(),
            target: "i128",
        })
    }
}

impl TryFrom<Number> for u128 {
    type Error = NumberRangeError;
    fn try_from(n: Number) -> Result<Self, Self::Error> {
        n.to_u128().ok_or_else(|| NumberRangeError {
            number: n.to_string(),
            target: "u128",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Number {
        s.parse().unwrap()
    }

    #[test]
    fn canonical_forms() {
        for (input, canonical) in [
            ("00042", "42"),
            ("1.0", "1"),
            ("3.1400", "3.14"),
            ("1.5E2", "150"),
            ("-0", "0"),
            ("-0.000", "0"),
            ("+7", "7"),
            (".5", "0.5"),
            ("5.", "5"),
            ("1e-3", "0.001"),
            ("-12.5E3", "-12500"),
            ("1E+2", "100"),
            ("0e999999999999999999999", "0"),
        ] {
            assert_eq!(n(input).to_string(), canonical, "{input}");
        }
    }

    #[test]
    fn arithmetic_is_exact() {
        assert_eq!(n("0.1").checked_add(n("0.2")).unwrap(), n("0.3"));
        assert_eq!(n("1e100").checked_sub(n("1e100")).unwrap(), Number::ZERO);
        assert_eq!(n("-5").checked_add(n("3")).unwrap(), n("-2"));
        assert_eq!(n("1e100").checked_add(n("1")), Err(NumberError::Precision));
        assert_eq!(
            n("9.9999999999999999999999999999999999999E+125").checked_add(n("1e88")),
            Err(NumberError::Overflow)
        );
    }

    #[test]
    fn native_conversions() {
        assert_eq!(Number::from(-42i64).to_string(), "-42");
        assert_eq!(i64::try_from(n("1e18")).unwrap(), 1_000_000_000_000_000_000);
        assert!(i64::try_from(n("1e19")).is_err());
        assert!(u8::try_from(n("-1")).is_err());
        assert!(i32::try_from(n("1.5")).is_err());
        assert_eq!(Number::from(u64::MAX).to_string(), "18446744073709551615");
        assert_eq!(Number::from(i64::MIN).to_string(), "-9223372036854775808");
        assert_eq!(Number::from_f64(0.1).unwrap().to_string(), "0.1");
        assert_eq!(Number::from_f32(0.1).unwrap().to_string(), "0.1");
        assert_eq!(
            Number::from_f64(-2.5e10).unwrap().to_string(),
            "-25000000000"
        );
        assert!(Number::from_f64(f64::NAN).is_err());
        assert_eq!(Number::from_f64(1e-300), Err(NumberError::Underflow));
        assert_eq!(n("0.1").to_f64(), 0.1);
        assert!(Number::try_from(u128::MAX).is_err());
    }
}
