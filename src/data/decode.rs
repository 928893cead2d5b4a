//! CSV bytes → UTF-8 text: byte-order marks, `--encoding`, and the delimiter.
//!
//! Pure stream adapters: bytes in, UTF-8 out, memory flat however long the file (issue #7).
//! Opening files is the commands' job; giving cells meaning is `read`'s.
//!
//! Rules (README "Data contract"):
//! - a byte-order mark decides the encoding (UTF-8, UTF-16 LE, UTF-16 BE), even over
//!   `--encoding`; without one, `--encoding` does, and the default is UTF-8;
//! - UTF-8 is never transcoded: bytes that are not UTF-8 are a located `invalid-utf8` error
//!   suggesting `--encoding windows-1258`. No encoding is guessed;
//! - what a transcoded file holds that its encoding cannot decode becomes U+FFFD, counted so
//!   the command can warn (`replaced-characters`);
//! - the delimiter is the one of `,` `;` tab occurring most often, outside double quotes, in
//!   the first line that has any of them (a comma on a tie or when none has); `--delimiter`
//!   forces it.

use std::io::{Chain, Cursor, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use encoding_rs_io::{DecodeReaderBytes, DecodeReaderBytesBuilder};

/// Text encodings a CSV file may be read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Encoding {
    /// UTF-8, with or without a byte-order mark.
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    /// UTF-16 little-endian (Excel "Unicode text").
    #[value(name = "utf-16le")]
    Utf16Le,
    /// UTF-16 big-endian.
    #[value(name = "utf-16be")]
    Utf16Be,
    /// Vietnamese Windows code page (combining tone marks; text is normalised to NFC).
    #[value(name = "windows-1258", alias = "cp1258")]
    Windows1258,
    /// Western European Windows code page.
    #[value(name = "windows-1252", alias = "cp1252")]
    Windows1252,
}

impl Encoding {
    /// The name used on the command line and in `meta.inputs`.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf16Le => "utf-16le",
            Encoding::Utf16Be => "utf-16be",
            Encoding::Windows1258 => "windows-1258",
            Encoding::Windows1252 => "windows-1252",
        }
    }

    fn codec(self) -> &'static encoding_rs::Encoding {
        match self {
            Encoding::Utf8 => encoding_rs::UTF_8,
            Encoding::Utf16Le => encoding_rs::UTF_16LE,
            Encoding::Utf16Be => encoding_rs::UTF_16BE,
            Encoding::Windows1258 => encoding_rs::WINDOWS_1258,
            Encoding::Windows1252 => encoding_rs::WINDOWS_1252,
        }
    }
}

/// The encoding named by a byte-order mark at the start of `head`.
pub fn sniff_bom(head: &[u8]) -> Option<Encoding> {
    if head.starts_with(b"\xEF\xBB\xBF") {
        Some(Encoding::Utf8)
    } else if head.starts_with(b"\xFF\xFE") {
        Some(Encoding::Utf16Le)
    } else if head.starts_with(b"\xFE\xFF") {
        Some(Encoding::Utf16Be)
    } else {
        None
    }
}

/// A byte stream as UTF-8.
pub enum Decoded<R: Read> {
    /// Already UTF-8: passed through untouched (a UTF-8 byte-order mark included, which the
    /// row reader drops), so positions are the file's own byte offsets.
    Utf8(R),
    /// Transcoded to UTF-8, without its byte-order mark; what could not be decoded became
    /// U+FFFD, counted in `Replaced`.
    Transcoded(Box<DecodeReaderBytes<R, Vec<u8>>>, Replaced),
}

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Decoded::Utf8(r) => r.read(buf),
            Decoded::Transcoded(r, replaced) => {
                let n = r.read(buf)?;
                replaced.scan(&buf[..n]);
                Ok(n)
            }
        }
    }
}

/// How many U+FFFD (`�`) a transcoder wrote: bytes the encoding could not decode (an unpaired
/// UTF-16 surrogate, an odd last byte), or replacement characters already in the file. Shared
/// with whoever reports it once the stream is read.
#[derive(Debug, Clone, Default)]
pub struct Replaced {
    count: Arc<AtomicU64>,
    /// Bytes of `EF BF BD` matched at the end of the last chunk.
    matched: u8,
}

impl Replaced {
    /// U+FFFD seen so far.
    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    fn scan(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.matched = match (self.matched, b) {
                (_, 0xEF) => 1,
                (1, 0xBF) => 2,
                (2, 0xBD) => {
                    self.count.fetch_add(1, Ordering::Relaxed);
                    0
                }
                _ => 0,
            };
        }
    }
}

/// Whether a byte stream read in chunks is UTF-8 so far, checked chunk by chunk as it is
/// read (SIMD, simdutf8): a character cut between two chunks is completed from the next
/// one. While it holds, the row reader need not check each record again (issue #7).
#[derive(Debug, Default)]
pub struct Utf8Watch {
    /// The start of a character cut at the end of the last chunk (at most 3 bytes).
    pending: Vec<u8>,
    bad: bool,
}

impl Utf8Watch {
    /// Check the next chunk of the stream.
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.bad {
            return;
        }
        let mut start = 0;
        if !self.pending.is_empty() {
            let take = bytes.len().min(3);
            let mut joined = std::mem::take(&mut self.pending);
            let had = joined.len();
            joined.extend_from_slice(&bytes[..take]);
            match simdutf8::compat::from_utf8(&joined) {
                Ok(_) => start = take,
                Err(e) if e.valid_up_to() >= had => start = e.valid_up_to() - had,
                Err(e) if e.error_len().is_none() => {
                    // Still cut: this chunk was shorter than the character's rest.
                    self.pending = joined;
                    return;
                }
                Err(_) => {
                    self.bad = true;
                    return;
                }
            }
        }
        let rest = &bytes[start..];
        if let Err(e) = simdutf8::compat::from_utf8(rest) {
            match e.error_len() {
                None => self.pending = rest[e.valid_up_to()..].to_vec(),
                Some(_) => self.bad = true,
            }
        }
    }

    /// Whether everything fed so far is UTF-8; `at_end`: and the stream ends there (a
    /// character still cut is then invalid).
    pub fn valid(&self, at_end: bool) -> bool {
        !self.bad && (!at_end || self.pending.is_empty())
    }
}

/// A stream whose first bytes were read ahead and are handed back first.
pub type Replayed<R> = Chain<Cursor<Vec<u8>>, R>;

/// Decode `rest`, whose first bytes `head` (at least 3 unless the stream is shorter) were
/// already read, by the rules of this module. Returns the encoding used and the count of
/// replacement characters, which grows as the stream is read.
pub fn decode<R: Read>(
    head: Vec<u8>,
    rest: R,
    asked: Option<Encoding>,
) -> (Encoding, Decoded<Replayed<R>>, Replaced) {
    let replaced = Replaced::default();
    let encoding = sniff_bom(&head).or(asked).unwrap_or(Encoding::Utf8);
    let stream = Cursor::new(head).chain(rest);
    let decoded = match encoding {
        Encoding::Utf8 => Decoded::Utf8(stream),
        Encoding::Utf16Le | Encoding::Utf16Be | Encoding::Windows1258 | Encoding::Windows1252 => {
            Decoded::Transcoded(
                Box::new(
                    DecodeReaderBytesBuilder::new()
                        .encoding(Some(encoding.codec()))
                        .bom_override(true)
                        .build(stream),
                ),
                replaced.clone(),
            )
        }
    };
    (encoding, decoded, replaced)
}

/// Bytes read ahead to find the delimiter: a line longer than this is sniffed from its start.
pub const SNIFF_LIMIT: usize = 64 * 1024;

/// Read the start of `src` (up to a full line, or [`SNIFF_LIMIT`] bytes) and pick its
/// delimiter, or take `forced`. Returns the delimiter and a stream that still yields every
/// byte.
pub fn delimiter<R: Read>(mut src: R, forced: Option<u8>) -> std::io::Result<(u8, Replayed<R>)> {
    let mut head = Vec::new();
    if forced.is_none() {
        let mut buf = [0u8; 8192];
        while head.len() < SNIFF_LIMIT && !has_candidate_line(&head) {
            let n = src.read(&mut buf)?;
            if n == 0 {
                break;
            }
            head.extend_from_slice(&buf[..n]);
        }
    }
    let d = forced.unwrap_or_else(|| sniff_delimiter(&head));
    Ok((d, Cursor::new(head).chain(src)))
}

/// Is there a complete line in `head` with a candidate delimiter?
fn has_candidate_line(head: &[u8]) -> bool {
    match head.iter().rposition(|&b| b == b'\n') {
        Some(end) => head[..end].iter().any(|b| CANDIDATES.contains(b)),
        None => false,
    }
}

/// Delimiters recognised without `--delimiter`.
pub const CANDIDATES: [u8; 3] = [b',', b';', b'\t'];

/// The delimiter of text starting with `head` (see the module's rules).
pub fn sniff_delimiter(head: &[u8]) -> u8 {
    let mut quoted = false;
    let mut counts = [0usize; 3];
    for &b in head {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted && counts.iter().any(|&c| c > 0) => break,
            _ if !quoted => {
                if let Some(i) = CANDIDATES.iter().position(|&c| c == b) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    let mut best = 0;
    for i in 1..CANDIDATES.len() {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    CANDIDATES[best]
}

/// `--delimiter`: `,` `;` `|`, or a tab as `tab`, `\t` or the character itself.
pub fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "," => Ok(b','),
        ";" => Ok(b';'),
        "|" => Ok(b'|'),
        "\t" | "\\t" | "tab" | "TAB" => Ok(b'\t'),
        other => Err(format!(
            "`{other}` is not a delimiter: expected `,`, `;`, `|` or `tab`"
        )),
    }
}

#[cfg(test)]
mod tests;
