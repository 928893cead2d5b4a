//! Unit tests of eval (written next).
