//! Command-line arguments (clap derive only; no logic).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::data::decode::Encoding;
use crate::data::province::ProvinceSet;
use crate::lang::Lang;

/// Evaluate Vietnam's New Rural Development (Nông thôn mới) commune criteria.
///
/// Reads commune indicator values (CSV files or workbooks: .xlsx, .xlsm, .xlsb, .xls, .ods;
/// standard input when no file is given and it is not a terminal) and a ruleset (TOML; the
/// official sets are built in), and reports the level each commune reaches and exactly what
/// blocks the next one.
#[derive(Debug, Parser)]
#[command(name = "ntm", version, propagate_version = true)]
#[command(
    after_long_help = "Exit codes: 0 success (also when the reader of the output closes the \
    pipe early); 1 findings (`evaluate --fail-below` matched, `evaluate --strict-sources` found \
    unverified verdicts, `check` found errors or, with --deny warnings, warnings, \
    `summary --compare` found figures that differ, `test` had a failing case or coverage below \
    --min-coverage, `diff --fail-on-change`/`--fail-on-down` matched, `fmt --check`/`--diff` \
    found a file not in canonical form); 2 bad usage, unreadable or invalid input, or a file \
    that could not be written."
)]
pub struct Cli {
    /// Flags of every subcommand.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Flags that apply to every subcommand.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Print only errors and results: no warnings, no progress line, no "wrote …" notes.
    #[arg(short = 'q', long, global = true, help_heading = "Global options")]
    pub quiet: bool,
    /// Colour errors and warnings: `auto` on a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto, global = true, help_heading = "Global options")]
    pub color: ColorWhen,
}

/// When to colour errors and warnings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// When standard error is a terminal and NO_COLOR is not set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate communes: level reached and what blocks the next level.
    #[command(
        after_long_help = "Examples:\n  ntm evaluate examples/communes.csv\n  \
        ntm evaluate --rules examples/ruleset.toml examples/communes.csv --year 2025 --format json\n  \
        ntm evaluate a.csv b.csv --fail-below standard\n  \
        ntm evaluate communes.csv --format xlsx --lang vi -o ket-qua.xlsx"
    )]
    Evaluate(EvaluateArgs),
    /// Explain one commune: every level, criterion and indicator, with the distance to each threshold.
    #[command(
        after_long_help = "The commune is matched by its code exactly, else by its name ignoring case, \
        diacritics, spacing and a leading `Xã`/`Phường`/`Thị trấn`. Several matches are an error \
        listing them (pass the code, or --all).\n\n\
        Gap: positive is room to spare, negative is how far the value is short, in the measure's \
        unit; the percentage is of the threshold.\n\n\
        Examples:\n  ntm explain examples/communes.csv --commune 10816\n  \
        ntm explain --rules examples/ruleset.toml examples/ruleset-communes.csv --commune \"Tân Hưng\" --format json\n  \
        ntm explain examples/communes.csv --commune 10816 --margin 2% --lang vi"
    )]
    Explain(ExplainArgs),
    /// List, show and inspect rulesets.
    Rules {
        /// What to do with rulesets.
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Validate and lint ruleset files and report every problem.
    #[command(
        after_long_help = "Exit codes: 0 no errors; 1 errors, or warnings under --deny warnings; 2 a file \
        could not be read.\n\nExamples:\n  ntm check criteria/*.toml\n  \
        ntm check --deny warnings --allow unverified --format github my-ruleset.toml"
    )]
    Check(CheckArgs),
    /// Aggregate figures per group and in total: communes at each level, criteria met,
    /// most-missed criteria, targets and roll-ups.
    #[command(
        after_long_help = "Examples:\n  ntm summary examples/communes.csv --by district\n  \
        ntm summary communes.csv --by district --targets targets-2021-2025 --lang vi\n  \
        ntm summary communes.csv --by district --format csv\n  \
        ntm summary communes.csv --by district --format xlsx -o tong-hop.xlsx\n  \
        ntm summary communes.csv --by district --compare reported.csv\n\n\
        Definitions of every figure: docs/summary.md. Targets files: docs/targets.md.\n\n\
        Exit codes: 0 success; 1 --compare found figures that differ; 2 bad usage, \
        unreadable or invalid input."
    )]
    Summary(SummaryArgs),
    /// Run ruleset test cases: expected level and missing criteria of given communes.
    #[command(
        after_long_help = "The case-file format is described in docs/testing.md.\n\n\
        Examples:\n  ntm test criteria/tests/*.toml\n  \
        ntm test cases.toml --format junit > report.xml\n  \
        ntm test cases.toml --bless\n  \
        ntm test criteria/tests/*.toml --coverage --min-coverage 50\n  \
        ntm test --data communes.csv --expect expected.csv --rules ntm-2021-2025\n\n\
        Exit codes: 0 every case passed; 1 a case failed, or coverage is below --min-coverage; \
        2 an unreadable or invalid case file, or no case ran."
    )]
    #[command(mut_arg("files", |a| a
        .long("data")
        .required(false)
        .num_args(1..)
        .requires("expect")
        .help("Table-driven cases: commune data (read as `evaluate` reads it), one case per row")))]
    Test(TestArgs),
    /// Write the summary and every commune as one self-contained HTML page (printable, no
    /// network).
    #[command(
        after_long_help = "Examples:\n  ntm report examples/communes.csv --by district -o report.html\n  \
        ntm report communes.csv --by district --targets targets-2021-2025 --lang vi -o bao-cao.html"
    )]
    Report(ReportArgs),
    /// Write an empty data sheet with exactly the columns a ruleset reads (identity, zone, year,
    /// every measure), Vietnamese labels, units and a hint row, so offices collect data in the
    /// right shape.
    #[command(
        after_long_help = "The title and hint rows sit above the header, so a filled template reads \
        back with `ntm evaluate` as it is.\n\nExamples:\n  ntm template -o mau-so-lieu.xlsx\n  \
        ntm template --rules ntm-2026-2030 --format csv --lang en > template.csv"
    )]
    Template(TemplateArgs),
    /// Compare outcomes: a ruleset change on the same data, or two data snapshots.
    #[command(after_long_help = "Two forms:\n  \
        ntm diff OLD_RULES NEW_RULES --data communes.csv   which communes change level, and which \
        criteria flip, when the ruleset changes\n  \
        ntm diff --rules R old.csv new.csv                 which communes gained or lost a level \
        between two snapshots (matched by commune code)\n\n\
        Examples:\n  ntm diff ntm-2021-2025 provinces/binh-phuoc.toml --data communes.csv --format md\n  \
        ntm diff --rules ntm-2021-2025 communes-2024.csv communes-2025.csv --fail-on-down\n\n\
        Exit codes: 0 compared (whatever changed); 1 with --fail-on-change a commune changes level, \
        with --fail-on-down a commune loses one; 2 unreadable or invalid input.\n\n\
        Details: docs/diff.md.")]
    #[command(mut_arg("files", |a| a
        .required(true)
        .value_names(["OLD", "NEW"])
        .num_args(2)
        .help("OLD and NEW: two data files (CSV or workbooks), or two rulesets with --data")
        .long_help("OLD and NEW: two data files (CSV or workbooks) evaluated under --rules, \
            matched by commune code; or, with --data, two rulesets (built-in ids or files) \
            evaluated on the --data files")))]
    Diff(DiffArgs),
    /// Put ruleset files in canonical form: keys in the documented order, plain numbers.
    #[command(
        after_long_help = "Comments, blank lines, the order of tables and every value stay \
        as written. Files are rewritten in place unless --check or --diff is given.\n\n\
        Examples:\n  ntm fmt provinces/binh-phuoc.toml\n  ntm fmt --check criteria/*.toml\n  \
        ntm fmt --diff my-rules.toml\n\n\
        Exit codes: 0 formatted (or already canonical); 1 with --check or --diff a file is not \
        in canonical form; 2 a file cannot be read or is not valid TOML.\n\n\
        Canonical order: docs/ruleset.md, \"Formatting\"."
    )]
    Fmt(FmtArgs),
    /// Print a shell completion script for ntm.
    #[command(after_long_help = "Examples:\n  \
        ntm completions bash > ~/.local/share/bash-completion/completions/ntm\n  \
        ntm completions zsh > ~/.zfunc/_ntm\n  \
        ntm completions fish > ~/.config/fish/completions/ntm.fish\n  \
        ntm completions powershell >> $PROFILE")]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print ntm's man page (roff), generated from the same definition as --help.
    #[command(
        after_long_help = "Examples:\n  ntm man > ~/.local/share/man/man1/ntm.1\n  \
        ntm man evaluate > ~/.local/share/man/man1/ntm-evaluate.1"
    )]
    Man {
        /// A subcommand's page (`ntm-evaluate(1)`) instead of the main one.
        #[arg(value_name = "SUBCOMMAND")]
        subcommand: Option<String>,
    },
}

/// `ntm rules …`.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// The built-in rulesets, with period, decision and how many indicators are verified.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
        format: RulesFormat,
    },
    /// A ruleset's levels, criteria, indicators and thresholds.
    Show(ShowArgs),
    /// A workbook (or CSV) of a ruleset's thresholds for an office to enter the official
    /// values and their sources in.
    ///
    /// One row per level × criterion × indicator × zone × year entry (numeric thresholds, and
    /// yes/no requirements to confirm), with names, measure, unit, comparison, the value `ntm`
    /// uses now, whether it is verified, its legal source and basis note, and empty columns for
    /// the official value and its source (decision, annex, item, page). In the xlsx only those
    /// columns are unlocked. Read it back with `ntm rules import` (docs/provinces.md).
    #[command(after_long_help = "Examples:\n  \
        ntm rules sheet ntm-2021-2025 --region RRD -o nguong-rrd.xlsx\n  \
        ntm rules sheet ntm-2021-2025 --region MRD --year 2025 --format csv -o thresholds.csv")]
    Sheet(SheetArgs),
    /// Read a filled threshold sheet and write a ruleset that extends the one the sheet was
    /// made from, with each official value verified and sourced.
    ///
    /// Only rows with an official value are overridden; a value needs its decision. The
    /// written file passes `ntm check`, is canonical for `ntm fmt`, and is the same bytes for
    /// the same sheet (docs/provinces.md).
    #[command(after_long_help = "Example:\n  \
        ntm rules import nguong-rrd.xlsx -o hai-duong.toml --id hai-duong-2021-2025 --name \"Hai Duong\" --name-vi \"Hải Dương\"")]
    Import(ImportArgs),
}

/// `ntm rules sheet`.
#[derive(Debug, Args)]
pub struct SheetArgs {
    /// Built-in ruleset id or path to a ruleset file.
    #[arg(value_name = "ID|FILE", default_value = crate::ruleset::builtin::DEFAULT_ID)]
    pub rules: String,
    /// Rows for this region or group only (`RRD`, `1`, …).
    #[arg(long, visible_aliases = ["region", "group"], value_name = "ZONE")]
    pub zone: Option<String>,
    /// Only the year entries in force in this year.
    #[arg(long)]
    pub year: Option<i32>,
    /// Language of the headers and names.
    #[arg(long, value_enum, default_value_t = crate::lang::Lang::Vi)]
    pub lang: crate::lang::Lang,
    /// `xlsx` or `csv` (default: from the -o extension, else csv).
    #[arg(long, value_enum)]
    pub format: Option<TemplateFormat>,
    /// Output file (`-` or absent: standard output, csv only).
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `ntm rules import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The filled sheet (.xlsx or .csv from `ntm rules sheet`).
    #[arg(value_name = "SHEET")]
    pub sheet: PathBuf,
    /// The ruleset file to write.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: PathBuf,
    /// `id` of the written ruleset (default: `<base id>-official`).
    #[arg(long)]
    pub id: Option<String>,
    /// English name of the written ruleset.
    #[arg(long)]
    pub name: Option<String>,
    /// Vietnamese name of the written ruleset.
    #[arg(long)]
    pub name_vi: Option<String>,
    /// The base ruleset file, when the sheet was made from a file rather than a built-in set.
    #[arg(long, value_name = "ID|FILE")]
    pub rules: Option<String>,
}

/// Where a ruleset comes from.
#[derive(Debug, Clone, Args)]
pub struct RulesArg {
    /// Built-in ruleset id (`ntm rules list`) or path to a ruleset TOML file [default: the
    /// built-in set whose period holds the assessment year: --year, else the `year` column,
    /// else today; `template`: ntm-2021-2025]
    #[arg(long = "rules", short = 'r', value_name = "ID|FILE")]
    pub rules: Option<String>,
}

/// The commune data and how to read it: shared by every command that reads communes.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// Commune data (one commune per row): CSV files, or workbooks (.xlsx, .xlsm, .xlsb, .xls,
    /// .ods); `-` reads standard input, which is also read when no file is given and it is
    /// not a terminal.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Worksheet to read from workbooks (default: the first).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Line (CSV) or row (worksheet) of the header; default: the first of the first 20 rows
    /// that names a measure, so a title block above it is skipped.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub header_row: Option<u64>,
    /// Text encoding of CSV files without a byte-order mark (a BOM always decides).
    #[arg(long, value_enum, value_name = "ENCODING")]
    pub encoding: Option<Encoding>,
    /// CSV delimiter: `,`, `;`, `tab` or `|` (default: sniffed from the first line).
    #[arg(long, value_name = "CHAR", value_parser = crate::data::decode::parse_delimiter)]
    pub delimiter: Option<u8>,
    /// The ruleset to apply.
    #[command(flatten)]
    pub rules: RulesArg,
    /// Assessment year for every row (else the `year` column, else the period's last year).
    #[arg(long)]
    pub year: Option<i32>,
    /// Read missing measure columns as "no data" instead of failing.
    #[arg(long)]
    pub allow_missing: bool,
    /// Accept assessment years outside the ruleset's period.
    #[arg(long)]
    pub allow_out_of_period: bool,
    /// Which province list the `province` column is read against (and which official list
    /// of communal units commune codes are checked against).
    #[arg(long, value_enum, default_value_t = ProvinceSet::Y2024)]
    pub province_set: ProvinceSet,
    /// Read bad measure cells, rows with the wrong number of fields and duplicate commune
    /// codes as "no data", with a warning and a note on the row, instead of failing.
    #[arg(long)]
    pub lenient: bool,
    /// `,` is the decimal mark and `.` groups thousands (`1.234,5`).
    #[arg(long, conflicts_with = "decimal_point")]
    pub decimal_comma: bool,
    /// `.` is the decimal mark and `,` groups thousands (`1,234.5`).
    #[arg(long)]
    pub decimal_point: bool,
    /// Percent cells are fractions: `0.85` is 85 % (a cell with a `%` sign stays a percentage).
    #[arg(long)]
    pub fraction_percent: bool,
}

/// `ntm evaluate`.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// The data and the ruleset.
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// List what is missing for every level not reached, not only the next one.
    #[arg(long)]
    pub all_levels: bool,
    /// Exit 1 when a commune is below this level.
    #[arg(long, value_name = "LEVEL")]
    pub fail_below: Option<String>,
    /// Exit 1 when any verdict rests on an unverified threshold.
    #[arg(long)]
    pub strict_sources: bool,
    /// Mark values within this margin of their threshold, pass or fail: `2%` of the
    /// threshold, or `0.5` in the measure's unit.
    #[arg(long, value_name = "N%|N")]
    pub margin: Option<crate::margin::Margin>,
    /// List communes by how little separates them from their next level (fewest indicators
    /// short, then known gaps before no data, then smallest shortfall); with N, only the first
    /// N. Communes at the top level come last.
    #[arg(long, value_name = "N", num_args = 0..=1)]
    pub closest: Option<Option<usize>>,
    /// Language of the table and the xlsx workbook (default from LANG, English otherwise); csv,
    /// json, ndjson and long never change with it.
    #[arg(long, value_enum)]
    pub lang: Option<Lang>,
    /// Write every rejected cell and row (file, line, column, value, code, expected, the
    /// message in English and in Vietnamese) to this CSV file, for the office that sent the
    /// data; written even when the run fails.
    #[arg(long, value_name = "FILE")]
    pub errors_out: Option<PathBuf>,
    /// Start CSV output (`--format csv|long`, `--errors-out`) with a UTF-8 byte-order mark, so
    /// Excel reads Vietnamese text correctly.
    #[arg(long)]
    pub bom: bool,
    /// Indent JSON for people (`--format json`); compact otherwise, unless stdout is a
    /// terminal.
    #[arg(long)]
    pub pretty: bool,
    /// Write the output to this file (replaced only once the whole output is written) rather
    /// than standard output; `-` is standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Where the provenance goes besides the output.
    #[command(flatten)]
    pub provenance: ProvenanceArgs,
}

/// The run's provenance beside its output: shared by `evaluate` and `summary`.
#[derive(Debug, Clone, Args)]
pub struct ProvenanceArgs {
    /// Also write the run's provenance (ntm version, ruleset and its SHA-256, every input with
    /// its SHA-256 and rows, counts: the `meta` object of JSON output) to this JSON file,
    /// whatever the format; written only when the output is.
    #[arg(long, value_name = "FILE")]
    pub meta: Option<PathBuf>,
    /// Start CSV output (`evaluate --format csv|long`, `summary --format csv`) with the
    /// provenance as `#` comment lines before the header, for readers told to skip them
    /// (`pandas.read_csv(f, comment="#")`). Without it the CSV is plain: the header is its
    /// first line.
    #[arg(long)]
    pub csv_comments: bool,
}

/// `ntm explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The data and the ruleset.
    #[command(flatten)]
    pub input: InputArgs,
    /// The commune: its code, or its name.
    #[arg(long, short = 'c', value_name = "CODE|NAME")]
    pub commune: String,
    /// Explain every commune matching the name instead of refusing an ambiguous one.
    #[arg(long)]
    pub all: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Table)]
    pub format: ExplainFormat,
    /// Also write the run's provenance (the `meta` object of JSON output) to this JSON file,
    /// whatever the format; written only when the output is.
    #[arg(long, value_name = "FILE")]
    pub meta: Option<PathBuf>,
    /// Mark values within this margin of their threshold: `2%` of the threshold, or `0.5` in
    /// the measure's unit.
    #[arg(long, value_name = "N%|N")]
    pub margin: Option<crate::margin::Margin>,
    /// Language of the table (default from LANG; English otherwise).
    #[arg(long, value_enum)]
    pub lang: Option<crate::lang::Lang>,
}

/// Output formats of `explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    /// Tables for people.
    Table,
    /// One JSON document (README, "Explain JSON").
    Json,
}

/// What a summary is grouped by and checked against: shared by `summary` and `report`.
#[derive(Debug, Args)]
pub struct SummaryOptions {
    /// Group communes by this column: `district`, `province`, `region` (or `group`: the zone
    /// the thresholds come from), or any other header of the file. Groups are listed in
    /// Vietnamese alphabetical order (Đ after D; "Huyện", "Thành phố"… left out).
    #[arg(long, value_name = "COLUMN")]
    pub by: Option<String>,
    /// Check targets: a built-in id (`targets-2021-2025`) or a targets TOML file
    /// (docs/targets.md).
    #[arg(long, value_name = "ID|FILE")]
    pub targets: Option<String>,
    /// Language of the labels and numbers (default: from LANG, else English): counts are
    /// grouped as `1.192/20.000 (5,9%)` in vi, `1,192/20,000 (5.9%)` in en.
    #[arg(long, value_enum)]
    pub lang: Option<Lang>,
}

/// `ntm summary`.
#[derive(Debug, Args)]
pub struct SummaryArgs {
    /// The data and the ruleset.
    #[command(flatten)]
    pub input: InputArgs,
    /// Grouping, targets, language.
    #[command(flatten)]
    pub options: SummaryOptions,
    /// Output format (csv and json keep plain numbers whatever the language).
    #[arg(long, value_enum, default_value_t = SummaryFormat::Table)]
    pub format: SummaryFormat,
    /// Set published figures beside the computed ones (CSV: `group,level,reported[,total]`,
    /// docs/summary.md); exit 1 when any differs.
    #[arg(long, value_name = "FILE")]
    pub compare: Option<PathBuf>,
    /// Write the output to this file (replaced only once the whole output is written) rather
    /// than standard output; `-` is standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Where the provenance goes besides the output.
    #[command(flatten)]
    pub provenance: ProvenanceArgs,
}

/// `ntm report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The data and the ruleset.
    #[command(flatten)]
    pub input: InputArgs,
    /// Grouping, targets, language.
    #[command(flatten)]
    pub options: SummaryOptions,
    /// The HTML file to write (`-` for standard output).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,
}

/// Output formats of `summary`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SummaryFormat {
    /// Tables for people.
    Table,
    /// One JSON document.
    Json,
    /// One row per figure: `scope, group, level, figure, item, value`.
    Csv,
    /// An Excel workbook: one sheet per table and the provenance (`-o FILE.xlsx`; never to a
    /// terminal).
    Xlsx,
}

/// `ntm rules show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Built-in ruleset id or path to a ruleset file.
    #[arg(value_name = "ID|FILE", default_value = crate::ruleset::builtin::DEFAULT_ID)]
    pub rules: String,
    /// Show thresholds for this region or group only (`RRD`, `1`, …).
    #[arg(long, visible_aliases = ["region", "group"], value_name = "ZONE")]
    pub zone: Option<String>,
    /// Show the thresholds in force in this year.
    #[arg(long)]
    pub year: Option<i32>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
    pub format: ShowFormat,
    /// Language of the table and the criteria book (default from LANG, English otherwise; json
    /// does not change).
    #[arg(long, value_enum)]
    pub lang: Option<crate::lang::Lang>,
}

/// Output formats of `rules show`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    /// Tables for people.
    Table,
    /// The normalized ruleset as JSON.
    Json,
    /// A printable criteria book in Markdown: criteria, indicators, thresholds per zone and
    /// year, sources, verified marks and notes.
    Md,
}

/// `ntm check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Ruleset files (or built-in ids).
    #[arg(required = true, value_name = "ID|FILE")]
    pub rules: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// Count warnings as errors (exit 1 when any is left after --allow).
    #[arg(long, value_enum, value_name = "KIND")]
    pub deny: Vec<Deny>,
    /// Do not report this warning code (repeatable), e.g. `--allow unverified`.
    #[arg(long, value_name = "CODE")]
    pub allow: Vec<String>,
    /// Warn when this assessment year is outside a ruleset's period.
    #[arg(long)]
    pub year: Option<i32>,
    /// Today's date as YYYY-MM-DD, for the "past the period" warning (default: the system
    /// clock; meant for tests).
    #[arg(long, env = "NTM_TODAY", value_name = "DATE", hide_env_values = true)]
    pub today: Option<String>,
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// `path:line:col: error[code]: message` lines on stderr, a summary per file on stdout.
    Text,
    /// One JSON document on stdout: every file with its diagnostics.
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`) on stdout.
    Github,
}

/// What `--deny` turns into errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Deny {
    /// Every warning.
    Warnings,
}

/// `ntm test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Case files (TOML, docs/testing.md); a directory stands for its `*.toml` files.
    #[arg(value_name = "CASES")]
    pub cases: Vec<PathBuf>,
    /// The `--data` files (`--data FILE…`), their ruleset (`--rules`, default the built-in
    /// default) and how they are read.
    #[command(flatten)]
    pub input: InputArgs,
    /// Expected results of the `--data` communes: CSV with `code`, `level` and optionally
    /// `year`, `missing`, `missing_indicators` (docs/testing.md).
    #[arg(long, value_name = "CSV", requires = "files")]
    pub expect: Option<PathBuf>,
    /// Rewrite the expectations that failed (and add missing ones) to the actual results.
    #[arg(long)]
    pub bless: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TestFormat::Text)]
    pub format: TestFormat,
    /// List the threshold boundaries no case covers (coverage is always summed up).
    #[arg(long)]
    pub coverage: bool,
    /// Exit 1 when a ruleset's boundary coverage is below this percentage.
    #[arg(long, value_name = "PERCENT")]
    pub min_coverage: Option<f64>,
}

/// `ntm fmt`.
#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Ruleset files (not built-in ids: those are not files).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,
    /// Write nothing; list the files that are not in canonical form and exit 1 if any.
    #[arg(long)]
    pub check: bool,
    /// Write nothing; print a unified diff of the changes and exit 1 if any.
    #[arg(long)]
    pub diff: bool,
}

/// `ntm diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// OLD and NEW (the FILE arguments): two data files, evaluated under --rules; or, with
    /// --data, two rulesets (built-in ids or files). Reading options apply to every data file.
    #[command(flatten)]
    pub input: InputArgs,
    /// Compare the two rulesets given as OLD and NEW on these data files.
    #[arg(long, value_name = "FILE", num_args = 1.., conflicts_with = "rules")]
    pub data: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    pub format: DiffFormat,
    /// Exit 1 when a commune changes level (up or down).
    #[arg(long)]
    pub fail_on_change: bool,
    /// Exit 1 when a commune loses a level.
    #[arg(long)]
    pub fail_on_down: bool,
}

/// Output formats of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// A summary line and a table for people.
    Table,
    /// One JSON document.
    Json,
    /// Markdown for a pull-request comment: a summary line, then a table.
    Md,
}

/// Output formats of `test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    /// One line per case, a diff of expected and actual for each failure.
    Text,
    /// JUnit XML, for CI test reports.
    Junit,
    /// Test Anything Protocol, version 14.
    Tap,
    /// One JSON document.
    Json,
}

/// Output formats of `evaluate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table for people (fits the terminal, or COLUMNS; no word is cut).
    Table,
    /// One row per commune.
    Csv,
    /// One JSON document.
    Json,
    /// One JSON object per line: meta first, then one per commune.
    Ndjson,
    /// CSV with one row per commune × indicator (every level), for pivot tables.
    Long,
    /// An Excel workbook: the results, the summary tables and the provenance, one sheet each
    /// (`-o FILE.xlsx`; never to a terminal).
    Xlsx,
}

/// Output formats of `rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    /// Tables for people.
    Table,
    /// The normalized ruleset as JSON.
    Json,
}

/// `ntm template`.
#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// The ruleset whose columns the sheet has.
    #[command(flatten)]
    pub rules: RulesArg,
    /// File format (default: from the extension of -o, else csv).
    #[arg(long, value_enum)]
    pub format: Option<TemplateFormat>,
    /// Language of headers and hints (default Vietnamese, the language of the offices that
    /// fill it).
    #[arg(long, value_enum, default_value_t = Lang::Vi)]
    pub lang: Lang,
    /// Write to this file (`-` or none: standard output).
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// File formats of `template`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TemplateFormat {
    /// UTF-8 CSV with a byte-order mark, comma-separated.
    Csv,
    /// An Excel workbook with entry checks.
    Xlsx,
}
