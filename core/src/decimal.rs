//! Decimal text of an `f64` with integer arithmetic only: formatting an `f64` with `{}` or
//! `{:.N}` brings about 10 KB of float-to-decimal code into the playground's wasm. The callers
//! (election scores in the core's texts, the page's coordinates and score tables) each choose
//! how to print the parts.

/// `x` rounded to `places` decimals (halves away from zero) as its sign (`"-"` or `""`, none
/// when it rounds to zero), its whole part and its fraction as an integer of `places` digits.
pub fn split(x: f64, places: u32) -> (&'static str, u64, u64) {
    debug_assert!(places <= 9, "split() supports at most 9 decimals");
    let scale = 10u64.pow(places);
    let scaled = (x * scale as f64).round() as i64;
    let sign = if scaled < 0 { "-" } else { "" };
    let units = scaled.unsigned_abs();
    (sign, units / scale, units % scale)
}

/// `ms` in seconds as `{}` prints `ms as f64 / 1000.0` ("10", "2.5", "0.125"), without
/// float formatting.
pub fn ms_as_seconds(ms: u64) -> String {
    let (whole, frac) = (ms / 1000, ms % 1000);
    if frac == 0 {
        return whole.to_string();
    }
    let digits = format!("{frac:03}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::{ms_as_seconds, split};

    #[test]
    fn seconds_read_as_the_float_would() {
        for ms in [0, 1, 10, 125, 2_500, 10_000, 10_001, 61_230] {
            assert_eq!(
                ms_as_seconds(ms),
                format!("{}", ms as f64 / 1000.0),
                "{ms} ms"
            );
        }
    }

    #[test]
    fn parts_round_halves_away_from_zero_and_drop_a_zero_sign() {
        assert_eq!(split(3.99443, 4), ("", 3, 9944));
        assert_eq!(split(-2.5, 1), ("-", 2, 5));
        assert_eq!(split(0.125, 2), ("", 0, 13));
        assert_eq!(split(-0.00004, 4), ("", 0, 0));
        assert_eq!(split(7.0, 0), ("", 7, 0));
    }
}
