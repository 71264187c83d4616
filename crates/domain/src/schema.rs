//! The text values of an enum, read from its JSON schema (which the compiler derives from the
//! enum's definition): for tests that must cover every variant without a list kept by hand.

/// The values of `T` as its schema lists them: a string enum, or, where some variants carry
/// documentation, one constant for each of those and a string enum of the others.
pub fn values<T: schemars::JsonSchema>() -> Vec<String> {
    let schema = schemars::schema_for!(T);
    let schema = schema.as_value();
    let parts = match schema.get("oneOf").and_then(|o| o.as_array()) {
        Some(variants) => variants.iter().collect(),
        None => vec![schema],
    };
    let mut values = Vec::new();
    for part in parts {
        if let Some(one) = part.get("const") {
            values.push(one.clone());
        } else if let Some(some) = part.get("enum").and_then(|e| e.as_array()) {
            values.extend(some.iter().cloned());
        } else {
            panic!(
                "no values in the schema of {}: {schema}",
                std::any::type_name::<T>()
            );
        }
    }
    values
        .iter()
        .map(|v| v.as_str().expect("a text value").to_string())
        .collect()
}
