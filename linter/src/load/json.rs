//! Terraform JSON syntax (`.tf.json`) into the [`crate::model`], with spans.
//!
//! serde_json does not report spans, so this is a small recursive-descent JSON reader that
//! records the byte range of every value. It is bounded in depth so that hostile input cannot
//! overflow the stack.

use crate::model::{
    Attribute, Block, BlockExtent, Body, Document, Local, ModuleCall, Node, Number, Resource,
    Value, Variable,
};
use crate::registry::{self, AttributeFilter};
use crate::source::{SourceFile, Span};

use super::LoadError;

/// JSON nested deeper than this is rejected as a syntax error.
const MAX_DEPTH: usize = 128;

/// Keys that Terraform's JSON syntax treats as nested blocks in the resources we read.
const BLOCK_NAMES: &[&str] = &[
    "virtual_machine",
    "port",
    "security_rule",
    "lifecycle",
    "timeouts",
];

/// Parses `file` as Terraform JSON.
pub fn load(file: SourceFile) -> Result<Document, (SourceFile, LoadError)> {
    let root = match Reader::new(&file.text).document() {
        Ok(root) => root,
        Err(error) => return Err((file, error)),
    };
    let mut document = Document::empty(file);
    let schema = registry::schema();
    for (key, value) in root.as_object().unwrap_or_default() {
        match key.as_str() {
            "resource" => {
                for by_type in one_or_many(value) {
                    for (kind, by_name) in by_type.as_object().unwrap_or_default() {
                        let Some(filter) = schema.filter(kind) else {
                            continue;
                        };
                        for (name, body) in by_name.as_object().unwrap_or_default() {
                            for body in one_or_many(body) {
                                document.block_extents.push(BlockExtent { span: body.span });
                                document.resources.push(Resource::new(
                                    kind.clone(),
                                    name.clone(),
                                    body.span,
                                    body.span,
                                    to_body(body, filter),
                                ));
                            }
                        }
                    }
                }
            }
            "variable" => {
                for by_name in one_or_many(value) {
                    for (name, body) in by_name.as_object().unwrap_or_default() {
                        document.variables.push(Variable {
                            name: name.clone(),
                            default: body.get("default").cloned(),
                            header: body.span,
                        });
                    }
                }
            }
            "locals" => {
                for by_name in one_or_many(value) {
                    for (name, value) in by_name.as_object().unwrap_or_default() {
                        document.locals.push(Local {
                            name: name.clone(),
                            value: value.clone(),
                            span: value.span,
                        });
                    }
                }
            }
            "module" => {
                for by_name in one_or_many(value) {
                    for (name, body) in by_name.as_object().unwrap_or_default() {
                        document.modules.push(ModuleCall {
                            name: name.clone(),
                            header: body.span,
                            body: to_body(body, &AttributeFilter::All),
                        });
                    }
                }
            }
            _ => {}
        }
    }
    Ok(document)
}

/// Terraform JSON allows an array of objects wherever an object of blocks is expected.
fn one_or_many(node: &Node) -> Vec<&Node> {
    match &node.value {
        Value::Array(items) => items.iter().collect(),
        _ => vec![node],
    }
}

fn to_body(node: &Node, filter: &AttributeFilter) -> Body {
    let mut body = Body::default();
    for (key, value) in node.as_object().unwrap_or_default() {
        if BLOCK_NAMES.contains(&key.as_str()) {
            for item in one_or_many(value) {
                if item.as_object().is_some() {
                    body.blocks.push(Block {
                        ident: key.clone(),
                        labels: Vec::new(),
                        header: item.span,
                        span: item.span,
                        body: to_body(item, filter),
                    });
                }
            }
        } else if filter.reads(key) {
            body.attributes.push(Attribute {
                name: key.clone(),
                value: value.clone(),
            });
        }
    }
    body
}

/// Strings holding `${...}` are templates in Terraform JSON.
fn string_value(text: String) -> Value {
    if !text.contains("${") {
        return Value::String(text);
    }
    match hcl_edit::parser::parse_template(&text) {
        Ok(template) => super::hcl::template_value(&template, 0),
        Err(_) => Value::String(text),
    }
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Reader<'a> {
        Reader {
            text,
            bytes: text.as_bytes(),
            pos: 0,
        }
    }

    fn document(mut self) -> Result<Node, LoadError> {
        let node = self.value(0)?;
        self.skip_whitespace();
        if self.pos < self.bytes.len() {
            return Err(self.error("trailing characters after the JSON document"));
        }
        Ok(node)
    }

    fn error(&self, message: &str) -> LoadError {
        LoadError::Syntax {
            message: message.to_owned(),
            span: Span::new(self.pos, self.pos + 1),
        }
    }

    fn skip_whitespace(&mut self) {
        while self
            .bytes
            .get(self.pos)
            .is_some_and(|b| b.is_ascii_whitespace())
        {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), LoadError> {
        self.skip_whitespace();
        if self.bytes.get(self.pos) == Some(&byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected `{}`", byte as char)))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, LoadError> {
        if depth > MAX_DEPTH {
            return Err(self.error("JSON nested too deeply"));
        }
        self.skip_whitespace();
        let start = self.pos;
        let value = match self.bytes.get(self.pos) {
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => string_value(self.string()?),
            Some(b't') => self.keyword("true", Value::Bool(true))?,
            Some(b'f') => self.keyword("false", Value::Bool(false))?,
            Some(b'n') => self.keyword("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => return Err(self.error("expected a JSON value")),
            None => return Err(self.error("unexpected end of input")),
        };
        Ok(Node {
            value,
            span: Span::new(start, self.pos),
        })
    }

    fn keyword(&mut self, word: &str, value: Value) -> Result<Value, LoadError> {
        if self
            .text
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(word))
        {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("expected a JSON value"))
        }
    }

    fn number(&mut self) -> Result<Value, LoadError> {
        let start = self.pos;
        while self
            .bytes
            .get(self.pos)
            .is_some_and(|b| matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
        {
            self.pos += 1;
        }
        let raw = self.text.get(start..self.pos).unwrap_or_default();
        if raw.parse::<f64>().is_err() {
            return Err(self.error("invalid number"));
        }
        Ok(Value::Number(Number {
            raw: raw.to_owned(),
            integer: raw.parse().ok(),
        }))
    }

    fn string(&mut self) -> Result<String, LoadError> {
        let start = self.pos;
        self.pos += 1;
        loop {
            match self.bytes.get(self.pos) {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    break;
                }
                Some(b'\\') => self.pos += 2,
                Some(_) => self.pos += 1,
            }
        }
        // serde_json decodes the escapes; the bounds were found above.
        let raw = self
            .text
            .get(start..self.pos.min(self.text.len()))
            .unwrap_or("\"\"");
        serde_json::from_str(raw).map_err(|_| LoadError::Syntax {
            message: "invalid string escape".to_owned(),
            span: Span::new(start, self.pos),
        })
    }

    fn array(&mut self, depth: usize) -> Result<Value, LoadError> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_whitespace();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, LoadError> {
        self.pos += 1;
        let mut entries = Vec::new();
        self.skip_whitespace();
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(Value::Object(entries));
        }
        loop {
            self.skip_whitespace();
            if self.bytes.get(self.pos) != Some(&b'"') {
                return Err(self.error("expected a string key"));
            }
            let key = self.string()?;
            self.expect(b':')?;
            entries.push((key, self.value(depth + 1)?));
            self.skip_whitespace();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(entries));
                }
                _ => return Err(self.error("expected `,` or `}`")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_cover_values() {
        let text = r#"{"a": [1, "x"], "b": {"c": null}}"#;
        let node = Reader::new(text).document().expect("valid JSON");
        let a = node.get("a").expect("a");
        assert_eq!(&text[a.span.start..a.span.end], r#"[1, "x"]"#);
        let c = node.get("b").and_then(|b| b.get("c")).expect("c");
        assert_eq!(&text[c.span.start..c.span.end], "null");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(10_000);
        assert!(Reader::new(&text).document().is_err());
    }
}
