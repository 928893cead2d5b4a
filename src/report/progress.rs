//! The progress line of a long read on a terminal: rows read, rows per second, bytes of
//! total. Drawn on standard error at most every [`EVERY`], only when the console says so
//! (`report::console`: a terminal, not `-q`), and erased when reading ends.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The line is redrawn at most this often; nothing is drawn before the run is this old.
pub(crate) const EVERY: Duration = Duration::from_millis(250);

/// Counts of a read, and when the line was last drawn.
#[derive(Debug)]
pub(crate) struct Progress {
    on: bool,
    start: Instant,
    last: Instant,
    rows: u64,
    /// Bytes read so far, counted by the thread that reads them.
    pub bytes: Arc<AtomicU64>,
    total: Option<u64>,
    drawn: bool,
}

impl Progress {
    /// A progress line for reading `total` bytes (`None`: not known, e.g. standard input),
    /// drawn when `on`.
    pub(crate) fn new(on: bool, total: Option<u64>) -> Self {
        let now = Instant::now();
        Progress {
            on,
            start: now,
            last: now,
            rows: 0,
            bytes: Arc::new(AtomicU64::new(0)),
            total,
            drawn: false,
        }
    }

    /// `n` more rows were read; redraw when it is time. Cheap: one clock read per call, so
    /// call it per batch, not per row.
    pub(crate) fn rows(&mut self, n: usize) {
        self.rows += n as u64;
        if !self.on {
            return;
        }
        let now = Instant::now();
        if now.duration_since(self.last) < EVERY {
            return;
        }
        self.last = now;
        let line = line(
            self.rows,
            now.duration_since(self.start),
            self.bytes.load(Ordering::Relaxed),
            self.total,
        );
        let mut err = std::io::stderr().lock();
        // A failed write to the terminal only loses the progress line.
        let _ = write!(err, "\r{line}\x1b[K");
        let _ = err.flush();
        self.drawn = true;
    }

    /// Erase the line, if one was drawn.
    pub(crate) fn finish(&mut self) {
        if self.drawn {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[K");
            self.drawn = false;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// The text of the line: `ntm: 1,234,567 rows read, 410,000 rows/s, 96.1 MB of 200.0 MB`.
pub(crate) fn line(rows: u64, elapsed: Duration, bytes: u64, total: Option<u64>) -> String {
    let secs = elapsed.as_secs_f64();
    let rate = if secs > 0.0 {
        (rows as f64 / secs) as u64
    } else {
        0
    };
    let mut s = format!(
        "ntm: {} rows read, {} rows/s, {}",
        grouped(rows),
        grouped(rate),
        size(bytes)
    );
    if let Some(total) = total {
        s.push_str(&format!(" of {}", size(total)));
    }
    s
}

/// `1234567` → `1,234,567`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bytes in B, kB, MB or GB (powers of 1000), one decimal above bytes.
fn size(bytes: u64) -> String {
    const UNITS: [(&str, f64); 3] = [("GB", 1e9), ("MB", 1e6), ("kB", 1e3)];
    for (unit, scale) in UNITS {
        if bytes as f64 >= scale {
            return format!("{:.1} {unit}", bytes as f64 / scale);
        }
    }
    format!("{bytes} B")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_says_rows_rate_and_bytes_of_total() {
        assert_eq!(
            line(
                1_234_567,
                Duration::from_secs(2),
                96_100_000,
                Some(200_000_000)
            ),
            "ntm: 1,234,567 rows read, 617,283 rows/s, 96.1 MB of 200.0 MB"
        );
        assert_eq!(
            line(999, Duration::from_millis(500), 512, None),
            "ntm: 999 rows read, 1,998 rows/s, 512 B"
        );
        assert_eq!(
            line(0, Duration::ZERO, 1_500, Some(2_000_000_000)),
            "ntm: 0 rows read, 0 rows/s, 1.5 kB of 2.0 GB"
        );
    }

    #[test]
    fn grouping_of_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(100), "100");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(123_456), "123,456");
        assert_eq!(grouped(1_000_000), "1,000,000");
    }

    #[test]
    fn nothing_is_drawn_when_off() {
        let mut p = Progress::new(false, None);
        p.last -= EVERY * 2;
        p.rows(10);
        assert!(!p.drawn);
        assert_eq!(p.rows, 10);
    }
}
