//! Unit tests of validate (written next).
