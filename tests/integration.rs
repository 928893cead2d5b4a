//! The one integration-test binary: golden CLI cases (trycmd) and tests of the binary as a
//! user runs it.

mod by_year;
mod check;
mod ci_script;
mod cli;
mod criteria;
mod docs;
mod files;
mod fixtures;
mod fmt;
mod hostile;
mod input;
mod limits;
mod pipeline;
mod plain;
mod robust;
mod sheet;
mod summary;
mod vietnamese;
mod xlsx;
