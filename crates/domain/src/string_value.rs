//! The conversions shared by the values written as a string: the validated values that are a
//! checked string inside (a phone number, a document number, a country code, a case reference,
//! a device identifier), and the named variants (role, stage, step) shown by their name.
//!
//! Knows nothing of what makes any of those values valid (each type brings its own `parse`) or
//! of the names (each type brings its own `as_str`). Depends on no other module of the crate.

/// Implements, for a value `$t(String)`, the parts named after it:
/// - `as_str`: `pub fn as_str(&self) -> &str`;
/// - `parse`: `TryFrom<String>` through the type's own `parse(&str)` (what serde's
///   `try_from = "String"` calls);
/// - `into`: `From<$t> for String`;
/// - `display`: `Display`, writing the string as it is.
macro_rules! string_value {
    ($t:ident: $($part:ident),+ $(,)?) => {
        $( string_value!(@$part $t); )+
    };
    (@as_str $t:ident) => {
        impl $t {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    };
    (@parse $t:ident) => {
        impl TryFrom<String> for $t {
            type Error = $crate::error::DomainError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                $t::parse(&s)
            }
        }
    };
    (@into $t:ident) => {
        impl From<$t> for String {
            fn from(v: $t) -> String {
                v.0
            }
        }
    };
    (@display $t:ident) => {
        impl ::std::fmt::Display for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

/// Implements `Display` for each type given, writing its own `as_str(self)`.
macro_rules! display_as_str {
    ($($t:ident),+ $(,)?) => {$(
        impl ::std::fmt::Display for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )+};
}

pub(crate) use {display_as_str, string_value};
