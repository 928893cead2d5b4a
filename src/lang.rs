//! Language of human-readable output (`--lang vi|en`) and Vietnamese number style.
//!
//! Machine formats (CSV, JSON) never change with the language: numbers there are always
//! `62.2` and keys English. Human text (tables, summaries, HTML) follows `Lang`, counts
//! included: `1.192/20.000 (5,9%)` in Vietnamese, `1,192/20,000 (5.9%)` in English.

use rust_decimal::Decimal;

/// Language of human-readable output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// English: `62.2%`, `1,234`.
    En,
    /// Vietnamese: `62,2%`, `1.234`.
    Vi,
}

impl Lang {
    /// `--lang` when given, else `vi` when `LC_ALL`, `LC_MESSAGES` or `LANG` (the first one
    /// set) starts with `vi`, else English.
    pub fn resolve(flag: Option<Lang>) -> Lang {
        flag.unwrap_or_else(|| {
            let var = ["LC_ALL", "LC_MESSAGES", "LANG"]
                .iter()
                .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()));
            Lang::from_locale(var.as_deref())
        })
    }

    /// The language a locale string names (`vi_VN.UTF-8` → `Vi`); English otherwise.
    pub fn from_locale(locale: Option<&str>) -> Lang {
        match locale {
            Some(l) if l.to_ascii_lowercase().starts_with("vi") => Lang::Vi,
            _ => Lang::En,
        }
    }

    /// Pick the text for this language.
    pub fn pick<'a>(self, en: &'a str, vi: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Vi => vi,
        }
    }

    /// `value` rounded half away from zero to `places` decimals, with this language's
    /// decimal mark and thousands separator: `En` `1,234.5`, `Vi` `1.234,5`.
    pub fn decimal(self, value: Decimal, places: u32) -> String {
        let rounded = value
            .round_dp_with_strategy(places, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        let text = format!("{rounded:.prec$}", prec = places as usize);
        let (sign, digits) = match text.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", text.as_str()),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let (thousands, mark) = match self {
            Lang::En => (',', '.'),
            Lang::Vi => ('.', ','),
        };
        let mut out = String::with_capacity(text.len() + int.len() / 3);
        out.push_str(sign);
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                out.push(thousands);
            }
            out.push(c);
        }
        if !frac.is_empty() {
            out.push(mark);
            out.push_str(frac);
        }
        out
    }

    /// A count as people read it, thousands grouped in this language: `En` `20,000`, `Vi`
    /// `20.000`; below 1000 as it is. The one way human output writes a count (a number of
    /// communes, rows, verdicts); CSV and JSON write counts ungrouped.
    pub fn count(self, n: impl Into<u64>) -> String {
        let digits = n.into().to_string();
        let sep = match self {
            Lang::En => ',',
            Lang::Vi => '.',
        };
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(sep);
            }
            out.push(c);
        }
        out
    }

    /// `part/whole (share%)` with both counts grouped: `1,192/20,000 (5.9%)` in English,
    /// `1.192/20.000 (5,9%)` in Vietnamese.
    pub fn count_of(self, part: usize, whole: usize) -> String {
        format!(
            "{}/{} ({})",
            self.count(part as u64),
            self.count(whole as u64),
            self.percent(part, whole)
        )
    }

    /// `part` of `whole` as a percentage with one decimal, cut (not rounded) so a share never
    /// shows as meeting a target it misses (79.96% is `79.9%`, not `80.0%`), which is also how
    /// provinces print it: 94/151 is "62,2%" in Vietnamese. `–` when `whole` is zero.
    pub fn percent(self, part: usize, whole: usize) -> String {
        if whole == 0 {
            return "–".to_string();
        }
        let share = Decimal::from(part) * Decimal::ONE_HUNDRED / Decimal::from(whole);
        let cut = share.round_dp_with_strategy(1, rust_decimal::RoundingStrategy::ToZero);
        format!("{}%", self.decimal(cut, 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_follows_the_language() {
        // 94/151 = 62.25…%: cut to 62.2, as the province published it.
        assert_eq!(Lang::En.percent(94, 151), "62.2%");
        assert_eq!(Lang::Vi.percent(94, 151), "62,2%");
        // 7996/10000 stays under an 80% target.
        assert_eq!(Lang::En.percent(7996, 10000), "79.9%");
        assert_eq!(Lang::Vi.percent(1, 8), "12,5%");
        assert_eq!(Lang::En.percent(0, 0), "–");
    }

    #[test]
    fn decimal_groups_thousands() {
        assert_eq!(Lang::En.decimal(Decimal::new(12345, 1), 1), "1,234.5");
        assert_eq!(Lang::Vi.decimal(Decimal::new(12345, 1), 1), "1.234,5");
        assert_eq!(Lang::Vi.decimal(Decimal::new(-1234567, 0), 0), "-1.234.567");
        assert_eq!(Lang::En.decimal(Decimal::new(195, 1), 1), "19.5");
        assert_eq!(Lang::En.decimal(Decimal::new(5, 2), 1), "0.1");
    }

    #[test]
    fn counts_group_thousands_by_language() {
        assert_eq!(Lang::En.count(1192u64), "1,192");
        assert_eq!(Lang::Vi.count(1192u64), "1.192");
        assert_eq!(Lang::Vi.count(20_000u64), "20.000");
        assert_eq!(Lang::En.count(999u64), "999");
        assert_eq!(Lang::En.count(0u64), "0");
        assert_eq!(Lang::Vi.count(1_234_567u64), "1.234.567");
        assert_eq!(Lang::En.count(u64::MAX), "18,446,744,073,709,551,615");
        assert_eq!(Lang::Vi.count_of(1192, 20_000), "1.192/20.000 (5,9%)");
        assert_eq!(Lang::En.count_of(1192, 20_000), "1,192/20,000 (5.9%)");
        assert_eq!(Lang::Vi.count_of(94, 151), "94/151 (62,2%)");
    }

    proptest::proptest! {
        /// Taking the separators out gives the number back, and every group after the first
        /// has three digits.
        #[test]
        fn grouping_keeps_the_number(n: u64, vi: bool) {
            let (lang, sep) = if vi { (Lang::Vi, '.') } else { (Lang::En, ',') };
            let text = lang.count(n);
            let plain: String = text.chars().filter(|c| *c != sep).collect();
            proptest::prop_assert_eq!(plain, n.to_string());
            let groups: Vec<&str> = text.split(sep).collect();
            proptest::prop_assert!(groups[0].len() <= 3 && !groups[0].is_empty());
            proptest::prop_assert!(groups[1..].iter().all(|g| g.len() == 3));
        }
    }

    #[test]
    fn locale_picks_vietnamese_only_when_it_says_so() {
        assert_eq!(Lang::from_locale(Some("vi_VN.UTF-8")), Lang::Vi);
        assert_eq!(Lang::from_locale(Some("en_US.UTF-8")), Lang::En);
        assert_eq!(Lang::from_locale(Some("C")), Lang::En);
        assert_eq!(Lang::from_locale(None), Lang::En);
    }
}
