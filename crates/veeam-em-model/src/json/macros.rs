//! The `serde` impls every generated type gets, written once as macros so that the generated
//! code invokes one line per type.

/// `serde` impls of a complex type through its [`JsonType`](super::JsonType) impl (the generated code invokes
/// it once per type): an object, or with a field name, a flat list's bare array.
macro_rules! serde_impls {
    ($ty:ty) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                $crate::json::ser::object(self, serializer)
            }
        }
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::json::de::document(deserializer)
            }
        }
    };
    ($ty:ty, flat $items:ident) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                $crate::json::ser::flat(&self.$items, serializer)
            }
        }
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::json::de::document(deserializer)
            }
        }
    };
}
pub(crate) use serde_impls;

/// The JSON form of a generated (open) enumeration: its name as a string, read leniently.
macro_rules! enum_impls {
    ($ty:ty) => {
        impl $crate::json::JsonScalar for $ty {
            const EXPECTED: &'static str = <$ty as $crate::xml::XmlValue>::EXPECTED;
            fn from_text(text: &str) -> Option<Self> {
                Some(Self::from(text.trim()))
            }
        }
        impl $crate::json::FromJson for $ty {
            fn from_json<'de, D: serde::Deserializer<'de>>(
                value: D,
            ) -> Result<Option<Self>, D::Error> {
                $crate::json::de::scalar(value)
            }
        }
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::json::de::required_scalar(deserializer)
            }
        }
    };
}
pub(crate) use enum_impls;
