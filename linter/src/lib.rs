//! jitlint library.
