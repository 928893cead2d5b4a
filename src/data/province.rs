//! The built-in province → region table (data/provinces.csv, embedded).
//!
//! Neither 1980/QĐ-TTg nor 318/QĐ-TTg lists provinces per region; the table follows the
//! standard 7-region split (sources in data/README.md). Provinces whose region is not certain
//! (Quảng Ninh) or that span two regions since the 2025 merger have no single region: the data
//! must then give the `region` column.

use std::sync::OnceLock;

use crate::text::fold;

const TABLE: &str = include_str!("../../data/provinces.csv");

/// Which list of provinces names are read against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProvinceSet {
    /// The 63 provinces before 1 July 2025.
    #[value(name = "2024")]
    Y2024,
    /// The 34 provinces from 1 July 2025.
    #[value(name = "2025")]
    Y2025,
}

#[derive(Debug)]
struct Entry {
    set: ProvinceSet,
    code: String,
    key: String,
    name: String,
    regions: Vec<String>,
    note: String,
}

/// What the table says of a province.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// One region code.
    Region(String),
    /// No single region; the text says why.
    Ambiguous(String),
    /// Not a province of the set.
    Unknown,
}

fn entries() -> &'static [Entry] {
    static ENTRIES: OnceLock<Vec<Entry>> = OnceLock::new();
    ENTRIES.get_or_init(|| {
        let mut rdr = csv::Reader::from_reader(TABLE.as_bytes());
        rdr.records()
            .filter_map(Result::ok)
            .map(|r| {
                let set = if &r[0] == "2025" {
                    ProvinceSet::Y2025
                } else {
                    ProvinceSet::Y2024
                };
                Entry {
                    set,
                    code: r[1].to_string(),
                    key: key(&r[2]),
                    name: r[2].to_string(),
                    regions: r[3].split_whitespace().map(str::to_string).collect(),
                    note: r[4].to_string(),
                }
            })
            .collect()
    })
}

/// Fold and drop the "Tỉnh" / "Thành phố" / "TP." prefix.
fn key(name: &str) -> String {
    let f = fold(name);
    for prefix in ["tinh ", "thanh pho ", "tp. ", "tp.", "tp "] {
        if let Some(rest) = f.strip_prefix(prefix) {
            return rest.trim().to_string();
        }
    }
    f
}

/// Region of a province given by name (any spelling the fold accepts) or statistics code.
pub fn lookup(set: ProvinceSet, province: &str) -> Lookup {
    let k = key(province);
    let code = province.trim();
    let hit = entries()
        .iter()
        .find(|e| e.set == set && (e.key == k || e.code == code));
    match hit {
        None => Lookup::Unknown,
        Some(e) => match e.regions.as_slice() {
            [one] => Lookup::Region(one.clone()),
            [] => Lookup::Ambiguous(format!("{}: {}", e.name, e.note)),
            many => Lookup::Ambiguous(format!(
                "{} spans regions {} ({}); or name the province before the merger with --province-set 2024",
                e.name,
                many.join(" and "),
                e.note
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pre_2025_province_is_in_the_table() {
        let n = entries()
            .iter()
            .filter(|e| e.set == ProvinceSet::Y2024)
            .count();
        // 63 provinces plus the alias row "Thừa Thiên Huế".
        assert_eq!(n, 64);
        assert_eq!(
            entries()
                .iter()
                .filter(|e| e.set == ProvinceSet::Y2025)
                .count(),
            34
        );
    }

    #[test]
    fn names_codes_and_spellings() {
        let rrd = Lookup::Region("RRD".into());
        assert_eq!(lookup(ProvinceSet::Y2024, "Hải Dương"), rrd);
        assert_eq!(lookup(ProvinceSet::Y2024, "Tỉnh Hải Dương"), rrd);
        assert_eq!(lookup(ProvinceSet::Y2024, "hai duong"), rrd);
        assert_eq!(lookup(ProvinceSet::Y2024, "30"), rrd);
        assert_eq!(
            lookup(ProvinceSet::Y2024, "Hòa Bình"),
            Lookup::Region("NMM".into())
        );
        assert_eq!(
            lookup(ProvinceSet::Y2024, "TP. Cần Thơ"),
            Lookup::Region("MRD".into())
        );
        assert_eq!(
            lookup(ProvinceSet::Y2024, "Thừa Thiên Huế"),
            Lookup::Region("NCC".into())
        );
        assert_eq!(lookup(ProvinceSet::Y2024, "Atlantis"), Lookup::Unknown);
    }

    #[test]
    fn uncertain_and_merged_provinces_need_a_region() {
        assert!(matches!(
            lookup(ProvinceSet::Y2024, "Quảng Ninh"),
            Lookup::Ambiguous(_)
        ));
        assert!(matches!(
            lookup(ProvinceSet::Y2025, "Bắc Ninh"),
            Lookup::Ambiguous(_)
        ));
        assert_eq!(
            lookup(ProvinceSet::Y2024, "Bắc Ninh"),
            Lookup::Region("RRD".into())
        );
        assert_eq!(
            lookup(ProvinceSet::Y2025, "Hưng Yên"),
            Lookup::Region("RRD".into())
        );
    }
}
