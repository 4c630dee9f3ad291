//! cty: the type system and values of Terraform, and their wire encodings.
