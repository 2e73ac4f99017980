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

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn parts_round_halves_away_from_zero_and_drop_a_zero_sign() {
        assert_eq!(split(3.99443, 4), ("", 3, 9944));
        assert_eq!(split(-2.5, 1), ("-", 2, 5));
        assert_eq!(split(0.125, 2), ("", 0, 13));
        assert_eq!(split(-0.00004, 4), ("", 0, 0));
        assert_eq!(split(7.0, 0), ("", 7, 0));
    }
}
