//! The Terraform functions that JIT values are computed with.
//!
//! hcl-rs evaluates calls but ships no functions; these follow Terraform's definitions for
//! the string, collection, encoding and network functions that configurations use to build
//! ports, prefixes and durations. A function not here makes its expression unknown (with the
//! function named), never a guess. Every function takes any arguments and checks them itself,
//! so that a wrong call reads as Terraform's message would.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use hcl::Value;
use hcl::eval::{Context, FuncArgs, FuncDef, ParamType};
use ipnet::IpNet;

type Func = fn(FuncArgs) -> Result<Value, String>;

/// Declares every function in `context`.
pub fn declare(context: &mut Context<'_>) {
    let table: &[(&str, Func)] = &[
        ("lower", lower),
        ("upper", upper),
        ("trimspace", trimspace),
        ("trimprefix", trimprefix),
        ("trimsuffix", trimsuffix),
        ("replace", replace),
        ("split", split),
        ("join", join),
        ("format", format),
        ("substr", substr),
        ("startswith", startswith),
        ("endswith", endswith),
        ("strcontains", strcontains),
        ("length", length),
        ("concat", concat),
        ("merge", merge),
        ("lookup", lookup),
        ("element", element),
        ("keys", keys),
        ("values", values),
        ("contains", contains),
        ("distinct", distinct),
        ("flatten", flatten),
        ("compact", compact),
        ("coalesce", coalesce),
        ("coalescelist", coalescelist),
        ("zipmap", zipmap),
        ("one", one),
        ("slice", slice),
        ("reverse", reverse),
        ("sort", sort),
        ("min", min),
        ("max", max),
        ("range", range),
        ("tolist", identity),
        ("tomap", identity),
        ("toset", distinct),
        ("tostring", tostring),
        ("tonumber", tonumber),
        ("tobool", tobool),
        ("jsonencode", jsonencode),
        ("jsondecode", jsondecode),
        ("cidrsubnet", cidrsubnet),
        ("cidrsubnets", cidrsubnets),
        ("cidrhost", cidrhost),
        ("try", try_failed),
        ("can", can),
    ];
    for (name, func) in table {
        let definition = FuncDef::builder()
            .variadic_param(ParamType::Any)
            .build(*func);
        context.declare_func(*name, definition);
    }
}

fn exactly(args: &FuncArgs, count: usize) -> Result<&[Value], String> {
    if args.len() == count {
        Ok(args.as_slice())
    } else {
        Err(format!("takes {count} argument(s), {} given", args.len()))
    }
}

/// A string argument, converting numbers and booleans as Terraform does.
fn text(value: &Value) -> Result<String, String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(format!("a string is required, not {}", kind(other))),
    }
}

fn integer(value: &Value) -> Result<i64, String> {
    match value {
        Value::Number(n) => n
            .as_i64()
            .ok_or_else(|| format!("a whole number is required, not {n}")),
        Value::String(s) => s
            .trim()
            .parse()
            .map_err(|_| format!("a number is required, not \"{s}\"")),
        other => Err(format!("a number is required, not {}", kind(other))),
    }
}

fn list(value: &Value) -> Result<&Vec<Value>, String> {
    value
        .as_array()
        .ok_or_else(|| format!("a list is required, not {}", kind(value)))
}

fn map(value: &Value) -> Result<&hcl::Map<String, Value>, String> {
    value
        .as_object()
        .ok_or_else(|| format!("a map or object is required, not {}", kind(value)))
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn string_function(args: FuncArgs, f: fn(&str) -> String) -> Result<Value, String> {
    let [value] = exactly(&args, 1)? else {
        return Err("takes 1 argument".to_owned());
    };
    Ok(Value::String(f(&text(value)?)))
}

fn lower(args: FuncArgs) -> Result<Value, String> {
    string_function(args, str::to_lowercase)
}

fn upper(args: FuncArgs) -> Result<Value, String> {
    string_function(args, str::to_uppercase)
}

fn trimspace(args: FuncArgs) -> Result<Value, String> {
    string_function(args, |s| s.trim().to_owned())
}

fn two_strings(args: &FuncArgs) -> Result<(String, String), String> {
    match exactly(args, 2)? {
        [a, b] => Ok((text(a)?, text(b)?)),
        _ => Err("takes 2 arguments".to_owned()),
    }
}

fn trimprefix(args: FuncArgs) -> Result<Value, String> {
    let (s, prefix) = two_strings(&args)?;
    Ok(Value::String(
        s.strip_prefix(prefix.as_str()).unwrap_or(&s).to_owned(),
    ))
}

fn trimsuffix(args: FuncArgs) -> Result<Value, String> {
    let (s, suffix) = two_strings(&args)?;
    Ok(Value::String(
        s.strip_suffix(suffix.as_str()).unwrap_or(&s).to_owned(),
    ))
}

fn startswith(args: FuncArgs) -> Result<Value, String> {
    let (s, prefix) = two_strings(&args)?;
    Ok(Value::Bool(s.starts_with(&prefix)))
}

fn endswith(args: FuncArgs) -> Result<Value, String> {
    let (s, suffix) = two_strings(&args)?;
    Ok(Value::Bool(s.ends_with(&suffix)))
}

fn strcontains(args: FuncArgs) -> Result<Value, String> {
    let (s, part) = two_strings(&args)?;
    Ok(Value::Bool(s.contains(&part)))
}

fn replace(args: FuncArgs) -> Result<Value, String> {
    let [s, from, to] = exactly(&args, 3)? else {
        return Err("takes 3 arguments".to_owned());
    };
    let from = text(from)?;
    if from.len() > 1 && from.starts_with('/') && from.ends_with('/') {
        return Err("regular expressions are not evaluated statically".to_owned());
    }
    Ok(Value::String(text(s)?.replace(&from, &text(to)?)))
}

fn split(args: FuncArgs) -> Result<Value, String> {
    let (separator, s) = two_strings(&args)?;
    if separator.is_empty() {
        return Err("the separator cannot be empty".to_owned());
    }
    Ok(Value::Array(
        s.split(separator.as_str())
            .map(|part| Value::String(part.to_owned()))
            .collect(),
    ))
}

fn join(args: FuncArgs) -> Result<Value, String> {
    let Some((separator, lists)) = args.split_first() else {
        return Err("takes a separator and at least one list".to_owned());
    };
    let separator = text(separator)?;
    let mut parts = Vec::new();
    for value in lists {
        for item in list(value)? {
            parts.push(text(item)?);
        }
    }
    Ok(Value::String(parts.join(&separator)))
}

/// `format` with the verbs configurations use: `%s`, `%d`, `%v` and `%%`.
fn format(args: FuncArgs) -> Result<Value, String> {
    let Some((spec, rest)) = args.split_first() else {
        return Err("takes a format string".to_owned());
    };
    let spec = text(spec)?;
    let mut rest = rest.iter();
    let mut out = String::new();
    let mut chars = spec.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some('s' | 'd' | 'v') => {
                let value = rest.next().ok_or("too few arguments for the format")?;
                out.push_str(&text(value)?);
            }
            Some(other) => return Err(format!("the verb %{other} is not evaluated statically")),
            None => return Err("the format ends with %".to_owned()),
        }
    }
    Ok(Value::String(out))
}

fn substr(args: FuncArgs) -> Result<Value, String> {
    let [s, offset, length] = exactly(&args, 3)? else {
        return Err("takes 3 arguments".to_owned());
    };
    let chars: Vec<char> = text(s)?.chars().collect();
    let total = i64::try_from(chars.len()).map_err(|e| e.to_string())?;
    let mut offset = integer(offset)?;
    if offset < 0 {
        offset += total;
    }
    let offset = offset.clamp(0, total);
    let length = integer(length)?;
    let end = if length < 0 {
        total
    } else {
        (offset + length).min(total)
    };
    let (start, end) = (
        usize::try_from(offset).map_err(|e| e.to_string())?,
        usize::try_from(end).map_err(|e| e.to_string())?,
    );
    Ok(Value::String(
        chars.get(start..end).unwrap_or_default().iter().collect(),
    ))
}

fn length(args: FuncArgs) -> Result<Value, String> {
    let [value] = exactly(&args, 1)? else {
        return Err("takes 1 argument".to_owned());
    };
    let length = match value {
        Value::String(s) => s.chars().count(),
        Value::Array(items) => items.len(),
        Value::Object(map) => map.len(),
        other => return Err(format!("cannot take the length of {}", kind(other))),
    };
    Ok(Value::from(length))
}

fn concat(args: FuncArgs) -> Result<Value, String> {
    let mut out = Vec::new();
    for value in args.iter() {
        out.extend(list(value)?.iter().cloned());
    }
    Ok(Value::Array(out))
}

fn merge(args: FuncArgs) -> Result<Value, String> {
    let mut out = hcl::Map::new();
    for value in args.iter() {
        if value.is_null() {
            continue;
        }
        for (key, item) in map(value)? {
            out.insert(key.clone(), item.clone());
        }
    }
    Ok(Value::Object(out))
}

fn lookup(args: FuncArgs) -> Result<Value, String> {
    let (object, key, default) = match args.as_slice() {
        [object, key] => (object, key, None),
        [object, key, default] => (object, key, Some(default)),
        _ => return Err("takes a map, a key and an optional default".to_owned()),
    };
    let key = text(key)?;
    match (map(object)?.get(&key), default) {
        (Some(value), _) => Ok(value.clone()),
        (None, Some(default)) => Ok(default.clone()),
        (None, None) => Err(format!(
            "the map has no key \"{key}\" and no default is given"
        )),
    }
}

fn element(args: FuncArgs) -> Result<Value, String> {
    let [items, index] = exactly(&args, 2)? else {
        return Err("takes 2 arguments".to_owned());
    };
    let items = list(items)?;
    if items.is_empty() {
        return Err("cannot take an element of an empty list".to_owned());
    }
    let index = usize::try_from(integer(index)?).map_err(|_| "the index cannot be negative")?;
    items
        .get(index % items.len())
        .cloned()
        .ok_or_else(|| "index out of range".to_owned())
}

fn keys(args: FuncArgs) -> Result<Value, String> {
    let [value] = exactly(&args, 1)? else {
        return Err("takes 1 argument".to_owned());
    };
    let mut keys: Vec<String> = map(value)?.keys().cloned().collect();
    keys.sort();
    Ok(Value::Array(keys.into_iter().map(Value::String).collect()))
}

fn values(args: FuncArgs) -> Result<Value, String> {
    let [value] = exactly(&args, 1)? else {
        return Err("takes 1 argument".to_owned());
    };
    let mut entries: Vec<(&String, &Value)> = map(value)?.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    Ok(Value::Array(
        entries.into_iter().map(|(_, v)| v.clone()).collect(),
    ))
}

fn contains(args: FuncArgs) -> Result<Value, String> {
    let [items, wanted] = exactly(&args, 2)? else {
        return Err("takes 2 arguments".to_owned());
    };
    Ok(Value::Bool(list(items)?.contains(wanted)))
}

fn distinct(args: FuncArgs) -> Result<Value, String> {
    let [items] = exactly(&args, 1)? else {
        return Err("takes 1 argument".to_owned());
    };
    let mut out: Vec<Value> = Vec::new();
    for item in list(items)? {
        if !out.contains(item) {
            out.push(item.clone());
        }
    }
    Ok(Value::Array(out))
}

fn flatten(args: FuncArgs) -> Result<Value, String> {
    fn into(value: &Value, out: &mut Vec<Value>, depth: usize) -> Result<(), String> {
        if depth > 64 {
            return Err("the list is nested too deeply".to_owned());
        }
        match value {
            Value::Array(items) => {
                for item in items {
                    into(item, out, depth + 1)?;
                }
            }
            other => out.push(other.clone()),
        }
        Ok(())
    }
    let [items] = exactly(&args, 1)? else {
        return Err("takes 1 argument".to_owned());
    };
    let mut out = Vec::new();
    for item in list(items)? {
        into(item, &mut out, 0)?;
    }
    Ok(Value::Array(out))
}

fn compact(args: FuncArgs) -> Result<Value, String> {
    let [items] = exactly(&args, 1)? else {
        return Err("takes 1 argument".to_owned());
    };
    Ok(Value::Array(
        list(items)?
            .iter()
            .filter(|item| !item.is_null() && item.as_str() != Some(""))
            .cloned()
            .collect(),
    ))
}

fn coalesce(args: FuncArgs) -> Result<Value, String> {
    args.iter()
        .find(|value| !value.is_null() && value.as_str() != Some(""))
        .cloned()
        .ok_or_else(|| "no argument is set".to_owned())
}

fn coalescelist(args: FuncArgs) -> Result<Value, String> {
    args.iter()
        .find(|value| value.as_array().is_some_and(|items| !items.is_empty()))
        .cloned()
        .ok_or_else(|| "no argument is a non-empty list".to_owned())
}

fn zipmap(args: FuncArgs) -> Result<Value, String> {
    let [keys, values] = exactly(&args, 2)? else {
        return Err("takes 2 arguments".to_owned());
    };
    let (keys, values) = (list(keys)?, list(values)?);
    if keys.len() != values.len() {
        return Err("the lists of keys and values have different lengths".to_owned());
    }
    let mut out = hcl::Map::new();
    for (key, value) in keys.iter().zip(values) {
        out.insert(text(key)?, value.clone());
    }
    Ok(Value::Object(out))
}

fn one(args: FuncArgs) -> Result<Value, String> {
    let [items] = exactly(&args, 1)? else {
        return Err("takes 1 argument".to_owned());
    };
    match list(items)?.as_slice() {
        [] => Ok(Value::Null),
        [item] => Ok(item.clone()),
        _ => Err("the list has more than one element".to_owned()),
    }
}

fn slice(args: FuncArgs) -> Result<Value, String> {
    let [items, start, end] = exactly(&args, 3)? else {
        return Err("takes 3 arguments".to_owned());
    };
    let items = list(items)?;
    let start = usize::try_from(integer(start)?).map_err(|_| "the start cannot be negative")?;
    let end = usize::try_from(integer(end)?).map_err(|_| "the end cannot be negative")?;
    items
        .get(start..end)
        .map(|part| Value::Array(part.to_vec()))
        .ok_or_else(|| "the indexes are out of range".to_owned())
}

fn reverse(args: FuncArgs) -> Result<Value, String> {
    let [items] = exactly(&args, 1)? else {
        return Err("takes 1 argument".to_owned());
    };
    Ok(Value::Array(list(items)?.iter().rev().cloned().collect()))
}

fn sort(args: FuncArgs) -> Result<Value, String> {
    let [items] = exactly(&args, 1)? else {
        return Err("takes 1 argument".to_owned());
    };
    let mut texts = list(items)?
        .iter()
        .map(text)
        .collect::<Result<Vec<_>, _>>()?;
    texts.sort();
    Ok(Value::Array(texts.into_iter().map(Value::String).collect()))
}

fn numbers(args: &FuncArgs) -> Result<Vec<f64>, String> {
    args.iter()
        .map(|value| match value {
            Value::Number(n) => n.as_f64().ok_or_else(|| "not a number".to_owned()),
            other => Err(format!("a number is required, not {}", kind(other))),
        })
        .collect()
}

fn number(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        // The guard keeps the value in i64's range, so the cast is exact.
        #[allow(clippy::cast_possible_truncation)]
        return Value::from(value as i64);
    }
    hcl::Number::from_f64(value).map_or(Value::Null, Value::Number)
}

fn min(args: FuncArgs) -> Result<Value, String> {
    numbers(&args)?
        .into_iter()
        .reduce(f64::min)
        .map(number)
        .ok_or_else(|| "takes at least one number".to_owned())
}

fn max(args: FuncArgs) -> Result<Value, String> {
    numbers(&args)?
        .into_iter()
        .reduce(f64::max)
        .map(number)
        .ok_or_else(|| "takes at least one number".to_owned())
}

fn range(args: FuncArgs) -> Result<Value, String> {
    let bounds = args.iter().map(integer).collect::<Result<Vec<_>, _>>()?;
    let (start, end, step) = match bounds.as_slice() {
        [end] => (0, *end, 1),
        [start, end] => (*start, *end, if start <= end { 1 } else { -1 }),
        [start, end, step] => (*start, *end, *step),
        _ => return Err("takes 1 to 3 numbers".to_owned()),
    };
    if step == 0 {
        return Err("the step cannot be zero".to_owned());
    }
    let mut out = Vec::new();
    let mut current = start;
    while (step > 0 && current < end) || (step < 0 && current > end) {
        if out.len() >= 1024 {
            return Err("the range has more than 1024 elements".to_owned());
        }
        out.push(Value::from(current));
        current += step;
    }
    Ok(Value::Array(out))
}

fn identity(args: FuncArgs) -> Result<Value, String> {
    let [value] = exactly(&args, 1)? else {
        return Err("takes 1 argument".to_owned());
    };
    Ok(value.clone())
}

fn tostring(args: FuncArgs) -> Result<Value, String> {
    let [value] = exactly(&args, 1)? else {
        return Err("takes 1 argument".to_owned());
    };
    if value.is_null() {
        return Ok(Value::Null);
    }
    Ok(Value::String(text(value)?))
}

fn tonumber(args: FuncArgs) -> Result<Value, String> {
    let [value] = exactly(&args, 1)? else {
        return Err("takes 1 argument".to_owned());
    };
    match value {
        Value::Null => Ok(Value::Null),
        Value::Number(_) => Ok(value.clone()),
        Value::String(s) => s
            .trim()
            .parse::<f64>()
            .map(number)
            .map_err(|_| format!("\"{s}\" is not a number")),
        other => Err(format!("cannot convert {} to a number", kind(other))),
    }
}

fn tobool(args: FuncArgs) -> Result<Value, String> {
    let [value] = exactly(&args, 1)? else {
        return Err("takes 1 argument".to_owned());
    };
    match value {
        Value::Null | Value::Bool(_) => Ok(value.clone()),
        Value::String(s) if s == "true" => Ok(Value::Bool(true)),
        Value::String(s) if s == "false" => Ok(Value::Bool(false)),
        other => Err(format!("cannot convert {} to a bool", kind(other))),
    }
}

fn jsonencode(args: FuncArgs) -> Result<Value, String> {
    let [value] = exactly(&args, 1)? else {
        return Err("takes 1 argument".to_owned());
    };
    serde_json::to_string(value)
        .map(Value::String)
        .map_err(|e| e.to_string())
}

fn jsondecode(args: FuncArgs) -> Result<Value, String> {
    let [value] = exactly(&args, 1)? else {
        return Err("takes 1 argument".to_owned());
    };
    let json: serde_json::Value =
        serde_json::from_str(&text(value)?).map_err(|e| format!("not valid JSON: {e}"))?;
    hcl::to_value(json).map_err(|e| e.to_string())
}

/// Every alternative of a `try` failed (the evaluator rewrites the calls that succeed).
fn try_failed(_: FuncArgs) -> Result<Value, String> {
    Err("no alternative could be evaluated".to_owned())
}

/// Reached only inside a `for` expression, where the evaluator does not rewrite calls: the
/// argument was evaluated without error.
fn can(_: FuncArgs) -> Result<Value, String> {
    Ok(Value::Bool(true))
}

fn prefix_arg(value: &Value) -> Result<IpNet, String> {
    let text = text(value)?;
    text.parse::<IpNet>()
        .map_err(|_| format!("\"{text}\" is not a CIDR prefix"))
}

/// Terraform's `cidrsubnet(prefix, newbits, netnum)`: the prefix's network address (host bits
/// cleared), extended by `newbits`, with `netnum` in the new bits.
fn cidrsubnet(args: FuncArgs) -> Result<Value, String> {
    let [prefix, newbits, netnum] = exactly(&args, 3)? else {
        return Err("takes 3 arguments".to_owned());
    };
    let prefix = prefix_arg(prefix)?;
    let newbits = u8::try_from(integer(newbits)?).map_err(|_| "newbits must be 0 to 128")?;
    let netnum = u128::try_from(integer(netnum)?).map_err(|_| "netnum cannot be negative")?;
    subnet(prefix, newbits, netnum).map(|net| Value::String(net.to_string()))
}

fn subnet(prefix: IpNet, newbits: u8, netnum: u128) -> Result<IpNet, String> {
    let length = prefix
        .prefix_len()
        .checked_add(newbits)
        .filter(|l| *l <= prefix.max_prefix_len())
        .ok_or_else(|| {
            format!(
                "{newbits} more bits would make the prefix longer than /{}",
                prefix.max_prefix_len()
            )
        })?;
    if newbits < 128 && netnum >> newbits != 0 {
        return Err(format!("{netnum} does not fit in {newbits} bits"));
    }
    let shift = u32::from(prefix.max_prefix_len() - length);
    let network = address_bits(prefix.network());
    let bits = network | netnum.checked_shl(shift).unwrap_or(0);
    let address = address_from_bits(prefix.network(), bits);
    IpNet::new(address, length).map_err(|e| e.to_string())
}

fn cidrsubnets(args: FuncArgs) -> Result<Value, String> {
    let Some((prefix, sizes)) = args.split_first() else {
        return Err("takes a prefix and the new bits of each subnet".to_owned());
    };
    let prefix = prefix_arg(prefix)?;
    let mut next = address_bits(prefix.network());
    let mut out = Vec::new();
    for size in sizes {
        let newbits = u8::try_from(integer(size)?).map_err(|_| "newbits must be 0 to 128")?;
        let length = prefix.prefix_len().saturating_add(newbits);
        if length > prefix.max_prefix_len() {
            return Err("a subnet would be longer than the address".to_owned());
        }
        let span = 1u128
            .checked_shl(u32::from(prefix.max_prefix_len() - length))
            .unwrap_or(0);
        // Align to the subnet size, as Terraform allocates in order.
        if span > 0 && !next.is_multiple_of(span) {
            next = (next / span + 1) * span;
        }
        let net = IpNet::new(address_from_bits(prefix.network(), next), length)
            .map_err(|e| e.to_string())?;
        if !prefix.contains(&net) {
            return Err("the subnets do not fit in the prefix".to_owned());
        }
        out.push(Value::String(net.to_string()));
        next = next.saturating_add(span);
    }
    Ok(Value::Array(out))
}

/// Terraform's `cidrhost(prefix, hostnum)`; a negative `hostnum` counts from the end.
fn cidrhost(args: FuncArgs) -> Result<Value, String> {
    let [prefix, hostnum] = exactly(&args, 2)? else {
        return Err("takes 2 arguments".to_owned());
    };
    let prefix = prefix_arg(prefix)?;
    let hostnum = i128::from(integer(hostnum)?);
    let host_bits = u32::from(prefix.max_prefix_len() - prefix.prefix_len());
    let size = 1i128.checked_shl(host_bits).unwrap_or(i128::MAX);
    let offset = if hostnum < 0 { size + hostnum } else { hostnum };
    if offset < 0 || offset >= size {
        return Err(format!("prefix {prefix} has no host number {hostnum}"));
    }
    let offset = u128::try_from(offset).map_err(|e| e.to_string())?;
    let bits = address_bits(prefix.network()) + offset;
    Ok(Value::String(
        address_from_bits(prefix.network(), bits).to_string(),
    ))
}

fn address_bits(address: IpAddr) -> u128 {
    match address {
        IpAddr::V4(v4) => u128::from(u32::from(v4)),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

fn address_from_bits(family: IpAddr, bits: u128) -> IpAddr {
    match family {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::from(
            u32::try_from(bits & u128::from(u32::MAX)).unwrap_or_default(),
        )),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::from(bits)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(f: Func, args: Vec<Value>) -> Result<Value, String> {
        let mut context = Context::new();
        let definition = FuncDef::builder().variadic_param(ParamType::Any).build(f);
        context.declare_func("f", definition);
        let expr = hcl::expr::FuncCall::builder("f");
        let expr = args.into_iter().fold(expr, |e, a| e.arg(a)).build();
        use hcl::eval::Evaluate;
        expr.evaluate(&context).map_err(|e| e.to_string())
    }

    #[test]
    fn cidrsubnet_follows_terraform() {
        let v = |s: &str| Value::from(s);
        assert_eq!(
            call(cidrsubnet, vec![v("10.1.2.0/24"), 4.into(), 15.into()]),
            Ok(v("10.1.2.240/28"))
        );
        assert_eq!(
            call(cidrsubnet, vec![v("172.16.0.0/12"), 4.into(), 2.into()]),
            Ok(v("172.18.0.0/16"))
        );
        assert_eq!(
            call(
                cidrsubnet,
                vec![v("fd00:fd12:3456:7890::/56"), 16.into(), 162.into()]
            ),
            Ok(v("fd00:fd12:3456:7800:a200::/72"))
        );
        assert!(call(cidrsubnet, vec![v("10.0.0.0/30"), 4.into(), 0.into()]).is_err());
        assert!(call(cidrsubnet, vec![v("10.0.0.0/24"), 2.into(), 4.into()]).is_err());
    }

    #[test]
    fn cidrhost_counts_from_either_end() {
        let v = |s: &str| Value::from(s);
        assert_eq!(
            call(cidrhost, vec![v("10.12.112.0/20"), 16.into()]),
            Ok(v("10.12.112.16"))
        );
        assert_eq!(
            call(cidrhost, vec![v("10.12.112.0/20"), (-2).into()]),
            Ok(v("10.12.127.254"))
        );
        assert!(call(cidrhost, vec![v("10.0.0.0/30"), 4.into()]).is_err());
    }

    #[test]
    fn cidrsubnets_allocates_in_order() {
        let v = |s: &str| Value::from(s);
        assert_eq!(
            call(
                cidrsubnets,
                vec![v("10.1.0.0/16"), 4.into(), 4.into(), 8.into(), 4.into()]
            ),
            Ok(Value::Array(vec![
                v("10.1.0.0/20"),
                v("10.1.16.0/20"),
                v("10.1.32.0/24"),
                v("10.1.48.0/20"),
            ]))
        );
    }

    #[test]
    fn strings_and_collections() {
        let v = |s: &str| Value::from(s);
        assert_eq!(
            call(split, vec![v(","), v("a,b")]),
            Ok(Value::Array(vec![v("a"), v("b")]))
        );
        assert_eq!(
            call(format, vec![v("%s/%d"), v("10.0.0.0"), 8.into()]),
            Ok(v("10.0.0.0/8"))
        );
        assert_eq!(call(coalesce, vec![Value::Null, v(""), v("x")]), Ok(v("x")));
        assert_eq!(
            call(jsondecode, vec![v(r#"{"a":[1,"*"]}"#)])
                .ok()
                .and_then(|o| o.as_object()?.get("a").cloned()),
            Some(Value::Array(vec![1.into(), v("*")]))
        );
        assert_eq!(
            call(lookup, vec![Value::Object(hcl::Map::new()), v("k"), v("d")]),
            Ok(v("d"))
        );
        assert!(call(lookup, vec![Value::Object(hcl::Map::new()), v("k")]).is_err());
    }
}
