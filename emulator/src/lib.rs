//! jit-emulator library.
