//! Attribute paths: where in a configuration a diagnostic or a replacement points.
//!
//! The path type is cty's own [`Path`], so that a decoding error and a validation error name
//! places the same way. Terraform turns a path into the file and line of the attribute.

pub use crate::cty::{Path, PathStep};

impl Path {
    /// A path starting at a top-level attribute or block.
    pub fn attr_root(name: &str) -> Path {
        Path(vec![PathStep::Attr(name.to_owned())])
    }

    /// This path, then an attribute or nested block.
    pub fn attr(&self, name: &str) -> Path {
        let mut steps = self.0.clone();
        steps.push(PathStep::Attr(name.to_owned()));
        Path(steps)
    }

    /// This path, then a list element.
    pub fn index(&self, index: usize) -> Path {
        let mut steps = self.0.clone();
        steps.push(PathStep::Index(index as u64));
        Path(steps)
    }

    /// This path, then a map element.
    pub fn key(&self, key: &str) -> Path {
        let mut steps = self.0.clone();
        steps.push(PathStep::Key(key.to_owned()));
        Path(steps)
    }

    /// The part of the path Terraform can address: set elements have no address, so a path
    /// stops at the set itself.
    pub fn addressable(&self) -> Path {
        let end = self
            .0
            .iter()
            .position(|step| matches!(step, PathStep::SetElement(_)))
            .unwrap_or(self.0.len());
        Path(self.0[..end].to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_renders_like_terraform() {
        let path = Path::attr_root("virtual_machine")
            .index(0)
            .attr("port")
            .index(2)
            .attr("number");
        assert_eq!(path.to_string(), ".virtual_machine[0].port[2].number");
        assert_eq!(
            Path::attr_root("tags").key("env").to_string(),
            ".tags[\"env\"]"
        );
    }

    #[test]
    fn set_elements_are_not_addressable() {
        let mut path = Path::attr_root("ports");
        path.0.push(PathStep::SetElement(1));
        let path = path.attr("number");
        assert_eq!(path.addressable(), Path::attr_root("ports"));
    }
}
