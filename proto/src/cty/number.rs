//! [`Number`]: cty's arbitrary-precision number, as three cheap representations.
//!
//! go-cty holds every number as a `big.Float` with 512 bits of mantissa.
//! Providers almost always see small integers, so this type keeps `i64` and `f64` when they are
//! exact and falls back to the decimal text otherwise.
//! The text matters: Terraform reads `0.1` from configuration as a 512-bit number, which is not
//! the `f64` nearest to 0.1, and it checks that a provider returns exactly what was planned.
//! Keeping `Big("0.1")` lets the msgpack encoder send `"0.1"` back, as go-cty does.

use std::fmt;

/// An arbitrary-precision number as cty has it.
///
/// Equality is by numeric value: two `Int`s or `Big`s compare exactly in decimal.
/// When either side is a `Float`, both sides are compared as `f64`, the precision the `Float`
/// was known to (so `Float(0.1) == Big("0.1")`, and `0 == -0`).
#[derive(Debug, Clone)]
pub enum Number {
    /// An integer that fits `i64`.
    Int(i64),
    /// A binary floating-point number, exact as given. NaN is not a cty number.
    Float(f64),
    /// Decimal text for a number that fits neither, e.g. `18446744073709551617`, `0.1` or
    /// `1e400`. Syntax: `[+-]digits[.digits][(e|E)[+-]digits]`, as go-cty accepts.
    Big(String),
}

impl Number {
    /// Parses decimal text (as msgpack strings and JSON numbers carry it).
    ///
    /// Gives `Int` for integers that fit `i64` and `Big` with the text as given otherwise.
    /// Returns `None` for text that is not a decimal number.
    pub fn parse(text: &str) -> Option<Number> {
        let decimal = Decimal::parse(text)?;
        Some(match decimal.to_i64() {
            Some(int) => Number::Int(int),
            None => Number::Big(text.to_owned()),
        })
    }

    /// The value as `i64`, if it is an integer that fits.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Number::Int(int) => Some(*int),
            Number::Float(float) => float_to_i64(*float),
            Number::Big(text) => Decimal::parse(text)?.to_i64(),
        }
    }

    /// The value as `f64`, rounded to nearest; ±infinity when out of range, NaN for `Big` text
    /// that is not a number.
    pub fn as_f64(&self) -> f64 {
        match self {
            Number::Int(int) => *int as f64,
            Number::Float(float) => *float,
            Number::Big(text) => text.parse().unwrap_or(f64::NAN),
        }
    }

    /// How go-cty's msgpack encoder writes this number: `int64` when it is an integer that fits,
    /// `float64` when that is exact (and for ±infinity), the decimal text otherwise.
    pub(crate) fn wire_form(&self) -> Result<WireNumber, String> {
        match self {
            Number::Int(int) => Ok(WireNumber::Int(*int)),
            Number::Float(float) if float.is_nan() => Err("NaN is not a number in cty".into()),
            Number::Float(float) => Ok(match float_to_i64(*float) {
                Some(int) => WireNumber::Int(int),
                None => WireNumber::Float(*float),
            }),
            Number::Big(text) => {
                let decimal = Decimal::parse(text)
                    .ok_or_else(|| format!("{text:?} is not a decimal number"))?;
                if let Some(int) = decimal.to_i64() {
                    return Ok(WireNumber::Int(int));
                }
                match decimal.to_exact_f64() {
                    Some(float) => Ok(WireNumber::Float(float)),
                    None => Ok(WireNumber::Text(text.clone())),
                }
            }
        }
    }

    /// The JSON number text for this number. JSON has no infinity or NaN.
    pub(crate) fn json_text(&self) -> Result<String, String> {
        match self {
            Number::Int(int) => Ok(int.to_string()),
            Number::Float(float) if !float.is_finite() => {
                Err(format!("JSON cannot encode {float}"))
            }
            // -0 is written as 0, as the msgpack encoder writes it as the integer 0.
            Number::Float(float) if *float == 0.0 => Ok("0".into()),
            // Display writes the shortest text that reads back as the same f64, without exponent.
            Number::Float(float) => Ok(float.to_string()),
            Number::Big(text) if is_json_number(text) => Ok(text.clone()),
            Number::Big(text) => {
                let decimal = Decimal::parse(text)
                    .ok_or_else(|| format!("{text:?} is not a decimal number"))?;
                Ok(decimal.to_json_text())
            }
        }
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Number) -> bool {
        match (self, other) {
            (Number::Int(left), Number::Int(right)) => left == right,
            (Number::Float(_), _) | (_, Number::Float(_)) => self.as_f64() == other.as_f64(),
            _ => match (self.decimal(), other.decimal()) {
                (Some(left), Some(right)) => left == right,
                _ => false,
            },
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(int) => write!(f, "{int}"),
            Number::Float(float) => write!(f, "{float}"),
            Number::Big(text) => f.write_str(text),
        }
    }
}

impl From<i64> for Number {
    fn from(int: i64) -> Number {
        Number::Int(int)
    }
}

impl From<f64> for Number {
    fn from(float: f64) -> Number {
        Number::Float(float)
    }
}

impl Number {
    fn decimal(&self) -> Option<Decimal> {
        match self {
            Number::Int(int) => Decimal::parse(&int.to_string()),
            Number::Float(float) => Decimal::parse(&format!("{float:.1074}")),
            Number::Big(text) => Decimal::parse(text),
        }
    }
}

/// A number as one of the three msgpack forms go-cty writes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum WireNumber {
    Int(i64),
    Float(f64),
    Text(String),
}

/// Converts an integral `f64` in `i64` range.
fn float_to_i64(float: f64) -> Option<i64> {
    // 2^63 is exactly representable; every integral f64 below it (and at or above -2^63) fits.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    (float.fract() == 0.0 && (-LIMIT..LIMIT).contains(&float)).then_some(float as i64)
}

/// True when `text` is a number in strict JSON syntax (RFC 8259).
pub(crate) fn is_json_number(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut index = 0;
    let digits = |index: &mut usize| {
        let start = *index;
        while bytes.get(*index).is_some_and(u8::is_ascii_digit) {
            *index += 1;
        }
        *index - start
    };
    if bytes.first() == Some(&b'-') {
        index += 1;
    }
    match bytes.get(index) {
        Some(b'0') => index += 1,
        Some(b'1'..=b'9') => {
            digits(&mut index);
        }
        _ => return false,
    }
    if bytes.get(index) == Some(&b'.') {
        index += 1;
        if digits(&mut index) == 0 {
            return false;
        }
    }
    if matches!(bytes.get(index), Some(b'e' | b'E')) {
        index += 1;
        if matches!(bytes.get(index), Some(b'+' | b'-')) {
            index += 1;
        }
        if digits(&mut index) == 0 {
            return false;
        }
    }
    index == bytes.len()
}

/// A decimal number in canonical form: `±0.DIGITS × 10^exponent`, with no leading or trailing
/// zero digits. Zero has no digits, exponent 0 and no sign, so `-0 == 0`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Decimal {
    negative: bool,
    digits: Vec<u8>,
    exponent: i64,
}

impl Decimal {
    /// Parses `[+-]digits[.digits][(e|E)[+-]digits]`, with at least one mantissa digit.
    fn parse(text: &str) -> Option<Decimal> {
        let bytes = text.as_bytes();
        let mut index = 0;
        let negative = match bytes.first() {
            Some(b'-') => {
                index += 1;
                true
            }
            Some(b'+') => {
                index += 1;
                false
            }
            _ => false,
        };
        let mut digits = Vec::new();
        while let Some(digit) = bytes.get(index).filter(|byte| byte.is_ascii_digit()) {
            digits.push(*digit);
            index += 1;
        }
        let mut point = i64::try_from(digits.len()).ok()?;
        if bytes.get(index) == Some(&b'.') {
            index += 1;
            while let Some(digit) = bytes.get(index).filter(|byte| byte.is_ascii_digit()) {
                digits.push(*digit);
                index += 1;
            }
        }
        if digits.is_empty() {
            return None;
        }
        let mut exponent: i64 = 0;
        if matches!(bytes.get(index), Some(b'e' | b'E')) {
            index += 1;
            let exponent_negative = match bytes.get(index) {
                Some(b'-') => {
                    index += 1;
                    true
                }
                Some(b'+') => {
                    index += 1;
                    false
                }
                _ => false,
            };
            let start = index;
            while bytes.get(index).is_some_and(u8::is_ascii_digit) {
                index += 1;
            }
            // Eighteen digits keep every sum below i64::MAX; larger exponents are absurd anyway.
            if index == start || index - start > 18 {
                return None;
            }
            exponent = text[start..index].parse().ok()?;
            if exponent_negative {
                exponent = -exponent;
            }
        }
        if index != bytes.len() {
            return None;
        }
        let leading_zeros = digits.iter().take_while(|digit| **digit == b'0').count();
        digits.drain(..leading_zeros);
        point -= i64::try_from(leading_zeros).ok()?;
        while digits.last() == Some(&b'0') {
            digits.pop();
        }
        if digits.is_empty() {
            return Some(Decimal {
                negative: false,
                digits,
                exponent: 0,
            });
        }
        Some(Decimal {
            negative,
            digits,
            exponent: point.checked_add(exponent)?,
        })
    }

    fn to_i64(&self) -> Option<i64> {
        let len = i64::try_from(self.digits.len()).ok()?;
        if self.digits.is_empty() {
            return Some(0);
        }
        if len > self.exponent || self.exponent > 19 {
            return None;
        }
        let mut magnitude: i128 = 0;
        for digit in &self.digits {
            magnitude = magnitude * 10 + i128::from(digit - b'0');
        }
        for _ in len..self.exponent {
            magnitude *= 10;
        }
        i64::try_from(if self.negative { -magnitude } else { magnitude }).ok()
    }

    /// The `f64` with exactly this value, if there is one.
    fn to_exact_f64(&self) -> Option<f64> {
        let float: f64 = self.to_json_text().parse().ok()?;
        // Every finite f64 has a finite decimal expansion of at most 1074 fraction digits, and
        // Rust's fixed-precision formatting writes it exactly.
        (float.is_finite() && Decimal::parse(&format!("{float:.1074}")).as_ref() == Some(self))
            .then_some(float)
    }

    /// `[-]0.DIGITSeEXPONENT`, or `0`.
    fn to_json_text(&self) -> String {
        if self.digits.is_empty() {
            return "0".into();
        }
        let sign = if self.negative { "-" } else { "" };
        let digits = std::str::from_utf8(&self.digits).expect("only ASCII digits are kept");
        format!("{sign}0.{digits}e{}", self.exponent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_keeps_integers_as_int_and_the_rest_as_text() {
        assert!(matches!(Number::parse("42"), Some(Number::Int(42))));
        assert!(matches!(Number::parse("-4.2e1"), Some(Number::Int(-42))));
        assert!(matches!(
            Number::parse("9223372036854775807"),
            Some(Number::Int(i64::MAX))
        ));
        assert!(matches!(
            Number::parse("-9223372036854775808"),
            Some(Number::Int(i64::MIN))
        ));
        assert!(matches!(
            Number::parse("9223372036854775808"),
            Some(Number::Big(_))
        ));
        assert!(matches!(Number::parse("0.1"), Some(Number::Big(text)) if text == "0.1"));
        for invalid in [
            "", "-", ".", "1e", "e5", "0x10", "1 ", "NaN", "inf", "1_000",
        ] {
            assert!(Number::parse(invalid).is_none(), "{invalid:?}");
        }
    }

    #[test]
    fn equality_is_numeric() {
        assert_eq!(Number::Int(1), Number::Float(1.0));
        assert_eq!(Number::Int(0), Number::Float(-0.0));
        assert_eq!(Number::Big("100".into()), Number::Int(100));
        assert_eq!(Number::Big("1e2".into()), Number::Big("100.000".into()));
        assert_eq!(Number::Float(0.1), Number::Big("0.1".into()));
        assert_eq!(
            Number::Big("18446744073709551616".into()),
            Number::Float(18446744073709551616.0)
        );
        assert_ne!(
            Number::Big("0.1".into()),
            Number::Big("0.10000000000000001".into())
        );
        assert_ne!(Number::Int(1), Number::Int(2));
    }

    #[test]
    fn accessors() {
        assert_eq!(Number::Float(3.0).as_i64(), Some(3));
        assert_eq!(Number::Float(3.5).as_i64(), None);
        assert_eq!(Number::Float(9.3e18).as_i64(), None);
        assert_eq!(Number::Big("1e3".into()).as_i64(), Some(1000));
        assert_eq!(Number::Big("1e400".into()).as_f64(), f64::INFINITY);
        assert_eq!(Number::Big("0.1".into()).as_f64(), 0.1);
    }

    #[test]
    fn wire_forms_follow_go_cty() {
        let form = |number: Number| number.wire_form().unwrap();
        assert_eq!(form(Number::Int(7)), WireNumber::Int(7));
        assert_eq!(form(Number::Float(2.0)), WireNumber::Int(2));
        assert_eq!(form(Number::Float(-0.0)), WireNumber::Int(0));
        assert_eq!(form(Number::Float(1.5)), WireNumber::Float(1.5));
        assert_eq!(
            form(Number::Float(f64::INFINITY)),
            WireNumber::Float(f64::INFINITY)
        );
        assert_eq!(form(Number::Big("1.5".into())), WireNumber::Float(1.5));
        // 2^64 does not fit int64 but is exactly a float64, so go-cty writes a float64.
        assert_eq!(
            form(Number::Big("18446744073709551616".into())),
            WireNumber::Float(18446744073709551616.0)
        );
        assert_eq!(
            form(Number::Big("18446744073709551617".into())),
            WireNumber::Text("18446744073709551617".into())
        );
        assert_eq!(
            form(Number::Big("0.1".into())),
            WireNumber::Text("0.1".into())
        );
        assert_eq!(
            form(Number::Big("1e400".into())),
            WireNumber::Text("1e400".into())
        );
        assert!(Number::Float(f64::NAN).wire_form().is_err());
        assert!(Number::Big("x".into()).wire_form().is_err());
    }

    #[test]
    fn json_texts() {
        let text = |number: Number| number.json_text().unwrap();
        assert_eq!(text(Number::Int(-3)), "-3");
        assert_eq!(text(Number::Float(0.1)), "0.1");
        assert_eq!(text(Number::Float(1e21)), "1000000000000000000000");
        assert_eq!(text(Number::Big("1e400".into())), "1e400");
        assert_eq!(text(Number::Big("+.5".into())).parse::<f64>().unwrap(), 0.5);
        assert!(Number::Float(f64::INFINITY).json_text().is_err());
    }
}
