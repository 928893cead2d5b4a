//! Commune data: header mapping (`columns`), cell coercion (`coerce`), the province table
//! (`province`) and reading CSV (`read`).

pub mod coerce;
pub mod columns;
pub mod province;
pub mod read;
