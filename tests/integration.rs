//! The one integration-test binary: golden CLI cases (trycmd) and tests of the binary as a
//! user runs it.

mod by_year;
mod check;
mod ci_script;
mod cli;
mod criteria;
mod fixtures;
mod fmt;
mod input;
mod pipeline;
mod robust;
mod sheet;
mod summary;
