//! [`Attr<T>`]: one attribute's value in a model, null, unknown or known.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::{Serialize, Serializer};

/// The newtype name through which [`Attr`] asks the model deserializer whether a value is
/// unknown. Other deserializers (e.g. JSON in tests) see an ordinary newtype.
pub(super) const ATTR_TOKEN: &str = "$tfplugin::Attr";

/// The newtype name through which [`Attr::Unknown`] tells the model serializer to write an
/// unknown value. Other serializers write null.
pub(super) const UNKNOWN_TOKEN: &str = "$tfplugin::Unknown";

/// An attribute's value as Terraform sees it: null (not set), unknown (known only after
/// apply) or known.
///
/// Configuration and plans may hold unknown values anywhere; state never does. A model field
/// of this type reads all three and writes them back unchanged, so a plan keeps "known after
/// apply" exactly where Terraform had it unless the resource sets a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Attr<T> {
    /// Not set.
    #[default]
    Null,
    /// Not known until apply.
    Unknown,
    /// A known value.
    Known(T),
}

impl<T> Attr<T> {
    /// `Some` for a known value.
    pub fn known(&self) -> Option<&T> {
        match self {
            Attr::Known(value) => Some(value),
            Attr::Null | Attr::Unknown => None,
        }
    }

    /// The known value, if any.
    pub fn into_known(self) -> Option<T> {
        match self {
            Attr::Known(value) => Some(value),
            Attr::Null | Attr::Unknown => None,
        }
    }

    /// True for [`Attr::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Attr::Null)
    }

    /// True for [`Attr::Unknown`].
    pub fn is_unknown(&self) -> bool {
        matches!(self, Attr::Unknown)
    }

    /// True for [`Attr::Known`].
    pub fn is_known(&self) -> bool {
        matches!(self, Attr::Known(_))
    }

    /// Null for `None`, known for `Some`.
    pub fn from_option(value: Option<T>) -> Self {
        value.map_or(Attr::Null, Attr::Known)
    }

    /// A borrowed view.
    pub fn as_ref(&self) -> Attr<&T> {
        match self {
            Attr::Null => Attr::Null,
            Attr::Unknown => Attr::Unknown,
            Attr::Known(value) => Attr::Known(value),
        }
    }

    /// The known value dereferenced, e.g. `&str` for `Attr<String>`.
    pub fn as_deref(&self) -> Option<&T::Target>
    where
        T: std::ops::Deref,
    {
        self.known().map(|value| &**value)
    }

    /// Maps a known value; null and unknown stay as they are.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Attr<U> {
        match self {
            Attr::Null => Attr::Null,
            Attr::Unknown => Attr::Unknown,
            Attr::Known(value) => Attr::Known(f(value)),
        }
    }
}

impl<T> From<T> for Attr<T> {
    fn from(value: T) -> Self {
        Attr::Known(value)
    }
}

impl<T: Serialize> Serialize for Attr<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Attr::Null => serializer.serialize_none(),
            Attr::Unknown => serializer.serialize_newtype_struct(UNKNOWN_TOKEN, &()),
            Attr::Known(value) => serializer.serialize_some(value),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Attr<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_newtype_struct(ATTR_TOKEN, AttrVisitor(PhantomData))
    }
}

/// The model deserializer answers `none` for null, `unit` for unknown and `some` for a value.
struct AttrVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for AttrVisitor<T> {
    type Value = Attr<T>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a value, null or unknown")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Attr::Null)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Attr::Unknown)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        T::deserialize(deserializer).map(Attr::Known)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        // Any other format: null or a value, never unknown.
        Option::<T>::deserialize(deserializer).map(Attr::from_option)
    }
}
