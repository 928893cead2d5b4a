//! Decimal digits → a `Decimal` holding exactly their value, or nothing: never rounded.
//!
//! `rust_decimal` holds a 96-bit mantissa (28 significant digits, 29 below
//! 79228162514264337593543950335) with at most 28 decimal places; its text parser rounds
//! what does not fit (`59.9999999999999999999999999999` reads as 60), which would turn a
//! failing value into a passing one. Every number ntm compares — data cells, workbook
//! cells, ruleset thresholds — is built here, and a value that cannot be held is refused
//! (`too-precise`) by the caller. Zeros at the end of the decimals are exact: a value written
//! with more of them than fit (`60.000000000000000000000000000000`) is held without them.

use rust_decimal::Decimal;

/// Largest scale a `Decimal` holds.
const MAX_SCALE: i64 = 28;

/// 10^0 to 10^19: every power of ten that fits in a `u64`, for the integer fast paths of
/// the evaluation and of closeness.
pub(crate) const POW10: [u64; 20] = {
    let mut t = [1u64; 20];
    let mut i = 1;
    while i < 20 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// `10^i` for every scale a `Decimal` has (0 to 28), where [`POW10`]'s `u64` stops at 10^19:
/// a look-up where `checked_pow` is a loop (issue #14).
pub(crate) const POW10_WIDE: [u128; 29] = {
    let mut t = [1u128; 29];
    let mut i = 1;
    while i < 29 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// `±digits × 10^-scale` exactly; `digits` are ASCII digits (leading zeros allowed). `None`
/// when the value needs more than the 96-bit mantissa or more than 28 decimal places after
/// dropping zeros at the end of the decimals.
pub fn from_digits(neg: bool, digits: &[u8], scale: i64) -> Option<Decimal> {
    let start = digits
        .iter()
        .position(|&b| b != b'0')
        .unwrap_or(digits.len());
    let digits = digits.get(start..)?;
    exact(neg, digits, scale).or_else(|| {
        // Zeros at the end of the decimals carry no value: drop them and try again.
        let mut end = digits.len();
        let mut scale = scale;
        while scale > 0 && end > 0 && digits.get(end - 1) == Some(&b'0') {
            end -= 1;
            scale -= 1;
        }
        exact(neg, digits.get(..end)?, scale)
    })
}

fn exact(neg: bool, digits: &[u8], scale: i64) -> Option<Decimal> {
    if !(i64::MIN / 2..=MAX_SCALE).contains(&scale) {
        return None;
    }
    let mut m: i128 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        m = m.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
    }
    // A negative scale appends zeros.
    for _ in scale..0 {
        m = m.checked_mul(10)?;
    }
    let scale = u32::try_from(scale.max(0)).ok()?;
    let n = Decimal::try_from_i128_with_scale(m, scale).ok()?;
    Some(if neg && !n.is_zero() { -n } else { n })
}

/// Plain decimal text (`-12.5`, `+.5`, `1_000.25`, `6e1`, `0.5E-2`; underscores as TOML writes
/// them are skipped) as an exact decimal. `None` when it is not such a text or cannot be held.
pub fn parse(text: &str) -> Option<Decimal> {
    let text = text.trim();
    let (neg, body) = match text.as_bytes().split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text.as_bytes()),
    };
    let (mantissa, exp) = match body.iter().position(|&b| b == b'e' || b == b'E') {
        Some(i) => {
            let e = std::str::from_utf8(body.get(i + 1..)?).ok()?;
            let e: i64 = e.replace('_', "").parse().ok()?;
            if e.unsigned_abs() > 400 {
                return None;
            }
            (body.get(..i)?, e)
        }
        None => (body, 0),
    };
    let mut digits = Vec::with_capacity(mantissa.len());
    let mut decimals = 0i64;
    let mut point = false;
    for &b in mantissa {
        match b {
            b'0'..=b'9' => {
                digits.push(b);
                decimals += i64::from(point);
            }
            b'.' if !point => point = true,
            b'_' => {}
            _ => return None,
        }
    }
    if digits.is_empty() {
        return None;
    }
    from_digits(neg, &digits, decimals - exp)
}

/// `n × 100` exactly (a fraction read as a percentage): the decimal point moves two places,
/// no digit is rounded. `None` when the result cannot be held.
pub fn times_100(n: Decimal) -> Option<Decimal> {
    let scale = i64::from(n.scale());
    let m = n.mantissa();
    let (m, scale) = if scale >= 2 {
        (m, scale - 2)
    } else {
        (m.checked_mul(if scale == 1 { 10 } else { 100 })?, 0)
    };
    let mut n = Decimal::try_from_i128_with_scale(m, u32::try_from(scale).ok()?).ok()?;
    // `0.855` → `85.5`, not `85.500`: as many decimals as the fraction needs, no more.
    n = n.normalize();
    Some(n)
}

/// Decimals for property tests: every sign, scale and size (`-0`, `0.000`, 28 digits), and
/// the small values of real cells.
#[cfg(test)]
pub(crate) fn any_decimal() -> impl proptest::strategy::Strategy<Value = Decimal> {
    use proptest::prelude::*;
    prop_oneof![
        (any::<i64>(), 0u32..=28).prop_map(|(m, s)| Decimal::new(m, s)),
        (
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
            any::<bool>(),
            0u32..=28
        )
            .prop_map(|(lo, mid, hi, neg, s)| Decimal::from_parts(lo, mid, hi, neg, s)),
        (any::<bool>(), 0u32..4).prop_map(|(neg, s)| Decimal::from_parts(0, 0, 0, neg, s)),
        (-2000i64..2000, 0u32..6).prop_map(|(m, s)| Decimal::new(m, s)),
    ]
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use proptest::prelude::*;

    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("decimal")
    }

    #[test]
    fn values_that_fit_are_exact() {
        assert_eq!(parse("59.99"), Some(d("59.99")));
        assert_eq!(parse("-12.5"), Some(d("-12.5")));
        assert_eq!(parse("6e1"), Some(d("60")));
        assert_eq!(parse("0.5E-2"), Some(d("0.005")));
        assert_eq!(parse("1_000.25"), Some(d("1000.25")));
        // 28 decimal places, 28 significant digits: the limit, held.
        assert_eq!(
            parse("0.1234567890123456789012345678").map(|n| n.to_string()),
            Some("0.1234567890123456789012345678".to_string())
        );
        assert_eq!(parse("79228162514264337593543950335"), Some(Decimal::MAX));
    }

    #[test]
    fn values_past_the_limit_are_refused_not_rounded() {
        // Decimal::from_str reads this as 60.
        assert_eq!(
            Decimal::from_str("59.9999999999999999999999999999").map(|n| n.to_string()),
            Ok("60.000000000000000000000000000".to_string())
        );
        assert_eq!(parse("59.9999999999999999999999999999"), None);
        assert_eq!(parse("0.00000000000000000000000000001"), None);
        assert_eq!(parse("79228162514264337593543950336"), None);
        assert_eq!(parse("1e-29"), None);
    }

    #[test]
    fn zeros_past_the_limit_are_exact() {
        assert_eq!(parse("60.000000000000000000000000000000"), Some(d("60")));
        assert_eq!(parse("0.500000000000000000000000000000000"), Some(d("0.5")));
        // Kept where they fit: `85.50` keeps its two places.
        assert_eq!(parse("85.50").map(|n| n.scale()), Some(2));
    }

    #[test]
    fn times_100_moves_the_point() {
        assert_eq!(times_100(d("0.855")), Some(d("85.5")));
        assert_eq!(times_100(d("1")), Some(d("100")));
        assert_eq!(times_100(d("0.5")), Some(d("50")));
        assert_eq!(
            times_100(d("0.1234567890123456789012345678")).map(|n| n.to_string()),
            Some("12.34567890123456789012345678".to_string())
        );
        assert_eq!(times_100(Decimal::MAX), None);
    }

    proptest! {
        /// At the type's limit: any digits and any scale either read back to exactly the
        /// written text's value or are refused; never a nearby value.
        #[test]
        fn never_rounds(digits in "[0-9]{1,40}", scale in 0i64..40, neg: bool) {
            let got = from_digits(neg, digits.as_bytes(), scale);
            // The written value, compared as text with the decimal point placed.
            let trimmed = digits.trim_start_matches('0');
            if let Some(n) = got {
                let s = scale as usize;
                let padded = format!("{:0>width$}", trimmed, width = s + 1);
                let (int, frac) = padded.split_at(padded.len() - s);
                let want = format!("{int}.{frac}");
                let want = want.trim_end_matches('0').trim_end_matches('.');
                let got = n.abs().normalize().to_string();
                prop_assert_eq!(got.as_str(), if want.is_empty() { "0" } else { want });
                if !n.is_zero() { prop_assert_eq!(n.is_sign_negative(), neg); }
            } else {
                // Refused only when it truly does not fit.
                let sig = trimmed.trim_end_matches('0');
                let dropped = ((trimmed.len() - sig.len()) as i64).min(scale);
                let needed = trimmed.len() as i64 - dropped;
                prop_assert!(needed > 28 || scale - dropped > 28,
                    "refused `{}` at scale {}", digits, scale);
            }
        }
    }
}
