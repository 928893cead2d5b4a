//! Commune data: decoding CSV bytes (`decode`), worksheets (`sheet`), header mapping
//! (`columns`), cell coercion (`coerce`), the province table (`province`) and reading rows
//! from either source (`read`).

pub mod coerce;
pub mod columns;
pub mod decode;
pub mod province;
pub mod read;
pub mod sheet;
