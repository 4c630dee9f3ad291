//! The JIT domain: written once, used by the provider, the emulator and the linter.
